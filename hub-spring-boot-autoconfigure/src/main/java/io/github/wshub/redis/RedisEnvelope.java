package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.BrokerMessage;

/**
 * The payload of a topic message on Redis: one header line, then the encoded {@code message}
 * frame exactly as sessions receive it, so no instance re-encodes what another published.
 *
 * <pre class="code">
 * wshub1 &lt;published-at, microseconds since the epoch&gt; &lt;origin instance id&gt;\n
 * {"type":"message","topic":"chat.lobby","data":...}
 * </pre>
 *
 * @author wshub
 */
final class RedisEnvelope {

	private static final String MAGIC = "wshub1 ";

	private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);

	private RedisEnvelope() {
	}

	static byte[] encode(BrokerMessage message) {
		byte[] header = (MAGIC + message.publishedAtMicros() + " " + message.origin() + "\n")
			.getBytes(StandardCharsets.UTF_8);
		byte[] frame = message.frame();
		byte[] payload = new byte[header.length + frame.length];
		System.arraycopy(header, 0, payload, 0, header.length);
		System.arraycopy(frame, 0, payload, header.length, frame.length);
		return payload;
	}

	/**
	 * Decode a payload received on a topic channel.
	 * @param topic the topic the channel belongs to
	 * @param payload the payload
	 * @return the message, or {@code null} if the payload is not a wshub envelope
	 */
	static @Nullable BrokerMessage decode(String topic, byte[] payload) {
		if (payload.length <= MAGIC_BYTES.length) {
			return null;
		}
		for (int i = 0; i < MAGIC_BYTES.length; i++) {
			if (payload[i] != MAGIC_BYTES[i]) {
				return null;
			}
		}
		int space = -1;
		int newline = -1;
		for (int i = MAGIC_BYTES.length; i < payload.length; i++) {
			byte b = payload[i];
			if (b == ' ' && space < 0) {
				space = i;
			}
			else if (b == '\n') {
				newline = i;
				break;
			}
		}
		if (space < 0 || newline < 0 || space > newline) {
			return null;
		}
		long publishedAt;
		try {
			publishedAt = Long.parseLong(new String(payload, MAGIC_BYTES.length, space - MAGIC_BYTES.length,
					StandardCharsets.US_ASCII));
		}
		catch (NumberFormatException ex) {
			return null;
		}
		String origin = new String(payload, space + 1, newline - space - 1, StandardCharsets.UTF_8);
		byte[] frame = new byte[payload.length - newline - 1];
		System.arraycopy(payload, newline + 1, frame, 0, frame.length);
		return new BrokerMessage(topic, frame, publishedAt, origin);
	}

}
