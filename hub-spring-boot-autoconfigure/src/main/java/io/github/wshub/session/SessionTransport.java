package io.github.wshub.session;

import java.io.IOException;
import java.security.Principal;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.HubCloseStatus;

/**
 * One client connection as the hub's core sees it, whatever WebSocket API carries it. Each
 * transport adapter implements it ({@code io.github.wshub.servlet} for Spring's servlet
 * WebSocket support) and applies its own per-connection limits when it opens the connection.
 * <p>
 * Sends may be called from any thread, concurrently: an implementation writes the frames in
 * the order of the calls, never blocks a caller longer than {@code hub.session.send-time-limit},
 * and refuses a frame with {@link SendLimitExceededException} once the connection's queued bytes
 * exceed {@code hub.session.send-buffer-size-limit} or a write has taken longer than the send
 * time limit. The hub then closes the session with {@link HubCloseStatus#SLOW_CONSUMER}.
 *
 * @author wshub
 */
public interface SessionTransport {

	/**
	 * Return the connection's id, unique within this instance and treated as unique in the
	 * cluster.
	 * @return the id
	 */
	String getId();

	/**
	 * Return the principal of the handshake, if any.
	 * @return the principal
	 */
	@Nullable Principal getPrincipal();

	/**
	 * Return the attributes copied from the handshake.
	 * @return the attributes
	 */
	Map<String, Object> getAttributes();

	/**
	 * Whether the connection is open.
	 * @return {@code true} if open
	 */
	boolean isOpen();

	/**
	 * Write a text frame, or queue it while another thread is writing to the connection.
	 * @param frame the frame, possibly shared with other sessions
	 * @throws SendLimitExceededException if the connection exceeds its send limits
	 * @throws IOException if the write failed
	 */
	void send(EncodedFrame frame) throws IOException;

	/**
	 * Write a ping frame, or queue it, like {@link #send(EncodedFrame)}.
	 * @throws SendLimitExceededException if the connection exceeds its send limits
	 * @throws IOException if the write failed
	 */
	void sendPing() throws IOException;

	/**
	 * Return the bytes queued for the connection and not yet written to its socket.
	 * @return the buffered size
	 */
	int getBufferedBytes();

	/**
	 * Close the connection with the given status, without waiting for the queued frames. May
	 * block while the close frame is written.
	 * @param status the close status
	 * @throws IOException if the connection is gone already
	 */
	void close(HubCloseStatus status) throws IOException;

	/**
	 * A frame was refused because the connection exceeds its send buffer or send time limit.
	 */
	final class SendLimitExceededException extends RuntimeException {

		/**
		 * Create an exception.
		 * @param message what was exceeded
		 */
		public SendLimitExceededException(@Nullable String message) {
			super(message);
		}

	}

}
