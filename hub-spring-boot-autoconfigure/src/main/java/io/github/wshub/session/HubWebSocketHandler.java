package io.github.wshub.session;

import java.util.concurrent.CompletableFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import io.github.wshub.HubInstrumentation;
import io.github.wshub.HubInstrumentation.PublishSource;
import io.github.wshub.HubInstrumentation.RefusalReason;
import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.protocol.ClientFrame;
import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.ErrorCode;
import io.github.wshub.protocol.FrameCodec;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.protocol.ProtocolException;
import io.github.wshub.security.TopicAuthorizer;
import io.github.wshub.servlet.ServletSessionTransport;

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
 * The hub's {@link org.springframework.web.socket.WebSocketHandler}: speaks protocol v1 with
 * each client, admits its sessions to the {@link LocalSessions}, and routes subscribe,
 * unsubscribe and publish requests to the {@link LocalTopicRegistry} and the
 * {@link TopicBroker}.
 * <p>
 * Nothing here waits for Redis on a container thread: subscribe and publish replies are sent
 * when the broker completes them, in request order per session (see
 * {@link HubSession#reply(CompletableFuture)}).
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

	private final FrameCodec codec;

	private final LocalSessions sessions;

	private final LocalTopicRegistry registry;

	private final TopicBroker broker;

	private final TopicAuthorizer authorizer;

	private final SessionSettings settings;

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	/**
	 * Create a handler.
	 * @param codec the frame codec
	 * @param sessions the directory of local sessions
	 * @param registry the local topic registry
	 * @param broker the broker that publishes client messages
	 * @param authorizer the topic policy
	 */
	public HubWebSocketHandler(FrameCodec codec, LocalSessions sessions, LocalTopicRegistry registry,
			TopicBroker broker, TopicAuthorizer authorizer) {
		this.codec = codec;
		this.sessions = sessions;
		this.registry = registry;
		this.broker = broker;
		this.authorizer = authorizer;
		this.settings = sessions.getSettings();
	}

	/**
	 * Set where events are reported, for metrics.
	 * @param instrumentation the instrumentation
	 */
	public void setInstrumentation(HubInstrumentation instrumentation) {
		this.instrumentation = instrumentation;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) {
		applyMessageSizeLimits(session);
		limitBlockingSends(session);
		Object address = session.getAttributes().get(HubHandshakeInterceptor.ADDRESS_ATTRIBUTE);
		HubSession hubSession = this.sessions.open(new ServletSessionTransport(session, decorateSession(session)),
				userOf(session), (address instanceof String value) ? value : null);
		if (hubSession != null) {
			hubSession.send(this.codec.welcome(session.getId(), this.sessions.getInstanceId()));
		}
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
		HubSession hubSession = this.sessions.getSession(session.getId());
		if (hubSession == null) {
			return;
		}
		hubSession.pongReceived();
		String payload;
		try {
			payload = hubSession.assemble(message.getPayload(), message.isLast(), this.settings.maxTextMessageSize());
		}
		catch (HubSession.MessageTooLongException ex) {
			hubSession.close(HubCloseStatus.TOO_BIG_TO_PROCESS);
			return;
		}
		if (payload == null || !withinRate(hubSession)) {
			return;
		}
		ClientFrame frame;
		try {
			frame = this.codec.decode(payload);
		}
		catch (ProtocolException ex) {
			hubSession.reply(error(ex.getId(), ex.getErrorCode(), ex.getMessage()));
			return;
		}
		try {
			switch (frame.type()) {
				case SUBSCRIBE -> subscribe(hubSession, frame);
				case UNSUBSCRIBE -> unsubscribe(hubSession, frame);
				case PUBLISH -> publish(hubSession, frame);
			}
		}
		catch (RuntimeException ex) {
			logger.error("Failed to handle a " + frame.type() + " request on session " + hubSession.getId(), ex);
			hubSession.reply(error(frame.id(), ErrorCode.INTERNAL_ERROR, "The server failed to handle the request"));
		}
	}

	private void subscribe(HubSession session, ClientFrame frame) {
		String topic = frame.topic();
		if (!this.authorizer.canSubscribe(session, topic)) {
			session.reply(error(frame.id(), ErrorCode.FORBIDDEN, "Not allowed to subscribe to '" + topic + "'"));
			return;
		}
		if (!session.getTopics().contains(topic)
				&& session.getTopics().size() >= this.settings.maxSubscriptionsPerSession()) {
			session.reply(error(frame.id(), ErrorCode.TOO_MANY_SUBSCRIPTIONS,
					"At most " + this.settings.maxSubscriptionsPerSession() + " subscriptions per session"));
			return;
		}
		LocalTopicRegistry.Subscription subscription = this.registry.subscribe(session, topic);
		CompletableFuture<@Nullable EncodedFrame> reply = subscription.confirmed()
			.handle((ignored, ex) -> {
				if (ex != null) {
					// Never leave a local subscriber without a broker subscription.
					this.registry.rollback(session, subscription);
					if (session.isClosed()) {
						// Nobody to tell: no error frame, no error counted.
						return null;
					}
					return errorFrame(frame.id(), ErrorCode.BROKER_UNAVAILABLE,
							"Subscription to '" + topic + "' could not be confirmed");
				}
				return ack(frame.id());
			});
		session.reply(reply);
	}

	private void unsubscribe(HubSession session, ClientFrame frame) {
		this.registry.unsubscribe(session, frame.topic());
		session.reply(CompletableFuture.completedFuture(ack(frame.id())));
	}

	private void publish(HubSession session, ClientFrame frame) {
		String topic = frame.topic();
		if (!this.authorizer.canPublish(session, topic)) {
			this.instrumentation.messageRefused(RefusalReason.FORBIDDEN);
			session.reply(error(frame.id(), ErrorCode.FORBIDDEN, "Not allowed to publish on '" + topic + "'"));
			return;
		}
		JsonNode data = frame.data();
		BrokerMessage message = BrokerMessage.now(topic, this.codec.encodeMessage(topic, data),
				this.sessions.getInstanceId());
		CompletableFuture<@Nullable EncodedFrame> reply = this.broker.publish(message)
			.handle((ignored, ex) -> {
				if (ex != null) {
					this.instrumentation.messageRefused(RefusalReason.BROKER_UNAVAILABLE);
					return errorFrame(frame.id(), ErrorCode.BROKER_UNAVAILABLE,
							"Publish to '" + topic + "' was not accepted by the broker");
				}
				this.instrumentation.messagePublished(PublishSource.CLIENT);
				return ack(frame.id());
			});
		session.reply(reply);
	}

	private @Nullable EncodedFrame ack(@Nullable JsonNode id) {
		return (id != null) ? this.codec.ack(id) : null;
	}

	private CompletableFuture<@Nullable EncodedFrame> error(@Nullable JsonNode id, ErrorCode code,
			String message) {
		return CompletableFuture.completedFuture(errorFrame(id, code, message));
	}

	private EncodedFrame errorFrame(@Nullable JsonNode id, ErrorCode code, String message) {
		this.instrumentation.errorSent(code);
		return this.codec.error(id, code, message);
	}

	@Override
	protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
		HubSession hubSession = this.sessions.getSession(session.getId());
		if (hubSession != null) {
			hubSession.pongReceived();
			// One error per binary message, however many parts it arrives in.
			if (hubSession.startBinaryPart(message.isLast()) && withinRate(hubSession)) {
				hubSession.reply(error(null, ErrorCode.INVALID_FRAME, "Binary frames are not supported"));
			}
		}
	}

	/**
	 * Apply the inbound rate limit: a frame over the rate gets a {@code rate_limited} error and
	 * is not processed; a session that keeps sending while limited is closed with 4502.
	 */
	private boolean withinRate(HubSession session) {
		if (session.tryAcquire(this.settings.messageRate(), this.settings.messageBurst())) {
			return true;
		}
		if (session.rateViolations() > this.settings.maxRateViolations()) {
			session.close(HubCloseStatus.POLICY_VIOLATION);
		}
		else if (session.rateViolations() == 1 || session.rateViolations() % 10 == 0) {
			// One error frame per run of refused frames (and every tenth), not one per frame.
			session.reply(error(null, ErrorCode.RATE_LIMITED,
					"More than " + formatRate(this.settings.messageRate()) + " frames per second; frame ignored"));
		}
		return false;
	}

	private static String formatRate(double rate) {
		return (rate == Math.rint(rate)) ? Long.toString((long) rate) : Double.toString(rate);
	}

	@Override
	protected void handlePongMessage(WebSocketSession session, PongMessage message) {
		HubSession hubSession = this.sessions.getSession(session.getId());
		if (hubSession != null) {
			hubSession.pongReceived();
		}
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) {
		if (logger.isDebugEnabled()) {
			logger.debug("Transport error on session " + session.getId(), exception);
		}
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		String reason = status.getReason();
		this.sessions.close(session.getId(), new HubCloseStatus(status.getCode(), (reason != null) ? reason : ""));
	}

	@Override
	public boolean supportsPartialMessages() {
		return true;
	}



}
