package io.github.wshub.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.BrokerUnavailableException;

/**
 * The broker's view of every topic's channel, and the queue of topics whose view changed. Per
 * topic it keeps whether local sessions want the channel, whether Redis holds it, the future
 * of subscribers waiting for Redis' confirmation, when the unsubscribe grace ends, and whether
 * Redis may hold the channel although the broker does not (dirty).
 * <p>
 * Every change of a topic happens inside {@link ConcurrentHashMap#compute} on that topic, and
 * every change that calls for Redis queues the topic for the {@link SubscriptionReconciler},
 * which re-reads the state before it acts ({@link #plan}). So the calls of
 * {@link #subscribe} and {@link #unsubscribe}, which never block, can come from any thread in
 * any interleaving, and Redis converges to "subscribed if and only if wanted".
 *
 * @author wshub
 */
final class TopicChannels {

	// Not a valid topic name: queued to ask the subscription thread to re-subscribe everything.
	private static final String RESUBSCRIBE_ALL = "";

	private final ConcurrentHashMap<String, ChannelState> channels = new ConcurrentHashMap<>();

	private final LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>();

	private final Duration unsubscribeGrace;

	private final Duration subscribeTimeout;

	private volatile @Nullable ScheduledExecutorService timer;

	/**
	 * Create the view.
	 * @param unsubscribeGrace how long a channel stays held after its last local subscriber left
	 * @param subscribeTimeout how long a subscribe may wait for Redis' confirmation
	 */
	TopicChannels(Duration unsubscribeGrace, Duration subscribeTimeout) {
		this.unsubscribeGrace = unsubscribeGrace;
		this.subscribeTimeout = subscribeTimeout;
	}

	/**
	 * Start timing grace periods and retries on the broker's timer; until then, and after
	 * {@link #stop}, a channel is released without a grace period.
	 * @param timer the timer
	 */
	void start(ScheduledExecutorService timer) {
		this.timer = timer;
	}

	/**
	 * Want a topic's channel.
	 * @param topic the topic
	 * @return a future completed once Redis holds the channel, or failed with a
	 * {@link BrokerUnavailableException} after the subscribe timeout or when Redis refused
	 */
	CompletableFuture<Void> subscribe(String topic) {
		@SuppressWarnings("unchecked")
		CompletableFuture<Void>[] result = new CompletableFuture[1];
		this.channels.compute(topic, (key, existing) -> {
			ChannelState state = (existing != null) ? existing : new ChannelState();
			state.wanted = true;
			if (state.held) {
				result[0] = CompletableFuture.completedFuture(null);
			}
			else {
				if (state.ready == null) {
					state.ready = new CompletableFuture<>();
				}
				result[0] = state.ready;
				enqueue(key, state);
			}
			return state;
		});
		CompletableFuture<Void> ready = result[0];
		if (ready.isDone()) {
			return ready;
		}
		return ready.copy().orTimeout(this.subscribeTimeout.toMillis(), TimeUnit.MILLISECONDS)
			.exceptionallyCompose((ex) -> CompletableFuture.failedFuture(unavailable(topic, ex)));
	}

	private static Throwable unavailable(String topic, Throwable ex) {
		Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
		if (cause instanceof BrokerUnavailableException) {
			return cause;
		}
		String reason = (cause instanceof TimeoutException) ? "timed out" : String.valueOf(cause.getMessage());
		return new BrokerUnavailableException("Redis subscription for topic '" + topic + "' failed: " + reason,
				cause);
	}

	/**
	 * No longer want a topic's channel: it is released after the grace period, unless wanted
	 * again meanwhile.
	 * @param topic the topic
	 */
	void unsubscribe(String topic) {
		this.channels.computeIfPresent(topic, (key, state) -> {
			state.wanted = false;
			state.releaseAt = System.nanoTime() + this.unsubscribeGrace.toNanos();
			if (this.unsubscribeGrace.isZero() || !schedule(() -> requeue(key), this.unsubscribeGrace)) {
				state.releaseAt = 0;
				enqueue(key, state);
			}
			return state;
		});
	}

	private void requeue(String topic) {
		this.channels.computeIfPresent(topic, (key, state) -> {
			enqueue(key, state);
			return state;
		});
	}

	// Called inside compute(): the queue never blocks on add.
	private void enqueue(String topic, ChannelState state) {
		if (!state.queued) {
			state.queued = true;
			this.pending.add(topic);
		}
	}

