package io.github.wshub.servlet;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.session.HubProtocolHandler;
import io.github.wshub.session.SessionSettings;

import org.springframework.util.ClassUtils;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * The hub's {@link org.springframework.web.socket.WebSocketHandler}: the servlet transport. It
 * hands every session that opens, and every frame and close of it, to the
 * {@link HubProtocolHandler}; each session is sent to through a
 * {@link ConcurrentWebSocketSessionDecorator} ({@link ServletSessionTransport}), which bounds its
 * queue and its send time. When a session opens it also sets the container's limits: the
 * message size limit and, on Tomcat, the blocking send timeout.
 *
 * @author wshub
 */
public class HubWebSocketHandler extends AbstractWebSocketHandler {

	private static final Log logger = LogFactory.getLog(HubWebSocketHandler.class);

	private static final boolean JAKARTA_WEBSOCKET_PRESENT = ClassUtils.isPresent("jakarta.websocket.Session",
			HubWebSocketHandler.class.getClassLoader());

	/**
	 * Tomcat's per-session limit for a blocking write; bounded by our send time limit so a stuck
	 * client cannot hold a dispatch thread for Tomcat's default of 20 seconds.
	 */
	private static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	private final HubProtocolHandler protocol;

	private final SessionSettings settings;

	/**
	 * Create a handler.
	 * @param protocol the protocol handler that serves the sessions
	 * @param settings per-session limits
	 */
	public HubWebSocketHandler(HubProtocolHandler protocol, SessionSettings settings) {
		this.protocol = protocol;
		this.settings = settings;
	}

	/**
	 * Set the session's container limits, then hand it to the protocol handler, which admits it
	 * or closes it.
	 * @param session the new session
	 */
	@Override
	public void afterConnectionEstablished(WebSocketSession session) {
		applyMessageSizeLimits(session);
		limitBlockingSends(session);
		Object address = session.getAttributes().get(HubHandshakeInterceptor.ADDRESS_ATTRIBUTE);
		this.protocol.open(new ServletSessionTransport(session, decorateSession(session)), userOf(session),
				(address instanceof String value) ? value : null);
	}

	/**
	 * Decorate a session for thread-safe, bounded sends. Override to change the decorator.
	 * @param session the raw session
	 * @return the decorated session
	 */
	protected ConcurrentWebSocketSessionDecorator decorateSession(WebSocketSession session) {
		return new ConcurrentWebSocketSessionDecorator(session, (int) this.settings.sendTimeLimit().toMillis(),
				this.settings.sendBufferSizeLimit());
	}

	/**
	 * Return the user of a session: the one the {@link HubHandshakeInterceptor} resolved during
	 * the handshake, or {@code null} for an anonymous session.
	 * @param session the raw session
	 * @return the user name, or {@code null}
	 */
	protected @Nullable String userOf(WebSocketSession session) {
		Object user = session.getAttributes().get(HubHandshakeInterceptor.USER_ATTRIBUTE);
		return (user instanceof String name && !name.isBlank()) ? name : null;
	}

	/**
	 * Tomcat allocates a per-session message buffer as large as the session's message size
	 * limit (a 64 KB limit costs 128 KB of heap per session). There, the limit is set to the
	 * small message buffer size: larger messages arrive in parts (this handler supports partial
	 * messages) and are assembled up to the frame limit. Other containers (Jetty) allocate on
	 * demand and enforce the limit on the whole message, so they get the frame limit itself.
	 */
	private void applyMessageSizeLimits(WebSocketSession session) {
		Object nativeSession = (session instanceof NativeWebSocketSession nws) ? nws.getNativeSession() : null;
		boolean preallocates = nativeSession != null
				&& nativeSession.getClass().getName().startsWith("org.apache.tomcat.websocket.");
		int limit = preallocates ? this.settings.messageBufferSize() : this.settings.maxTextMessageSize();
		session.setTextMessageSizeLimit(limit);
		session.setBinaryMessageSizeLimit(preallocates ? this.settings.messageBufferSize() : limit);
	}

	private void limitBlockingSends(WebSocketSession session) {
		if (JAKARTA_WEBSOCKET_PRESENT && session instanceof NativeWebSocketSession nativeSession) {
			jakarta.websocket.Session jakartaSession = nativeSession.getNativeSession(jakarta.websocket.Session.class);
			if (jakartaSession != null) {
				jakartaSession.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT,
						this.settings.sendTimeLimit().toMillis());
			}
		}
	}

	@Override
	protected void handleTextMessage(WebSocketSession session, TextMessage message) {
		this.protocol.handleText(session.getId(), message.getPayload(), message.isLast());
	}

	@Override
	protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
		this.protocol.handleBinary(session.getId(), message.isLast());
	}

	@Override
	protected void handlePongMessage(WebSocketSession session, PongMessage message) {
		this.protocol.handlePong(session.getId());
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) {
		if (logger.isDebugEnabled()) {
			logger.debug("Transport error on session " + session.getId(), exception);
		}
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		this.protocol.handleClose(session.getId(), ServletSessionTransport.toHubCloseStatus(status));
	}

	@Override
	public boolean supportsPartialMessages() {
		return true;
	}

}
