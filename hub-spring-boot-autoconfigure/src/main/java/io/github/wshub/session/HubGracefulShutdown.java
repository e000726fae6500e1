package io.github.wshub.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.protocol.HubCloseStatus;

import org.springframework.context.SmartLifecycle;

/**
 * Drains the hub when the application stops, losing nothing it accepted:
 * <ol>
 * <li>new handshakes are refused with 503 and the drain listener is told (the auto-configuration
 * turns Spring Boot's readiness to {@code REFUSING_TRAFFIC} there), so load balancers send new
 * clients elsewhere;</li>
 * <li>it waits until every message published before the stop has reached this instance (a
 * round trip through the broker) and left the dispatch lanes;</li>
 * <li>it closes the sessions with {@link HubCloseStatus#SHUTDOWN} (4000, "reconnect") in batches
 * spread over the drain period, so clients do not all reconnect to the other instances at the
 * same instant; once none of the sessions left is open (their clients left on their own), the
 * drain stops pausing. Each session's queued messages are flushed before it is closed. Sessions still
 * open keep receiving messages: Redis subscriptions and delivery stay alive until the last one
 * is closed.</li>
 * </ol>
 * The timeout bounds the whole drain: every wait (the round trip, each barrier through the
 * lanes, each flush) ends a second before it (a quarter of the timeout, when that is shorter);
 * then every session not closed yet is closed without waiting for its queue. Closes run on a
 * few threads of their own, so a client that stopped reading, whose close blocks, holds up no
 * other; the drain waits for them until the timeout and then returns.
 * Its phase ({@code Integer.MAX_VALUE - 512}) stops it before the web server's graceful shutdown
 * ({@code MAX_VALUE - 1024}), the web server ({@code MAX_VALUE - 2048}), the {@link LocalSessions},
 * the connection registry (which then deregisters the instance), the broker (which then
 * unsubscribes) and the Redis connection factory (phase 0). It runs on a plain SIGTERM as on
 * {@code server.shutdown=graceful}: both close the application context.
 *
 * @author wshub
 */