	private void requeueLater(String topic) {
		schedule(() -> requeue(topic), RedisTopicBroker.RETRY_INTERVAL);
	}

	private boolean schedule(Runnable task, Duration delay) {
		ScheduledExecutorService currentTimer = this.timer;
		if (currentTimer == null) {
			return false;
		}
		try {
			currentTimer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (RejectedExecutionException ex) {
			// The broker stopped.
			return false;
		}
	}

	/**
	 * Queue a request to subscribe every held channel again, behind the topics queued so far.
	 */
	void requestResubscribe() {
		this.pending.add(RESUBSCRIBE_ALL);
	}

	/**
	 * Take the next batch of queued topics, waiting up to 200 ms for the first.
	 * @param max the most topics to take
	 * @return the batch, or {@code null} when nothing was queued
	 * @throws InterruptedException if interrupted while waiting
	 */
	@Nullable Batch take(int max) throws InterruptedException {
		String first = this.pending.poll(200, TimeUnit.MILLISECONDS);
		if (first == null) {
			return null;
		}
		List<String> topics = new ArrayList<>();
		topics.add(first);
		this.pending.drainTo(topics, max - 1);
		boolean resubscribe = topics.removeIf(RESUBSCRIBE_ALL::equals);
		return new Batch(topics, resubscribe);
	}

	/**
	 * Decide, from each topic's current state, what Redis must do, and complete the
	 * subscribers that need nothing from Redis. A topic released here counts as not held from
	 * now on, and as dirty until {@link #removed} reports its UNSUBSCRIBE.
	 * @param batch the topics taken from the queue
	 * @return the channels to subscribe, to unsubscribe, and to unsubscribe again after a
	 * failure
	 */
	Plan plan(List<String> batch) {
		List<String> toAdd = new ArrayList<>();
		List<String> toRemove = new ArrayList<>();
		List<String> toRepair = new ArrayList<>();
		List<CompletableFuture<Void>> confirmed = new ArrayList<>();
		for (String topic : batch) {
			this.channels.computeIfPresent(topic, (key, state) -> {
				state.queued = false;
				// Read under the topic's lock: a grace re-check that found the topic still queued
				// (taken off the queue, not yet reconciled) ran before this, so its time has come.
				long now = System.nanoTime();
				if (state.wanted) {
					if (!state.held) {
						toAdd.add(key);
					}
					else if (state.ready != null) {
						confirmed.add(state.ready);
						state.ready = null;
					}
				}
				else if (state.held && now - state.releaseAt >= 0) {
					// Marked released before Redis is told, so a subscribe from now on waits for a
					// fresh SUBSCRIBE instead of trusting a channel that is about to go; dirty
					// until the UNSUBSCRIBE went through.
					state.held = false;
					state.dirty = true;
					toRemove.add(key);
				}
				else if (!state.held && state.dirty) {
					toRepair.add(key);
				}
				if (!state.wanted && !state.held && state.ready != null) {
					// Wanted and unwanted again before Redis was asked: nothing left to wait for.
					confirmed.add(state.ready);
					state.ready = null;
				}
				return state.isIdle() ? null : state;
			});
		}
		confirmed.forEach((future) -> future.complete(null));
		return new Plan(toAdd, toRemove, toRepair);
	}

	/**
	 * Record the outcome of an UNSUBSCRIBE. Channels Redis may still hold are dirty and queued
	 * again after the retry interval, unless wanted again.
	 * @param topics the topics
	 * @param removed whether Redis confirmed it
	 */
	void removed(List<String> topics, boolean removed) {
		for (String topic : topics) {
			this.channels.computeIfPresent(topic, (key, state) -> {
				state.dirty = !removed && !state.held;
				if (state.dirty && !state.wanted) {
					requeueLater(key);
				}
				return state.isIdle() ? null : state;
			});
		}
	}

	/**
	 * Record the outcome of a SUBSCRIBE and complete its waiting subscribers.
	 * @param topics the topics
	 * @param failure why Redis did not confirm it, or {@code null} if it did
	 * @param cleanedUp after a failure, whether the container's listener for the channels was
	 * removed again; if not, Redis may still take the SUBSCRIBE and hold them
	 */
	void added(List<String> topics, @Nullable RuntimeException failure, boolean cleanedUp) {
		boolean subscribed = (failure == null);
		// A SUBSCRIBE that was sent but not confirmed may still take effect in Redis.
		boolean mayBeHeld = !subscribed && !cleanedUp;
		List<CompletableFuture<Void>> done = new ArrayList<>();
		for (String topic : topics) {
			this.channels.compute(topic, (key, existing) -> {
				ChannelState state = (existing != null) ? existing : new ChannelState();
				if (state.ready != null) {
					done.add(state.ready);
					state.ready = null;
				}
				state.held = subscribed;
				state.dirty = mayBeHeld;
				if (subscribed && !state.wanted) {
					// Unwanted while SUBSCRIBE was in flight: release it (after its grace).
					enqueue(key, state);
				}
				else if (mayBeHeld && !state.wanted) {
					requeueLater(key);
				}
				return state.isIdle() ? null : state;
			});
		}
		if (subscribed) {
			done.forEach((future) -> future.complete(null));
		}
		else {
			BrokerUnavailableException ex = new BrokerUnavailableException("Redis did not confirm the subscription",
					failure);
			done.forEach((future) -> future.completeExceptionally(ex));
		}
	}

	/**
	 * Fail the subscribers of every queued topic that Redis does not hold, and empty the
	 * queue but for a queued confirmation: Redis cannot be reached.
	 */
	void failWaiting() {
		List<String> batch = new ArrayList<>();
		this.pending.drainTo(batch);
		if (batch.removeIf(RESUBSCRIBE_ALL::equals)) {
			// Not a subscriber to fail: a confirmation still owed once Redis is back.
			this.pending.add(RESUBSCRIBE_ALL);
		}
		List<CompletableFuture<Void>> failed = new ArrayList<>();
		for (String topic : batch) {
			this.channels.computeIfPresent(topic, (key, state) -> {
				state.queued = false;
				if (state.ready != null && !state.held) {
					failed.add(state.ready);
					state.ready = null;
				}
				return state.isIdle() ? null : state;
			});
		}
		BrokerUnavailableException ex = new BrokerUnavailableException("Redis is not reachable", null);
		failed.forEach((future) -> future.completeExceptionally(ex));
	}

	/**
	 * Return the topics whose channel Redis holds.
	 * @return a sorted snapshot
	 */
	Set<String> heldTopics() {
		Set<String> topics = new TreeSet<>();
		this.channels.forEach((topic, state) -> {
			if (state.held) {
				topics.add(topic);
			}
		});
		return topics;
	}

	/**
	 * Forget every topic and the timer, and fail every waiting subscriber: the broker stopped.
	 */
	void stop() {
		this.timer = null;
		List<CompletableFuture<Void>> waiting = new ArrayList<>();
		this.channels.forEach((topic, state) -> {
			if (state.ready != null) {
				waiting.add(state.ready);
			}
		});
		this.channels.clear();
		this.pending.clear();
		BrokerUnavailableException ex = new BrokerUnavailableException("Redis broker stopped", null);
		waiting.forEach((future) -> future.completeExceptionally(ex));
	}

	/**
	 * Topics taken from the queue.
	 *
	 * @param topics the topics
	 * @param resubscribe whether every held channel is to be subscribed again
	 */
	record Batch(List<String> topics, boolean resubscribe) {
	}

	/**
	 * What Redis must do for a batch.
	 *
	 * @param toAdd channels to subscribe
	 * @param toRemove channels to unsubscribe
	 * @param toRepair channels whose UNSUBSCRIBE failed before, to unsubscribe again
	 */
	record Plan(List<String> toAdd, List<String> toRemove, List<String> toRepair) {
	}

	/**
	 * Wanted and held state of one topic's channel. Only read and written inside
	 * {@code channels.compute(...)}, which serializes access per topic.
	 */
	private static final class ChannelState {

		boolean wanted;

		boolean held;

		boolean queued;

		// An UNSUBSCRIBE is under way or failed (or the clean-up of an unconfirmed SUBSCRIBE
		// failed): Redis may hold the channel although the broker does not consider it held.
		boolean dirty;

		long releaseAt;

		@Nullable CompletableFuture<Void> ready;

		boolean isIdle() {
			return !this.wanted && !this.held && !this.queued && !this.dirty && this.ready == null;
		}

	}

}
