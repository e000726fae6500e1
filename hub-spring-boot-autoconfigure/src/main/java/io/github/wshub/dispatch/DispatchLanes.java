package io.github.wshub.dispatch;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ThreadFactory;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.Assert;

/**
 * A fixed set of single-threaded lanes. Tasks submitted with the same key always run on the
 * same lane, one after another in submission order, while different keys run in parallel. The
 * hub keys topic fan-out by topic (so every subscriber sees a topic's messages in broker order)
 * and replies by session (so a session's acknowledgements keep their order).
 * <p>
 * Each lane's queue is bounded; a task that does not fit is dropped, counted and logged, so a
 * burst can never exhaust memory.
 *
 * @author wshub
 */
public final class DispatchLanes {

	private static final Log logger = LogFactory.getLog(DispatchLanes.class);

	private static final long BARRIER_RETRY_MILLIS = 5;

	private static final Duration CLOSE_GRACE = Duration.ofMillis(500);

	private final ThreadPoolExecutor[] lanes;

	private final AtomicLong rejected = new AtomicLong();

	/**
	 * Create lanes.
	 * @param laneCount the number of lanes (threads)
	 * @param queueCapacity the maximum number of waiting tasks per lane
	 * @param threadNamePrefix the prefix of the lane threads' names
	 */
	public DispatchLanes(int laneCount, int queueCapacity, String threadNamePrefix) {
		Assert.isTrue(laneCount > 0, "'laneCount' must be positive");
		Assert.isTrue(queueCapacity > 0, "'queueCapacity' must be positive");
		ThreadFactory threadFactory = HubThreads.daemon(threadNamePrefix);
		this.lanes = new ThreadPoolExecutor[laneCount];
		for (int i = 0; i < laneCount; i++) {
			this.lanes[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
					new LinkedBlockingQueue<>(queueCapacity), threadFactory);
			// A fixed set of threads from the start: no first-message delay, a stable thread count.
			this.lanes[i].prestartAllCoreThreads();
		}
	}

	/**
	 * Run a task on the lane of {@code key}, after every task submitted earlier with a key of
	 * the same lane.
	 * @param key the ordering key
	 * @param task the task
	 * @return {@code true} if the task was queued, {@code false} if the lane was full or shut
	 * down and the task was dropped
	 */
	public boolean execute(String key, Runnable task) {
		try {
			lane(key).execute(() -> runSafely(task));
			return true;
		}
		catch (RejectedExecutionException ex) {
			long count = this.rejected.incrementAndGet();
			if (Long.bitCount(count) == 1) {
				// Log the 1st, 2nd, 4th, 8th... rejection: visible, but never a log storm.
				logger.warn("Dispatch lane for '" + key + "' is full or stopped; dropped " + count
						+ " task(s) so far");
			}
			return false;
		}
	}

	/**
	 * Return an executor that runs tasks on the lane of {@code key}. A task that does not fit
	 * is counted and logged like in {@link #execute(String, Runnable)}, and the executor throws
	 * {@link RejectedExecutionException}, so a {@code CompletableFuture} stage run on it
	 * completes exceptionally rather than never.
	 * @param key the ordering key
	 * @return the executor
	 */
	public Executor executor(String key) {
		return (task) -> {
			if (!execute(key, task)) {
				throw new RejectedExecutionException("Dispatch lane for '" + key + "' is full or stopped");
			}
		};
	}

	/**
	 * Return a future completed once every lane has run every task queued before this call.
	 * Never drops the marker while there is time: when a lane is full, the marker is offered
	 * again every few milliseconds until it fits. This call returns within {@code timeout}: if a
	 * lane stays full until then, the future is completed exceptionally with a
	 * {@link TimeoutException}. A lane blocked in a task may run its marker late, so wait for
	 * the future with a timeout too.
	 * @param timeout how long to keep offering the marker to a full lane
	 * @return the future
	 */
	public CompletableFuture<Void> barrier(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		CompletableFuture<Void> done = new CompletableFuture<>();
		AtomicInteger remaining = new AtomicInteger(this.lanes.length);
		Runnable marker = () -> {
			if (remaining.decrementAndGet() == 0) {
				done.complete(null);
			}
		};
		for (ThreadPoolExecutor lane : this.lanes) {
			if (!offer(lane, marker, deadline, done)) {
				break;
			}
		}
		return done;
	}

	// Offers the marker until it fits or the deadline passes; on failure completes 'done'.
	private static boolean offer(ThreadPoolExecutor lane, Runnable marker, long deadline,
			CompletableFuture<Void> done) {
		while (true) {
			try {
				lane.execute(marker);
				return true;
			}
			catch (RejectedExecutionException ex) {
				long left = deadline - System.nanoTime();
				if (lane.isShutdown() || left <= 0) {
					done.completeExceptionally(lane.isShutdown() ? ex
							: new TimeoutException("A dispatch lane stayed full until the barrier's timeout"));
					return false;
				}
				try {
					Thread.sleep(Math.max(1, Math.min(BARRIER_RETRY_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					done.completeExceptionally(interrupted);
					return false;
				}
			}
		}
	}

	/**
	 * Return how many tasks wait in all lanes.
	 * @return the number of queued tasks
	 */
	public int queuedTasks() {
		int queued = 0;
		for (ThreadPoolExecutor lane : this.lanes) {
			queued += lane.getQueue().size();
		}
		return queued;
	}

	/**
	 * Return how many tasks were dropped because a lane was full or stopped.
	 * @return the number of dropped tasks
	 */
	public long rejectedTasks() {
		return this.rejected.get();
	}

	/**
	 * Return the number of lanes.
	 * @return the lane count
	 */
	public int laneCount() {
		return this.lanes.length;
	}

	/**
	 * Let queued tasks finish, waiting at most {@code timeout}, then stop the lanes,
	 * interrupting the tasks still running and dropping the ones still queued.
	 * @param timeout how long to wait for queued tasks
	 */
	public void shutdown(Duration timeout) {
		for (ThreadPoolExecutor lane : this.lanes) {
			lane.shutdown();
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		for (ThreadPoolExecutor lane : this.lanes) {
			try {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0 || !lane.awaitTermination(remaining, TimeUnit.NANOSECONDS)) {
					lane.shutdownNow();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				lane.shutdownNow();
			}
		}
	}

	/**
	 * Stop the lanes after letting queued tasks run for up to half a second, then interrupt
	 * the tasks still running. The hub's sessions are all closed by then (the bean is
	 * destroyed after every lifecycle stopped), so queued tasks have nothing left to deliver,
	 * and a task still running is blocked in a write to a closed connection: Tomcat does not
	 * wake such a write before its timeout, an interrupt does.
	 */
	public void close() {
		shutdown(CLOSE_GRACE);
	}

	private ThreadPoolExecutor lane(String key) {
		int hash = key.hashCode() * 0x9E3779B9;
		return this.lanes[Math.floorMod(hash ^ (hash >>> 16), this.lanes.length)];
	}

	private static void runSafely(Runnable task) {
		try {
			task.run();
		}
		catch (Throwable ex) {
			logger.error("Dispatch task failed", ex);
		}
	}

}
