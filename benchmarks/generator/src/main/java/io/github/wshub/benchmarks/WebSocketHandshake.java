package io.github.wshub.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The client side of the WebSocket opening handshake (RFC 6455, section 4): the expected
 * {@code Sec-WebSocket-Accept} and the end of the response's headers.
 *
 * @author wshub
 */
final class WebSocketHandshake {

	static final byte[] CRLFCRLF = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private WebSocketHandshake() {
	}

	static String acceptFor(String key) {
		try {
			MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
			byte[] digest = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static int indexOf(ByteBuffer buffer, byte[] needle) {
		for (int i = buffer.position(); i <= buffer.limit() - needle.length; i++) {
			boolean match = true;
			for (int j = 0; j < needle.length; j++) {
				if (buffer.get(i + j) != needle[j]) {
					match = false;
					break;
				}
			}
			if (match) {
				return i - buffer.position();
			}
		}
		return -1;
	}

}
