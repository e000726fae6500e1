package io.github.wshub.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.dispatch.HubThreads;

/**
 * The subscription thread, {@code hub-redis-subscriptions}: the only caller of the
 * {@link SubscriptionTransport} (the listener container, or sharded Pub/Sub), so the container
 * is never called concurrently (it has known races when it is).
 * <p>
 * It first subscribes the instance's control channel, retrying while Redis is unreachable and
 * failing the subscribers waiting meanwhile. Then it drains the {@link TopicChannels} queue in
 * batches, sends all subscribes of a batch as one {@code SUBSCRIBE} and all unsubscribes as one
 * {@code UNSUBSCRIBE}, and reports the outcome back; a failed call affects only its own topics.
 * On request ({@link #requestConfirmation()}) it subscribes the control channel and every held
 * channel again, then reopens the {@link PublishFence} once a ping made the round trip. Between
 * batches it lets the transport check and repair its subscriptions
 * ({@link SubscriptionTransport#maintain()}).
 * <p>
 * The container waits for Redis' confirmation of a {@code SUBSCRIBE} without a timeout; how long
 * the current call has run shows in {@link #currentCallNanos()}, and {@link #stop()} never waits
 * long for a stuck call nor lets the container be called beside it.
 *
 * @author wshub
 */
final class SubscriptionReconciler {

	// The broker's logger: operators find every broker message under one name.
	private static final Log logger = LogFactory.getLog(RedisTopicBroker.class);

	private static final int MAX_BATCH = 1024;

	// How long stop() waits for the subscription thread to end.
	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(2);

	private final SubscriptionTransport transport;

	private final RedisNames names;

	private final String controlChannel;

	private final TopicChannels channels;

	private final LivenessProbe probe;

	private final PublishGate publishing;

	// Whether a confirmation of every held subscription is queued for the subscription thread.
	private final AtomicBoolean confirmationQueued = new AtomicBoolean();

	private volatile boolean running;

	private volatile boolean reportedStartupFailure;

	private boolean resubscribeFailureLogged;

	// When the subscription thread entered its current call of the transport (0: not in one).
	private volatile long transportCallSince;

	private @Nullable Thread worker;

	SubscriptionReconciler(SubscriptionTransport transport, RedisNames names, String controlChannel,
			TopicChannels channels, LivenessProbe probe, PublishGate publishing) {
		this.transport = transport;
		this.names = names;
		this.controlChannel = controlChannel;
		this.channels = channels;
		this.probe = probe;
		this.publishing = publishing;
	}

	/**
	 * Start the subscription thread.
	 */
	void start() {
		// A confirmation queued before a stop was dropped with the queue.
		this.confirmationQueued.set(false);
		this.running = true;
		Thread thread = HubThreads.daemonThread("hub-redis-subscriptions", this::run);
		this.worker = thread;
		thread.start();
	}

