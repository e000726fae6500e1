package io.github.wshub.session;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.dispatch.HubThreads;
import io.github.wshub.protocol.HubCloseStatus;


/**
 * Pings the local sessions on a thread of its own, {@code hub-heartbeat-1}: every
 * {@code max(50 ms, min(ping-interval, pong-timeout) / 4)} it sends a ping to each session whose
 * last ping is {@code hub.session.ping-interval} old and was answered, and closes each session
 * that has not answered its ping within {@code hub.session.pong-timeout} with
 * {@link HubCloseStatus#PING_TIMEOUT}. Any frame from a client counts as an answer.
 * <p>
 * Started and stopped by {@link LocalSessions}, under its lifecycle monitor.
 *
 * @author wshub
 */
final class SessionHeartbeat {

	private static final Log logger = LogFactory.getLog(SessionHeartbeat.class);

	private final Collection<HubSession> sessions;

	private final Duration pingInterval;

	private final Duration pongTimeout;

	private @Nullable ScheduledExecutorService executor;

	/**
	 * Create a heartbeat.
	 * @param sessions a live view of the sessions to ping
	 * @param pingInterval how often each session is pinged
	 * @param pongTimeout how long a session may take to answer a ping
	 */
	SessionHeartbeat(Collection<HubSession> sessions, Duration pingInterval, Duration pongTimeout) {
		this.sessions = sessions;
		this.pingInterval = pingInterval;
		this.pongTimeout = pongTimeout;
	}

	void start() {
		ThreadFactory threadFactory = HubThreads.daemon("hub-heartbeat-");
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(threadFactory);
		long tick = Math.max(50, Math.min(this.pingInterval.toMillis(), this.pongTimeout.toMillis()) / 4);
		executor.scheduleWithFixedDelay(this::sweepSafely, tick, tick, TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	void stop() {
		ScheduledExecutorService executor = this.executor;
		if (executor != null) {
			executor.shutdownNow();
			this.executor = null;
		}
	}

	private void sweepSafely() {
		try {
			sweep();
		}
		catch (RuntimeException ex) {
			logger.error("Heartbeat sweep failed", ex);
		}
	}

	private void sweep() {
		long now = System.nanoTime();
		long pingInterval = this.pingInterval.toNanos();
		long pongTimeout = this.pongTimeout.toNanos();
		for (HubSession session : this.sessions) {
			if (session.pongOverdue(now, pongTimeout)) {
				session.close(HubCloseStatus.PING_TIMEOUT);
			}
			else if (session.pingDue(now, pingInterval)) {
				session.pingSent(now);
				session.sendPing();
			}
		}
	}

}
