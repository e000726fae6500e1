package io.github.wshub.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ThreadFactory;

import io.github.wshub.dispatch.HubThreads;
import io.github.wshub.protocol.HubCloseStatus;


/**
 * Closes sessions on threads of its own, up to 16 at once, so that a few closes that block hold
 * up no other close, and the caller waits for closes only until a deadline. A close can block:
 * Tomcat writes the close frame synchronously (giving up after 50 ms for a code other than 1000)
 * and Spring's Jetty adapter waits until the frame is written, so a client that stopped reading
 * makes it wait. A session may first be given until a deadline to write its queued messages,
 * polled without holding a thread.
 * <p>
 * Used by one thread at a time; the threads are daemon threads and end with {@link #shutdown()},
 * letting closes that started finish on their own.
 *
 * @author wshub
 */
final class SessionCloser {

	private static final int THREADS = 16;

	private static final long FLUSH_POLL_MILLIS = 5;

	private final ScheduledThreadPoolExecutor executor;

	private final List<CompletableFuture<Void>> closes = new ArrayList<>();

	SessionCloser() {
		ThreadFactory threadFactory = HubThreads.daemon("hub-close-");
		this.executor = new ScheduledThreadPoolExecutor(THREADS, threadFactory);
	}

	/**
	 * Close the given sessions at once and wait for the closes at most {@code timeout}.
	 * @param sessions the sessions
	 * @param status the close status
	 * @param timeout how long to wait for the closes
	 * @return the number of closes still running after the timeout
	 */
	static int closeAll(Collection<HubSession> sessions, HubCloseStatus status, Duration timeout) {
		if (sessions.isEmpty()) {
			return 0;
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		SessionCloser closer = new SessionCloser();
		try {
			for (HubSession session : sessions) {
				closer.close(session, status);
			}
			return closer.await(deadline);
		}
		finally {
			closer.shutdown();
		}
	}

	/**
	 * Close a session now, without waiting for the messages queued for it. Returns at once.
	 * @param session the session
	 * @param status the close status
	 */
	void close(HubSession session, HubCloseStatus status) {
		closeWhenFlushed(session, status, System.nanoTime());
	}

	/**
	 * Close a session once the messages queued for it are written, or at {@code flushDeadline}
	 * (a {@link System#nanoTime()} value), whichever comes first. Returns at once.
	 * @param session the session
	 * @param status the close status
	 * @param flushDeadline when to stop waiting for the queued messages
	 */
	void closeWhenFlushed(HubSession session, HubCloseStatus status, long flushDeadline) {
		CompletableFuture<Void> closed = new CompletableFuture<>();
		this.closes.add(closed);
		this.executor.execute(() -> pollThenClose(session, status, flushDeadline, closed));
	}

	private void pollThenClose(HubSession session, HubCloseStatus status, long flushDeadline,
			CompletableFuture<Void> closed) {
		if (session.isOpen() && session.getBufferedBytes() > 0 && System.nanoTime() - flushDeadline < 0) {
			try {
				this.executor.schedule(() -> pollThenClose(session, status, flushDeadline, closed), FLUSH_POLL_MILLIS,
						TimeUnit.MILLISECONDS);
				return;
			}
			catch (RejectedExecutionException ex) {
				// Shut down meanwhile: close now rather than never.
			}
		}
		try {
			session.close(status);
		}
		finally {
			closed.complete(null);
		}
	}

	/**
	 * Wait until every close requested so far has returned, or until {@code deadline} (a
	 * {@link System#nanoTime()} value).
	 * @param deadline when to stop waiting
	 * @return the number of closes not returned yet
	 */
	int await(long deadline) {
		try {
			CompletableFuture.allOf(this.closes.toArray(new CompletableFuture<?>[0]))
				.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (TimeoutException | ExecutionException ex) {
			// Closes never fail (HubSession.close does not throw); the ones not done are counted below.
		}
		return (int) this.closes.stream().filter((closed) -> !closed.isDone()).count();
	}

	/**
	 * Stop taking closes. Closes already requested still run, on daemon threads that nobody
	 * waits for.
	 */
	void shutdown() {
		this.executor.shutdown();
	}

}
