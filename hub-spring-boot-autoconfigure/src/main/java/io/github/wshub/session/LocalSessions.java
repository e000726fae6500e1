package io.github.wshub.session;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.registry.ConnectionRegistry;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * The directory of this instance's sessions, whatever transport carries them: the sessions by
 * id and by user, their admission, and the hub's lifecycle {@link State state}.
 * <p>
 * <b>Admission.</b> A transport adapter hands every new connection to
 * {@link #open(SessionTransport, String, String)}, which admits it only while the hub is
 * running and below {@code hub.limits.max-sessions}, {@code hub.limits.max-sessions-per-user}
 * and, for an anonymous session, {@code hub.limits.max-anonymous-sessions-per-address}. The
 * checks are atomic (a counter; per user and per address a set changed under its
 * {@link ConcurrentHashMap} bin lock), so concurrent handshakes cannot exceed the limits; a
 * refused connection is closed at once. The handshake checks the same limits early
 * ({@link #isFull()}, {@link #isUserFull(String)}, {@link #isAnonymousAddressFull(String)}).
 * Every admitted session is registered with the {@link ConnectionRegistry} before anything can
 * find it here, and deregistered when {@link #close(String, HubCloseStatus) its connection
 * closes}.
 * <p>
 * <b>Lifecycle.</b> As a {@link SmartLifecycle} it starts accepting sessions, and the
 * {@link SessionHeartbeat}, before the web server starts, and stops after the web server
 * stopped; {@link HubGracefulShutdown} drains the sessions before that
 * ({@link #beginDrain()}, {@link #finishDrain()}). Sessions still open when it stops are
 * closed with {@link HubCloseStatus#SHUTDOWN}, in parallel, waiting at most a second for the
 * closes.
 *
 * @author wshub
 */
public class LocalSessions implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(LocalSessions.class);

	/**
	 * Most time {@link #stop()} waits for the sessions still open to close.
	 */
	private static final Duration STOP_CLOSE_TIMEOUT = Duration.ofSeconds(1);

	private final String instanceId;

	private final SessionSettings settings;

	private final LocalTopicRegistry registry;

	private final DispatchLanes lanes;

	private final Map<String, HubSession> sessions = new ConcurrentHashMap<>();

	private final Map<String, Set<HubSession>> sessionsByUser = new ConcurrentHashMap<>();

	private final AnonymousSessions anonymousSessions;

	private final AtomicInteger admitted = new AtomicInteger();

	private final SessionHeartbeat heartbeat;

	private final Object lifecycleMonitor = new Object();

	private volatile State state = State.STARTING;

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	private volatile @Nullable ConnectionRegistry connectionRegistry;

	private int phase = DEFAULT_PHASE - 3072;

	/**
	 * Create the directory.
	 * @param instanceId this instance's id
	 * @param settings per-session limits and heartbeat timing
	 * @param registry the local topic registry, which forgets the sessions that close
	 * @param lanes the lanes that order each session's replies
	 */
	public LocalSessions(String instanceId, SessionSettings settings, LocalTopicRegistry registry,
			DispatchLanes lanes) {
		Assert.hasText(instanceId, "'instanceId' must not be empty");
		Assert.notNull(settings, "'settings' must not be null");
		Assert.notNull(registry, "'registry' must not be null");
		Assert.notNull(lanes, "'lanes' must not be null");
		this.instanceId = instanceId;
		this.settings = settings;
		this.registry = registry;
		this.lanes = lanes;
		this.anonymousSessions = new AnonymousSessions(settings.maxAnonymousSessionsPerAddress());
		this.heartbeat = new SessionHeartbeat(this.sessions.values(), settings.pingInterval(),
				settings.pongTimeout());
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
	 * Return the id of this instance.
	 * @return the instance id
	 */
	public String getInstanceId() {
		return this.instanceId;
	}

	/**
	 * Return the per-session limits and heartbeat timing.
	 * @return the settings
	 */
	public SessionSettings getSettings() {
		return this.settings;
	}

	/**
	 * Return the lifecycle state of this instance's hub.
	 * @return the state
	 */
	public State getState() {
		return this.state;
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

	/**
	 * Admit a connection that just opened, or close it: with {@link HubCloseStatus#SHUTDOWN}
	 * unless the hub is running, {@link HubCloseStatus#INSTANCE_FULL} when this instance is
	 * full, {@link HubCloseStatus#TOO_MANY_SESSIONS} when its user, or for an anonymous session
	 * its client address, holds as many sessions as allowed. Called on the thread that opens the
	 * connection, before any frame of it is handled.
	 * @param transport the connection
	 * @param user the user the handshake resolved, or {@code null} for an anonymous session
	 * @param address the client address, or {@code null} when unknown; an anonymous session
	 * counts against it until it closes
	 * @return the session, or {@code null} when the connection was refused
	 */
	public @Nullable HubSession open(SessionTransport transport, @Nullable String user, @Nullable String address) {
		if (this.state != State.RUNNING) {
			closeQuietly(transport, HubCloseStatus.SHUTDOWN);
			return null;
		}
		if (this.admitted.incrementAndGet() > this.settings.maxSessions()) {
			return refuse(transport, HubCloseStatus.INSTANCE_FULL);
		}
		String anonymousAddress = (user == null) ? address : null;
		HubSession session = new HubSession(transport, user, anonymousAddress, this.lanes.executor(transport.getId()),
				this.instrumentation);
		if (!admitUser(session)) {
			return refuse(transport, HubCloseStatus.TOO_MANY_SESSIONS);
		}
		if (anonymousAddress != null && !this.anonymousSessions.admit(anonymousAddress, session)) {
			return refuse(transport, HubCloseStatus.TOO_MANY_SESSIONS);
		}
		// Register before the session becomes reachable through this.sessions: any close of it,
		// on whichever thread, then reaches the connection registry after the open.
		ConnectionRegistry connectionRegistry = this.connectionRegistry;
		if (connectionRegistry != null) {
			connectionRegistry.sessionOpened(session.getId(), user);
		}
		this.sessions.put(session.getId(), session);
		return session;
	}

	private @Nullable HubSession refuse(SessionTransport transport, HubCloseStatus status) {
		this.admitted.decrementAndGet();
		closeQuietly(transport, status);
		this.instrumentation.sessionClosed(status);
		return null;
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

	/**
	 * Forget a session whose connection closed, whichever side closed it: it leaves every
	 * topic, its admission is released, and the connection registry is told. Called by the
	 * transport on whichever thread saw the close; only the first call for a session does
	 * anything.
	 * @param sessionId the session id
	 * @param status the close status
	 */
	public void close(String sessionId, HubCloseStatus status) {
		HubSession session = this.sessions.remove(sessionId);
		if (session != null) {
			// Mark first, then unsubscribe: a subscribe in flight on another thread either sees
			// the mark or has added its topic before unsubscribeAll copies the topics.
			session.markClosed();
			this.admitted.decrementAndGet();
			releaseUser(session);
			String anonymousAddress = session.anonymousAddress();
			if (anonymousAddress != null) {
				this.anonymousSessions.release(anonymousAddress, session);
			}
			this.registry.unsubscribeAll(session);
			ConnectionRegistry connectionRegistry = this.connectionRegistry;
			if (connectionRegistry != null) {
				connectionRegistry.sessionClosed(session.getId(), session.getUser());
			}
			this.instrumentation.sessionClosed(status);
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
			this.heartbeat.start();
			this.state = State.RUNNING;
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (this.state == State.STARTING) {
				return;
			}
			this.state = State.STOPPED;
			this.heartbeat.stop();
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

	private static void closeQuietly(SessionTransport transport, HubCloseStatus status) {
		try {
			transport.close(status);
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