	/**
	 * Interrupt the subscription thread and wait briefly for it. A thread stuck in a container
	 * call that does not react to interrupts (the container waits for Redis' confirmation
	 * without a timeout) is left behind: it exits by itself once the call returns, and the
	 * container is never called concurrently with it.
	 * @return {@code true} if the thread ended, so the container may be called
	 */
	boolean stop() {
		this.running = false;
		Thread thread = this.worker;
		if (thread == null) {
			return true;
		}
		this.worker = null;
		thread.interrupt();
		try {
			thread.join(STOP_TIMEOUT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (!thread.isAlive()) {
			return true;
		}
		long since = this.transportCallSince;
		logger.warn("The Redis subscription thread is stuck in a call to Redis"
				+ ((since != 0) ? " since " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since) + " ms" : "")
				+ "; stopping without touching the subscriptions, whose connection closes when it stops");
		return false;
	}

	/**
	 * Remove every subscription of the broker, once {@link #stop()} returned {@code true}.
	 */
	void removeAllSubscriptions() {
		try {
			this.transport.unsubscribeAll();
		}
		catch (RuntimeException ex) {
			logger.debug("Failed to remove Redis subscriptions", ex);
		}
	}

	/**
	 * Ask the subscription thread to subscribe every held channel again and then to confirm,
	 * with a ping, that messages flow: the fence reopens only then.
	 */
	void requestConfirmation() {
		if (this.running && this.confirmationQueued.compareAndSet(false, true)) {
			this.channels.requestResubscribe();
		}
	}

	/**
	 * Return how long the subscription thread has been in its current call of the transport.
	 * @return the time in nanoseconds, 0 when it is not in one
	 */
	long currentCallNanos() {
		long since = this.transportCallSince;
		return (since != 0) ? System.nanoTime() - since : 0;
	}

	private void run() {
		while (this.running) {
			try {
				if (!this.probe.isControlSubscribed() && !subscribeControlChannel()) {
					this.channels.failWaiting();
					Thread.sleep(RedisTopicBroker.RETRY_INTERVAL.toMillis());
					continue;
				}
				TopicChannels.Batch batch = this.channels.take(MAX_BATCH);
				if (batch != null) {
					reconcile(batch.topics());
					if (batch.resubscribe()) {
						this.confirmationQueued.set(false);
						resubscribeAll();
					}
				}
				callTransport(this.transport::maintain);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				if (this.running) {
					// One line, not a stack trace: the probe reports the outage itself.
					logger.warn("Redis subscription update failed: " + ex.getMessage());
					logger.debug("Redis subscription update failure", ex);
				}
			}
		}
	}

	private void callTransport(Runnable call) {
		if (!this.running) {
			throw new IllegalStateException("Redis broker stopped");
		}
		this.transportCallSince = System.nanoTime() | 1;
		try {
			call.run();
		}
		finally {
			this.transportCallSince = 0;
		}
	}

	private boolean subscribeControlChannel() {
		List<String> control = List.of(this.controlChannel);
		try {
			callTransport(() -> this.transport.subscribe(control));
			this.probe.controlChannelSubscribed();
			logger.info("Hub subscribed to Redis control channel '" + this.controlChannel + "'");
			return true;
		}
		catch (RuntimeException ex) {
			try {
				callTransport(() -> this.transport.unsubscribe(control));
			}
			catch (RuntimeException cleanup) {
				logger.debug("Failed to remove the control channel's listener", cleanup);
			}
			if (!this.reportedStartupFailure) {
				this.reportedStartupFailure = true;
				logger.warn("Hub cannot subscribe to Redis yet (" + ex.getMessage() + "); retrying every "
						+ RedisTopicBroker.RETRY_INTERVAL.toMillis() + " ms");
			}
			return false;
		}
	}

	/**
	 * Subscribe the control channel and every held channel again, after a recovery or a lost
	 * connection, then reopen the {@link PublishFence} once a ping made the round trip. Redis
	 * answers a SUBSCRIBE of a channel already subscribed with a plain confirmation, so this
	 * only repairs what the reconnect lost.
	 */
	private void resubscribeAll() {
		PublishFence fence = this.publishing.fence();
		long ticket = (fence != null) ? fence.interruptions() : 0;
		List<String> all = channelNames(new ArrayList<>(this.channels.heldTopics()));
		all.add(this.controlChannel);
		try {
			callTransport(() -> this.transport.resubscribe(all));
		}
		catch (RuntimeException ex) {
			// Once per outage: on a Redis Cluster every connection that comes back asks again.
			String message = "Re-subscribing after a Redis recovery failed (" + ex.getMessage() + "); retrying";
			if (this.resubscribeFailureLogged) {
				logger.debug(message);
			}
			else {
				this.resubscribeFailureLogged = true;
				logger.warn(message);
			}
			this.probe.resubscribeFailed();
			return;
		}
		this.resubscribeFailureLogged = false;
		if (fence != null && !fence.isOpen()) {
			this.probe.roundTrip().whenComplete((ignored, ex) -> {
				if (ex == null && fence.reopen(ticket)) {
					logger.info("Redis subscriptions confirmed after a lost connection; publishes resume");
				}
			});
		}
	}

	/**
	 * Bring Redis in line with the wanted state of a batch of topics. A failed container call
	 * affects only its own topics: the other calls of the batch still run.
	 */
	private void reconcile(List<String> batch) {
		TopicChannels.Plan plan = this.channels.plan(batch);
		if (!plan.toRemove().isEmpty()) {
			remove(plan.toRemove(), false);
		}
		if (!plan.toRepair().isEmpty()) {
			remove(plan.toRepair(), true);
		}
		if (!plan.toAdd().isEmpty()) {
			add(plan.toAdd());
		}
	}

	/**
	 * Unsubscribe channels. When the container fails (Redis did not answer within the command
	 * timeout), Redis may still hold them, and Lettuce subscribes them again when it reconnects:
	 * they stay dirty and are retried until an UNSUBSCRIBE goes through. A retry subscribes
	 * them first, because the container forgot them when the failed call removed its listener.
	 * @param topics the topics
	 * @param repair whether these are retries of failed unsubscribes
	 */
	private void remove(List<String> topics, boolean repair) {
		List<String> topicChannels = channelNames(topics);
		boolean removed = true;
		try {
			if (repair) {
				callTransport(() -> this.transport.subscribe(topicChannels));
			}
			callTransport(() -> this.transport.unsubscribe(topicChannels));
		}
		catch (RuntimeException ex) {
			removed = false;
			if (!repair) {
				logger.warn("Redis did not confirm the unsubscribe of " + topics.size() + " channel(s) ("
						+ ex.getMessage() + "); retrying every " + RedisTopicBroker.RETRY_INTERVAL.toMillis() + " ms");
			}
		}
		this.channels.removed(topics, removed);
	}

	private void add(List<String> topics) {
		List<String> topicChannels = channelNames(topics);
		RuntimeException failure = null;
		boolean cleanedUp = true;
		try {
			callTransport(() -> this.transport.subscribe(topicChannels));
		}
		catch (RuntimeException ex) {
			failure = ex;
			logger.warn("Redis did not confirm subscriptions for " + topics.size() + " topic(s): " + ex.getMessage());
			try {
				// Keep the container's own mapping in line with what we consider held.
				callTransport(() -> this.transport.unsubscribe(topicChannels));
			}
			catch (RuntimeException cleanup) {
				cleanedUp = false;
				logger.debug("Failed to remove the listener of unconfirmed channels", cleanup);
			}
		}
		this.channels.added(topics, failure, cleanedUp);
	}

	private List<String> channelNames(List<String> topics) {
		List<String> result = new ArrayList<>(topics.size() + 1);
		for (String topic : topics) {
			result.add(this.names.topicChannel(topic));
		}
		return result;
	}

}
