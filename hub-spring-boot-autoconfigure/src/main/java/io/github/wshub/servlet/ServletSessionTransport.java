package io.github.wshub.servlet;

import java.io.IOException;
import java.security.Principal;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.session.SessionTransport;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.SessionLimitExceededException;

/**
 * A {@link SessionTransport} on a Spring {@link WebSocketSession}: frames are sent through a
 * {@link ConcurrentWebSocketSessionDecorator}, which bounds each session's queue and send time,
 * as one {@link TextMessage} per {@link EncodedFrame} shared by every session it is sent to.
 *
 * @author wshub
 */
public final class ServletSessionTransport implements SessionTransport {

	private final WebSocketSession session;

	private final ConcurrentWebSocketSessionDecorator outbound;

	/**
	 * Create a transport.
	 * @param session the raw session, closed directly
	 * @param outbound the decorator of {@code session} that sends
	 */
	public ServletSessionTransport(WebSocketSession session, ConcurrentWebSocketSessionDecorator outbound) {
		this.session = session;
		this.outbound = outbound;
	}

	@Override
	public String getId() {
		return this.session.getId();
	}

	@Override
	public @Nullable Principal getPrincipal() {
		return this.session.getPrincipal();
	}

	@Override
	public Map<String, Object> getAttributes() {
		return this.session.getAttributes();
	}

	@Override
	public boolean isOpen() {
		return this.session.isOpen();
	}

	@Override
	public void send(EncodedFrame frame) throws IOException {
		try {
			this.outbound.sendMessage(frame.toMessage(TextMessage.class, TextMessage::new));
		}
		catch (SessionLimitExceededException ex) {
			throw new SendLimitExceededException(ex.getMessage());
		}
	}

	@Override
	public void sendPing() throws IOException {
		try {
			this.outbound.sendMessage(new PingMessage());
		}
		catch (SessionLimitExceededException ex) {
			throw new SendLimitExceededException(ex.getMessage());
		}
	}

	@Override
	public int getBufferedBytes() {
		return this.outbound.getBufferSize();
	}

	@Override
	public void close(HubCloseStatus status) throws IOException {
		// Close the raw session, not the decorator: the decorator would replace the status with
		// SESSION_NOT_RELIABLE after a limit was exceeded.
		this.session.close(toCloseStatus(status));
	}

	/**
	 * Convert a hub close status to Spring's.
	 * @param status the hub's close status
	 * @return Spring's close status, without a reason when the hub's is empty
	 */
	static CloseStatus toCloseStatus(HubCloseStatus status) {
		return new CloseStatus(status.code(), status.reason().isEmpty() ? null : status.reason());
	}

	/**
	 * Convert Spring's close status to the hub's.
	 * @param status Spring's close status
	 * @return the hub's close status, with an empty reason when Spring's has none
	 */
	static HubCloseStatus toHubCloseStatus(CloseStatus status) {
		String reason = status.getReason();
		return new HubCloseStatus(status.getCode(), (reason != null) ? reason : "");
	}

}