public class HubGracefulShutdown implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(HubGracefulShutdown.class);

	private static final Duration CLOSE_RESERVE = Duration.ofSeconds(1);

	// How often a pause between two batches looks whether any session is left to close.
	private static final long PAUSE_SLICE_MILLIS = 50;

	private final LocalSessions sessions;

	private final TopicBroker broker;

	private final DispatchLanes lanes;

	private final Runnable drainStarted;

	private final Duration drainPeriod;

	private final Duration timeout;

	private volatile boolean running;

	/**
	 * Create the shutdown lifecycle.
	 * @param sessions the sessions to drain
	 * @param broker the broker, for the delivery round trip
	 * @param lanes the dispatch lanes, flushed before sessions close
	 * @param drainStarted called once when the drain begins, after new handshakes are refused
	 * @param drainPeriod the time over which session closes are spread
	 * @param timeout the most the whole drain may take
	 */
	public HubGracefulShutdown(LocalSessions sessions, TopicBroker broker, DispatchLanes lanes,
			Runnable drainStarted, Duration drainPeriod, Duration timeout) {
		org.springframework.util.Assert.isTrue(!drainPeriod.isNegative(), "'drainPeriod' must not be negative");
		org.springframework.util.Assert.isTrue(timeout.compareTo(drainPeriod) >= 0 && !timeout.isZero(),
				"'timeout' must be positive and at least the drain period");
		this.sessions = sessions;
		this.broker = broker;
		this.lanes = lanes;
		this.drainStarted = drainStarted;
		this.drainPeriod = drainPeriod;
		this.timeout = timeout;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		drain();
	}

	private void drain() {
		long start = System.nanoTime();
		long deadline = start + this.timeout.toNanos();
		// The end of the timeout is kept for closing whatever is still open then.
		long waitDeadline = deadline - Math.min(CLOSE_RESERVE.toNanos(), this.timeout.toNanos() / 4);
		this.sessions.beginDrain();
		this.drainStarted.run();
		List<HubSession> sessions = new ArrayList<>(this.sessions.getSessions());
		logger.info("Draining " + sessions.size() + " WebSocket session(s) over " + this.drainPeriod.toMillis() + " ms");
		awaitInFlightMessages(waitDeadline);
		int batches = (int) Math.max(1, Math.min(sessions.size(), this.drainPeriod.toMillis() / 100));
		int batchSize = (sessions.isEmpty()) ? 0 : (sessions.size() + batches - 1) / batches;
		long pause = (batches > 1) ? this.drainPeriod.toNanos() / batches : 0;
		SessionCloser closer = new SessionCloser();
		try {
			int from = 0;
			for (int batch = 0; from < sessions.size() && System.nanoTime() - waitDeadline < 0; batch++) {
				if (batch > 0 && !pauseUntil(Math.min(start + batch * pause, waitDeadline),
						sessions.subList(from, sessions.size()))) {
					// Every session still to close has closed itself: nothing is left to spread.
					from = sessions.size();
					break;
				}
				List<HubSession> current = sessions.subList(from, Math.min(from + batchSize, sessions.size()));
				// A last look at what reached the lanes meanwhile; then each session is closed once
				// its queue is written, on the closer's threads, so a client that stopped reading
				// holds up no other.
				awaitLanes(waitDeadline);
				for (HubSession session : current) {
					closer.closeWhenFlushed(session, HubCloseStatus.SHUTDOWN, waitDeadline);
				}
				from += current.size();
			}
			// Out of time: close the rest without waiting for their queues.
			for (HubSession session : sessions.subList(from, sessions.size())) {
				closer.close(session, HubCloseStatus.SHUTDOWN);
			}
			int unclosed = closer.await(deadline);
			if (unclosed > 0) {
				logger.warn(unclosed + " WebSocket session(s) were still closing at the shutdown timeout; "
						+ "not waiting for them");
			}
		}
		finally {
			closer.shutdown();
		}
		this.sessions.finishDrain();
		logger.info("Drained " + sessions.size() + " WebSocket session(s) in "
				+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
	}

	private void awaitInFlightMessages(long deadline) {
		try {
			this.broker.roundTrip().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.warn("Could not confirm that in-flight messages reached this instance before draining: "
					+ causeOf(ex));
		}
		awaitLanes(deadline);
	}

	private void awaitLanes(long deadline) {
		if (System.nanoTime() - deadline >= 0) {
			return;
		}
		try {
			// The barrier returns within its timeout; the wait for it gets what is left then.
			CompletableFuture<Void> barrier = this.lanes.barrier(Duration.ofNanos(deadline - System.nanoTime()));
			barrier.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.warn("Dispatch lanes did not empty before the shutdown timeout: " + causeOf(ex));
		}
	}

	private static Throwable causeOf(Exception ex) {
		return (ex instanceof ExecutionException && ex.getCause() != null) ? ex.getCause() : ex;
	}

	private static long remainingMillis(long deadline) {
		return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
	}

	/**
	 * Wait until the next batch is due, or stop waiting as soon as none of the sessions still
	 * to close is open (their clients left on their own: the drain has nothing left to spread).
	 * @param nanoTime when the next batch is due
	 * @param remaining the sessions still to close
	 * @return {@code true} when the batch is due, {@code false} when none of them is open
	 */
	private static boolean pauseUntil(long nanoTime, List<HubSession> remaining) {
		while (anyOpen(remaining)) {
			long millis = TimeUnit.NANOSECONDS.toMillis(nanoTime - System.nanoTime());
			if (millis <= 0 || Thread.currentThread().isInterrupted()) {
				return true;
			}
			sleepMillis(Math.min(millis, PAUSE_SLICE_MILLIS));
		}
		return false;
	}

	// Stops at the first open session, which is usually the first one.
	private static boolean anyOpen(List<HubSession> sessions) {
		for (HubSession session : sessions) {
			if (!session.isClosed() && session.isOpen()) {
				return true;
			}
		}
		return false;
	}

	private static void sleepMillis(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return DEFAULT_PHASE - 512;
	}

}
