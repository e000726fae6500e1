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
 * On a topic with history the header line ends with the message's offset and epoch, which the
 * publishing script ({@link HistoryScripts#PUBLISH}) appends, as it splices them into the frame:
 * <pre class="code">
 * wshub1 &lt;published-at&gt; &lt;origin&gt; &lt;offset&gt; &lt;epoch&gt;\n
 * {"type":"message","topic":"chat.lobby","data":...,"offset":42,"epoch":"5f0c2a9e"}
 * </pre>
 *
 * @author wshub
 */
final class RedisEnvelope {

	private static final String MAGIC = "wshub1 ";

	private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);

	private RedisEnvelope() {
	}

	/**
	 * Return the header line of a message, without its line end, for the publishing script of
	 * a topic with history.
	 * @param message the message
	 * @return {@code wshub1 <published-at> <origin>}
	 */
	static String header(BrokerMessage message) {
		return MAGIC + message.publishedAtMicros() + " " + message.origin();
	}

	static byte[] encode(BrokerMessage message) {
		byte[] header = (header(message) + "\n").getBytes(StandardCharsets.UTF_8);
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
		String rest = new String(payload, space + 1, newline - space - 1, StandardCharsets.UTF_8);
		byte[] frame = new byte[payload.length - newline - 1];
		System.arraycopy(payload, newline + 1, frame, 0, frame.length);
		// Instance ids contain no spaces: more words are the offset and epoch of a history topic.
		String[] words = rest.split(" ", -1);
		if (words.length == 1) {
			return new BrokerMessage(topic, frame, publishedAt, rest);
		}
		if (words.length != 3) {
			return null;
		}
		try {
			return new BrokerMessage(topic, frame, publishedAt, words[0], Long.parseLong(words[1]), words[2]);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
