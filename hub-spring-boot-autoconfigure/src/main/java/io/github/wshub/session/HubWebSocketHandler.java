package io.github.wshub.session;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import io.github.wshub.HubInstrumentation;
import io.github.wshub.HubInstrumentation.PublishSource;
import io.github.wshub.HubInstrumentation.RefusalReason;
import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.DispatchLanes;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.protocol.ClientFrame;
import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.ErrorCode;
import io.github.wshub.protocol.FrameCodec;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.protocol.ProtocolException;
import io.github.wshub.registry.ConnectionRegistry;
import io.github.wshub.security.TopicAuthorizer;
import io.github.wshub.servlet.ServletSessionTransport;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
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
 * each client, keeps the local sessions, pings them, and routes subscribe, unsubscribe and
 * publish requests to the {@link LocalTopicRegistry} and the {@link TopicBroker}.
 * <p>
 * Nothing here waits for Redis on a container thread: subscribe and publish replies are sent
 * when the broker completes them, in request order per session (see
 * {@link HubSession#reply(CompletableFuture)}).
 * <p>
 * As a {@link SmartLifecycle} it starts accepting sessions (and the heartbeat) before the web
 * server starts, and stops after the web server stopped; {@link HubGracefulShutdown} drains the
 * sessions before that. Sessions still open when it stops are closed with
 * {@link HubCloseStatus#SHUTDOWN}, in parallel, waiting at most a second for the closes.
 *
 * @author wshub
 */
public class HubWebSocketHandler extends AbstractWebSocketHandler implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(HubWebSocketHandler.class);

	private static final boolean JAKARTA_WEBSOCKET_PRESENT = ClassUtils.isPresent("jakarta.websocket.Session",
			HubWebSocketHandler.class.getClassLoader());

	/**
	 * Tomcat's per-session limit for a blocking write; bounded by our send time limit so a stuck
	 * client cannot hold a dispatch thread for Tomcat's default of 20 seconds.
	 */
	private static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	/**
	 * Most time {@link #stop()} waits for the sessions still open to close.
	 */
	private static final Duration STOP_CLOSE_TIMEOUT = Duration.ofSeconds(1);

	private final String instanceId;

	private final FrameCodec codec;

	private final LocalTopicRegistry registry;

	private final TopicBroker broker;

	private final TopicAuthorizer authorizer;

	private final DispatchLanes lanes;

	private final SessionSettings settings;

	private final Map<String, HubSession> sessions = new ConcurrentHashMap<>();

	private final Map<String, Set<HubSession>> sessionsByUser = new ConcurrentHashMap<>();

	private final AnonymousSessions anonymousSessions;

	private final AtomicInteger admitted = new AtomicInteger();

	private final Object lifecycleMonitor = new Object();

	private volatile State state = State.STARTING;

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	private volatile @Nullable ConnectionRegistry connectionRegistry;

	private @Nullable ScheduledExecutorService heartbeat;

	private int phase = DEFAULT_PHASE - 3072;

	/**
	 * Create a handler.
	 * @param instanceId this instance's id, announced in the {@code welcome} frame
	 * @param codec the frame codec
	 * @param registry the local topic registry
	 * @param broker the broker that publishes client messages
	 * @param authorizer the topic policy
	 * @param lanes the lanes that order replies per session
	 * @param settings per-session limits and heartbeat timing
	 */
	public HubWebSocketHandler(String instanceId, FrameCodec codec, LocalTopicRegistry registry, TopicBroker broker,
			TopicAuthorizer authorizer, DispatchLanes lanes, SessionSettings settings) {
		this.instanceId = instanceId;
		this.codec = codec;
		this.registry = registry;
		this.broker = broker;
		this.authorizer = authorizer;
		this.lanes = lanes;
		this.settings = settings;
		this.anonymousSessions = new AnonymousSessions(settings.maxAnonymousSessionsPerAddress());
	}

	/**
	 * Set where events are reported, for metrics.
	 * @param instrumentation the instrumentation
	 */
	public void setInstrumentation(HubInstrumentation instrumentation) {
		this.instrumentation = instrumentation;
	}

	/**
	 * Set the registry told about every session that opens and closes.
	 * @param connectionRegistry the registry
	 */
	public void setConnectionRegistry(ConnectionRegistry connectionRegistry) {
		this.connectionRegistry = connectionRegistry;
	}

	/**
	 * Return the lifecycle state of this instance's hub.
	 * @return the state
	 */
	public State getState() {
		return this.state;
	}

	/**
	 * Return the id of this instance.
	 * @return the instance id
	 */
	public String getInstanceId() {
		return this.instanceId;
	}

	/**
	 * Return the number of distinct users with at least one open session on this instance.
	 * @return the user count
	 */
	public int getUserCount() {
		return this.sessionsByUser.size();
	}

	/**
	 * Whether this instance holds {@code hub.limits.max-sessions} sessions.
	 * @return {@code true} when no new session is admitted
	 */
	public boolean isFull() {
		return this.admitted.get() >= this.settings.maxSessions();
	}

	/**
	 * Whether a user holds {@code hub.limits.max-sessions-per-user} sessions on this instance.
	 * @param user the user
	 * @return {@code true} when no new session of the user is admitted
	 */
	public boolean isUserFull(String user) {
		Set<HubSession> owned = this.sessionsByUser.get(user);
		return owned != null && owned.size() >= this.settings.maxSessionsPerUser();
	}

	/**
	 * Whether a client address holds {@code hub.limits.max-anonymous-sessions-per-address}
	 * anonymous sessions on this instance.
	 * @param address the client address
	 * @return {@code true} when no new anonymous session from the address is admitted
	 */
	public boolean isAnonymousAddressFull(String address) {
		return this.anonymousSessions.isFull(address);
	}

	/**
	 * Return the open sessions of a user on this instance.
	 * @param user the user name
	 * @return the sessions, possibly empty
	 */
	public List<HubSession> getSessionsOfUser(String user) {
		Set<HubSession> owned = this.sessionsByUser.get(user);
		return (owned != null) ? List.copyOf(owned) : List.of();
	}

	/**
	 * Return the open sessions of this instance.
	 * @return an unmodifiable live view of the sessions
	 */
	public Collection<HubSession> getSessions() {
		return Collections.unmodifiableCollection(this.sessions.values());
	}

	/**
	 * Return the number of open sessions.
	 * @return the session count
	 */
	public int getSessionCount() {
		return this.sessions.size();
	}

	/**
	 * Return the session with the given id.
	 * @param sessionId the id
	 * @return the session, or {@code null} if there is none on this instance
	 */
	public @Nullable HubSession getSession(String sessionId) {
		return this.sessions.get(sessionId);
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) {
		if (this.state != State.RUNNING) {
			closeQuietly(session, HubCloseStatus.SHUTDOWN);
			return;
		}
		if (this.admitted.incrementAndGet() > this.settings.maxSessions()) {
			this.admitted.decrementAndGet();
			closeQuietly(session, HubCloseStatus.INSTANCE_FULL);
			this.instrumentation.sessionClosed(HubCloseStatus.INSTANCE_FULL);
			return;
		}
		applyMessageSizeLimits(session);
		limitBlockingSends(session);
		ConcurrentWebSocketSessionDecorator outbound = decorateSession(session);
		HubSession hubSession = new HubSession(new ServletSessionTransport(session, outbound), userOf(session),
				this.lanes.executor(session.getId()), this.instrumentation);
		if (!admitUser(hubSession)) {
			this.admitted.decrementAndGet();
			closeQuietly(session, HubCloseStatus.TOO_MANY_SESSIONS);
			this.instrumentation.sessionClosed(HubCloseStatus.TOO_MANY_SESSIONS);
			return;
		}
		String anonymousAddress = anonymousAddressOf(hubSession);
		if (anonymousAddress != null && !this.anonymousSessions.admit(anonymousAddress, hubSession)) {
			this.admitted.decrementAndGet();
			closeQuietly(session, HubCloseStatus.TOO_MANY_SESSIONS);
			this.instrumentation.sessionClosed(HubCloseStatus.TOO_MANY_SESSIONS);
			return;
		}
		// Register before the session becomes reachable through this.sessions: any close of it,
		// on whichever thread, then reaches the connection registry after the open.
		ConnectionRegistry registry = this.connectionRegistry;
		if (registry != null) {
			registry.sessionOpened(hubSession.getId(), hubSession.getUser());
		}
		this.sessions.put(session.getId(), hubSession);
		hubSession.send(this.codec.welcome(session.getId(), this.instanceId));
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

	// Atomic per user, so concurrent handshakes of one user cannot exceed the limit.
	private boolean admitUser(HubSession session) {
		String user = session.getUser();
		if (user == null) {
			return true;
		}
		boolean[] admittedUser = new boolean[1];
		this.sessionsByUser.compute(user, (key, owned) -> {
			Set<HubSession> result = (owned != null) ? owned : ConcurrentHashMap.newKeySet();
			if (result.size() < this.settings.maxSessionsPerUser()) {
				result.add(session);
				admittedUser[0] = true;
			}
			return result.isEmpty() ? null : result;
		});
		return admittedUser[0];
	}

	private void releaseUser(HubSession session) {
		String user = session.getUser();
		if (user != null) {
			this.sessionsByUser.computeIfPresent(user, (key, owned) -> {
				owned.remove(session);
				return owned.isEmpty() ? null : owned;
			});
		}
	}

	// The address an anonymous session counts against; null for a user's session, and for one
	// opened without the HubHandshakeInterceptor's address.
	private static @Nullable String anonymousAddressOf(HubSession session) {
		Object address = session.getAttributes().get(HubHandshakeInterceptor.ADDRESS_ATTRIBUTE);
		return (session.getUser() == null && address instanceof String value) ? value : null;
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
		HubSession hubSession = this.sessions.get(session.getId());
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
		BrokerMessage message = BrokerMessage.now(topic, this.codec.encodeMessage(topic, data), this.instanceId);
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
		HubSession hubSession = this.sessions.get(session.getId());
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
		HubSession hubSession = this.sessions.get(session.getId());
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
		HubSession hubSession = this.sessions.remove(session.getId());
		if (hubSession != null) {
			// Mark first, then unsubscribe: a subscribe in flight on another thread either sees
			// the mark or has added its topic before unsubscribeAll copies the topics.
			hubSession.markClosed();
			this.admitted.decrementAndGet();
			releaseUser(hubSession);
			String anonymousAddress = anonymousAddressOf(hubSession);
			if (anonymousAddress != null) {
				this.anonymousSessions.release(anonymousAddress, hubSession);
			}
			this.registry.unsubscribeAll(hubSession);
			ConnectionRegistry registry = this.connectionRegistry;
			if (registry != null) {
				registry.sessionClosed(hubSession.getId(), hubSession.getUser());
			}
			String reason = status.getReason();
			this.instrumentation.sessionClosed(new HubCloseStatus(status.getCode(), (reason != null) ? reason : ""));
		}
	}

	@Override
	public boolean supportsPartialMessages() {
		return true;
	}

	private void sweepHeartbeats() {
		long now = System.nanoTime();
		long pingInterval = this.settings.pingInterval().toNanos();
		long pongTimeout = this.settings.pongTimeout().toNanos();
		for (HubSession session : this.sessions.values()) {
			if (session.pongOverdue(now, pongTimeout)) {
				session.close(HubCloseStatus.PING_TIMEOUT);
			}
			else if (session.pingDue(now, pingInterval)) {
				session.pingSent(now);
				session.sendPing();
			}
		}
	}

	/**
	 * Stop accepting sessions: handshakes are refused and the state becomes
	 * {@link State#DRAINING}. Open sessions keep working.
	 */
	public void beginDrain() {
		synchronized (this.lifecycleMonitor) {
			if (this.state == State.RUNNING) {
				this.state = State.DRAINING;
			}
		}
	}

	/**
	 * Mark draining as done: every session was closed.
	 */
	public void finishDrain() {
		synchronized (this.lifecycleMonitor) {
			if (this.state == State.DRAINING) {
				this.state = State.STOPPED;
			}
		}
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.state == State.RUNNING) {
				return;
			}
			CustomizableThreadFactory threadFactory = new CustomizableThreadFactory("hub-heartbeat-");
			threadFactory.setDaemon(true);
			ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(threadFactory);
			long tick = Math.max(50,
					Math.min(this.settings.pingInterval().toMillis(), this.settings.pongTimeout().toMillis()) / 4);
			executor.scheduleWithFixedDelay(this::sweepHeartbeatsSafely, tick, tick, TimeUnit.MILLISECONDS);
			this.heartbeat = executor;
			this.state = State.RUNNING;
		}
	}

	private void sweepHeartbeatsSafely() {
		try {
			sweepHeartbeats();
		}
		catch (RuntimeException ex) {
			logger.error("Heartbeat sweep failed", ex);
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (this.state == State.STARTING) {
				return;
			}
			this.state = State.STOPPED;
			ScheduledExecutorService executor = this.heartbeat;
			if (executor != null) {
				executor.shutdownNow();
				this.heartbeat = null;
			}
			// In parallel and bounded: a client that stopped reading can make its close block.
			int unclosed = SessionCloser.closeAll(List.copyOf(this.sessions.values()), HubCloseStatus.SHUTDOWN,
					STOP_CLOSE_TIMEOUT);
			if (unclosed > 0) {
				logger.warn(unclosed + " WebSocket session(s) were still closing after "
						+ STOP_CLOSE_TIMEOUT.toMillis() + " ms; not waiting for them");
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.state == State.RUNNING || this.state == State.DRAINING;
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	/**
	 * Set the lifecycle phase. The default starts the hub after the broker and the registry and
	 * before the web server, and stops it after the web server.
	 * @param phase the phase
	 */
	public void setPhase(int phase) {
		this.phase = phase;
	}

	private static void closeQuietly(WebSocketSession session, HubCloseStatus status) {
		try {
			session.close(new CloseStatus(status.code(), status.reason()));
		}
		catch (IOException ex) {
			// The connection is gone already.
		}
	}

	/**
	 * Lifecycle state of the hub on this instance.
	 */
	public enum State {

		/**
		 * Not accepting sessions yet.
		 */
		STARTING,

		/**
		 * Accepting and serving sessions.
		 */
		RUNNING,

		/**
		 * Shutting down: no new sessions; existing ones are being closed.
		 */
		DRAINING,

		/**
		 * Stopped: every session was closed.
		 */
		STOPPED

	}

}
