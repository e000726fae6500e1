package io.github.wshub.redis;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Time limits of in-flight publishes, checked by one periodic sweep instead of a timer task per
 * publish.
 * <p>
 * {@link CompletableFuture#orTimeout} schedules a task on a shared delay scheduler for every
 * future and wakes that scheduler's thread each time; on the publish path of a busy instance (one
 * publish per client message) those wake-ups were measurable. Here a publish costs one queue
 * insertion: publishes share one timeout and are registered in the order they are sent, so their
 * deadlines are (nearly) ordered, and a sweep only looks at the head of the queue. A publish is
 * failed at most one sweep interval after its deadline.
 * <p>
 * {@link #add} may be called from any thread; {@link #sweep} from one thread at a time.
 *
 * @author wshub
 */
final class PublishDeadlines {

	private final Queue<Entry> entries = new ConcurrentLinkedQueue<>();

	private final long timeoutNanos;

	private final LongSupplier nanoClock;

	PublishDeadlines(Duration timeout) {
		this(timeout, System::nanoTime);
	}

	PublishDeadlines(Duration timeout, LongSupplier nanoClock) {
		this.timeoutNanos = timeout.toNanos();
		this.nanoClock = nanoClock;
	}

	/**
	 * Fail the given future with a {@link TimeoutException} if it is not complete when the
	 * timeout has passed.
	 * @param <T> the result type
	 * @param future the future of a publish just sent
	 * @return the same future
	 */
	<T> CompletableFuture<T> add(CompletableFuture<T> future) {
		if (!future.isDone()) {
			this.entries.add(new Entry(future, this.nanoClock.getAsLong() + this.timeoutNanos));
		}
		return future;
	}

	/**
	 * Forget completed publishes and fail the ones past their deadline, from the head of the
	 * queue up to the first one still within its time.
	 * @return how many publishes were failed
	 */
	int sweep() {
		long now = this.nanoClock.getAsLong();
		int expired = 0;
		Entry head;
		while ((head = this.entries.peek()) != null) {
			if (!head.future.isDone()) {
				if (now - head.deadline < 0) {
					break;
				}
				if (head.future.completeExceptionally(new TimeoutException(
						"No reply from Redis within " + Duration.ofNanos(this.timeoutNanos).toMillis() + " ms"))) {
					expired++;
				}
			}
			this.entries.poll();
		}
		return expired;
	}

	/**
	 * Return how many publishes are tracked, completed ones not yet swept included.
	 * @return the number of entries
	 */
	int size() {
		return this.entries.size();
	}

	/**
	 * Stop tracking every publish; the ones still in flight complete however Redis answers.
	 */
	void clear() {
		this.entries.clear();
	}

	private record Entry(CompletableFuture<?> future, long deadline) {
	}

}
