package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiFunction;

import org.jspecify.annotations.Nullable;

import io.github.wshub.dispatch.HubThreads;
import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.BrokerMessageListener;
import io.github.wshub.broker.BrokerUnavailableException;
import io.github.wshub.broker.ControlMessageListener;
import io.github.wshub.broker.HistorySettings;
import io.github.wshub.broker.HistorySlice;
import io.github.wshub.broker.StreamPosition;
import io.github.wshub.broker.TopicBroker;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.util.Assert;

/**
 * {@link TopicBroker} on Redis Pub/Sub, built on Spring Data Redis'
 * {@link RedisMessageListenerContainer} (one multiplexed subscription connection) for receiving
 * and on the connection factory's shared connection for publishing.
 * <p>
 * <b>Sharded Pub/Sub.</b> On a Redis Cluster, a broker created with
 * {@link #sharded(LettuceConnectionFactory, String, String, Duration, Duration) sharded(...)}
 * receives through Lettuce's cluster Pub/Sub connection instead ({@code SSUBSCRIBE}, one
 * connection per master, see {@link ShardedSubscriptions}) and publishes with
 * {@code SPUBLISH}; only the {@link SubscriptionTransport} differs, everything below holds for
 * both. Topic channels then carry the topic as their hash tag ({@link RedisNames}), the probe
 * pings every master the instance is subscribed on, and the subscriptions of a slot that moved
 * (failover, resharding) are made again on its new owner within about a second of the topology
 * change becoming visible.
 * <p>
 * <b>Lazy subscriptions.</b> A topic's channel is subscribed only while the topic has local
 * subscribers: the first {@link #subscribe(String)} subscribes it, and {@link #unsubscribe(String)}
 * releases it after {@code unsubscribeGrace}, unless it was wanted again meanwhile. All
 * container calls run on one subscription thread that compares, per topic, the wanted state
 * with the held one and batches the differences into one SUBSCRIBE and one UNSUBSCRIBE command.
 * Because that thread re-reads the wanted state before acting, any interleaving of subscribe
 * and unsubscribe calls settles on "subscribed in Redis if and only if wanted locally", and the
 * container is never called concurrently (it has known races when it is). The container's own
 * call blocks until Redis confirms a subscription; it never runs on a WebSocket thread. See
 * {@link TopicChannels} and {@link SubscriptionReconciler}.
 * <p>
 * <b>Order.</b> The container is given a synchronous task executor, so messages are handed to
 * the {@link BrokerMessageListener} on the Redis connection's thread in the order Redis sent
 * them; the listener must queue them without blocking (see {@link MessageRouter}).
 * <p>
 * <b>Storage details.</b> The broker uses two kinds of Pub/Sub channels, and no keys: one per
 * topic, {@code <namespace>topic:<topic>}, and one per instance for targeted messages,
 * {@code <namespace>instance:<instance-id>}; {@link RedisNames} describes both.
 * <p>
 * <b>Faults.</b> Lettuce reconnects and re-subscribes by itself after a connection loss, and the
 * container never hears of it, so the broker probes its own subscription: every
 * {@code probeInterval} it publishes a ping on its control channel and expects it back within
 * {@code probeTimeout} ({@link LivenessProbe}). While pings do not come back the broker reports
 * itself disconnected (health DOWN), fails subscribes and publishes at once with
 * {@link BrokerUnavailableException}, and logs one line; when they come back it logs one line,
 * subscribes every held channel again (SUBSCRIBE is idempotent: this repairs any subscription
 * the reconnect lost) and resumes. Messages published while Redis was unreachable are lost:
 * Pub/Sub is at-most-once. What a publish promises is {@link PublishGate}'s.
 *
 * @author wshub
 */
public class RedisTopicBroker implements TopicBroker, SmartLifecycle {

	// Pause between attempts to reach Redis while it is unreachable: the control channel's
	// subscription, an unsubscribe Redis did not confirm, and the publishing connection.
	static final Duration RETRY_INTERVAL = Duration.ofMillis(500);

	private final SubscriptionTransport transport;

	private final RedisNames names;

	private final String controlChannel;

	private final Duration subscribeTimeout;

	private final TopicChannels channels;

	private final PublishGate publishing;

	private final LivenessProbe probe;

	private final MessageRouter router;

	private final SubscriptionReconciler reconciler;

	private final Object lifecycleMonitor = new Object();

	private volatile @Nullable RedisTopicHistory history;

	private volatile boolean running;

	private @Nullable ScheduledExecutorService timer;

	private int phase = DEFAULT_PHASE - 4096;

	/**
	 * Create a broker.
	 * @param container the listener container; its task executor must run tasks synchronously
	 * @param connectionFactory the factory for publishing
	 * @param namespace the prefix of every channel, for example {@code hub:}
	 * @param instanceId this instance's id
	 * @param unsubscribeGrace how long to keep a channel subscribed after its last local
	 * subscriber left
	 * @param subscribeTimeout how long a subscribe may wait for Redis' confirmation
	 */
	public RedisTopicBroker(RedisMessageListenerContainer container, RedisConnectionFactory connectionFactory,
			String namespace, String instanceId, Duration unsubscribeGrace, Duration subscribeTimeout) {
		this(connectionFactory, namespace, false, instanceId, unsubscribeGrace, subscribeTimeout,
				(router, control) -> new ContainerSubscriptions(nonNull(container), router, control));
	}

	private RedisTopicBroker(RedisConnectionFactory connectionFactory, String namespace, boolean sharded,
			String instanceId, Duration unsubscribeGrace, Duration subscribeTimeout,
			BiFunction<MessageRouter, String, SubscriptionTransport> transport) {
		Assert.notNull(connectionFactory, "'connectionFactory' must not be null");
		Assert.notNull(namespace, "'namespace' must not be null");
		Assert.hasText(instanceId, "'instanceId' must not be empty");
		Assert.isTrue(!unsubscribeGrace.isNegative(), "'unsubscribeGrace' must not be negative");
		Assert.isTrue((!subscribeTimeout.isNegative() && !subscribeTimeout.isZero()), "'subscribeTimeout' must be positive");
		this.names = new RedisNames(namespace, sharded);
		this.controlChannel = this.names.controlChannel(instanceId);
		this.subscribeTimeout = subscribeTimeout;
		this.channels = new TopicChannels(unsubscribeGrace, subscribeTimeout);
		this.publishing = new PublishGate(connectionFactory, sharded, this::requestConfirmation);
		this.probe = new LivenessProbe(this.publishing, this.channels, this::probeTargets,
				this::requestConfirmation, this::isRunning);
		this.router = new MessageRouter(this.names, this.probe);
		this.transport = transport.apply(this.router, this.controlChannel);
		this.reconciler = new SubscriptionReconciler(this.transport, this.names, this.controlChannel, this.channels,
				this.probe, this.publishing);
	}

	/**
	 * Create a broker on sharded Pub/Sub ({@code SSUBSCRIBE}/{@code SPUBLISH}, Redis 7+) of a
	 * Redis Cluster: a topic's messages travel only through the node that owns its slot, so
	 * Pub/Sub capacity grows with the masters.
	 * @param connectionFactory a Lettuce connection factory for a Redis Cluster
	 * @param namespace the prefix of every channel, for example {@code hub:}
	 * @param instanceId this instance's id
	 * @param unsubscribeGrace how long to keep a channel subscribed after its last local subscriber left
	 * @param subscribeTimeout how long a subscribe may wait for Redis' confirmation
	 * @return the broker
	 */
	public static RedisTopicBroker sharded(LettuceConnectionFactory connectionFactory, String namespace,
			String instanceId, Duration unsubscribeGrace, Duration subscribeTimeout) {
		return new RedisTopicBroker(connectionFactory, namespace, true, instanceId, unsubscribeGrace, subscribeTimeout,
				(router, control) -> new ShardedSubscriptions(connectionFactory, router, control, subscribeTimeout));
	}

	private static RedisMessageListenerContainer nonNull(RedisMessageListenerContainer container) {
		Assert.notNull(container, "'container' must not be null");
		return container;
	}

	private List<SubscriptionTransport.ProbeTarget> probeTargets() {
		return this.transport.probeTargets();
	}

	// The probe and the fence ask for a confirmation; the reconciler, created after them, runs it;
	// the probe asks the transport, created after it, where to ping.
	private void requestConfirmation() {
		this.reconciler.requestConfirmation();
	}

	/**
	 * Set which topics keep a history (none by default). Needs the Lettuce client.
	 * @param settings the history settings
	 */
	public void setHistorySettings(HistorySettings settings) {
		Assert.notNull(settings, "'settings' must not be null");
		this.history = settings.isEnabled() ? new RedisTopicHistory(this.names, this.publishing, settings) : null;
	}

	/**
	 * Set how often the broker checks that its subscription connection works.
	 * @param probeInterval the interval between pings
	 */
	public void setProbeInterval(Duration probeInterval) {
		Assert.isTrue(!probeInterval.isNegative() && !probeInterval.isZero(), "'probeInterval' must be positive");
		this.probe.setInterval(probeInterval);
	}

	/**
	 * Set how long a ping may take to come back before Redis counts as unreachable.
	 * @param probeTimeout the timeout
	 */
	public void setProbeTimeout(Duration probeTimeout) {
		Assert.isTrue(!probeTimeout.isNegative() && !probeTimeout.isZero(), "'probeTimeout' must be positive");
		this.probe.setTimeout(probeTimeout);
	}

	/**
	 * Set how long a publish may wait for Redis to accept it.
	 * @param publishTimeout the timeout
	 */
	public void setPublishTimeout(Duration publishTimeout) {
		Assert.isTrue(!publishTimeout.isNegative() && !publishTimeout.isZero(), "'publishTimeout' must be positive");
		this.publishing.setTimeout(publishTimeout);
	}

	/**
	 * Set how long, after a lost Redis connection, a topic's publishes wait for as many
	 * subscribers as the topic had before to subscribe again (see {@link PublishFence}).
	 * @param resubscribeWait the longest wait
	 */
	public void setResubscribeWait(Duration resubscribeWait) {
		Assert.isTrue(!resubscribeWait.isNegative(), "'resubscribeWait' must not be negative");
		this.publishing.setResubscribeWait(resubscribeWait);
	}

	/**
	 * Set where broker recoveries are reported, for metrics.
	 * @param instrumentation the instrumentation
	 */
	public void setInstrumentation(HubInstrumentation instrumentation) {
		Assert.notNull(instrumentation, "'instrumentation' must not be null");
		this.probe.setInstrumentation(instrumentation);
	}

	/**
	 * Return the Redis channel of a topic.
	 * @param topic the topic
	 * @return the channel name
	 */
	public String channelOf(String topic) {
		return this.names.topicChannel(topic);
	}

	/**
	 * Return this instance's control channel.
	 * @return the channel name
	 */
	public String getControlChannel() {
		return this.controlChannel;
	}

	@Override
	public void setMessageListener(BrokerMessageListener listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.router.setMessageListener(listener);
	}

	@Override
	public void setControlMessageListener(ControlMessageListener listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.router.setControlMessageListener(listener);
	}

	@Override
	public CompletableFuture<Void> subscribe(String topic) {
		if (this.probe.isKnownUnreachable()) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable", null));
		}
		return this.channels.subscribe(topic);
	}

	@Override
	public void unsubscribe(String topic) {
		this.channels.unsubscribe(topic);
	}

	@Override
	public boolean hasHistory(String topic) {
		RedisTopicHistory current = this.history;
		return current != null && current.hasHistory(topic);
	}

	@Override
	public CompletableFuture<@Nullable StreamPosition> publishWithPosition(BrokerMessage message) {
		RedisTopicHistory current = this.history;
		if (current == null || !current.hasHistory(message.topic())) {
			return publish(message).thenApply((ignored) -> null);
		}
		if (this.probe.isKnownUnreachable()) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable", null));
		}
		return current.publish(message).thenApply((position) -> position);
	}

	@Override
	public CompletableFuture<HistorySlice> readHistory(String topic, long afterOffset, int limit) {
		RedisTopicHistory current = this.history;
		if (current == null || !current.hasHistory(topic)) {
			return TopicBroker.super.readHistory(topic, afterOffset, limit);
		}
		if (this.probe.isKnownUnreachable()) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable", null));
		}
		return current.read(topic, afterOffset, limit);
	}

	@Override
	public CompletableFuture<Void> publish(BrokerMessage message) {
		RedisTopicHistory current = this.history;
		if (current != null && current.hasHistory(message.topic())) {
			return publishWithPosition(message).thenApply((position) -> null);
		}
		return send(this.names.topicChannelBytes(message.topic()), RedisEnvelope.encode(message), message.topic())
			.thenApply((receivers) -> null);
	}

	@Override
	public CompletableFuture<Boolean> sendToInstance(String instanceId, byte[] payload) {
		return send(this.names.controlChannel(instanceId).getBytes(StandardCharsets.UTF_8), payload, null)
			.thenApply((receivers) -> receivers > 0 || !this.publishing.countsReceivers());
	}

	private CompletableFuture<Long> send(byte[] channel, byte[] payload, @Nullable String topic) {
		// Asked here, not in the gate: the probe sends its pings through the gate.
		if (this.probe.isKnownUnreachable()) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable", null));
		}
		return this.publishing.send(channel, payload, topic);
	}

	/**
	 * Publish a ping on this instance's control channel and complete when it comes back: Redis
	 * delivers a subscriber's messages in publish order across channels, so by then every
	 * message published before the call has been handed to the listener.
	 */
	@Override
	public CompletableFuture<Void> roundTrip() {
		return this.probe.roundTrip();
	}

	@Override
	public Set<String> subscribedTopics() {
		return this.channels.heldTopics();
	}

	@Override
	public Map<String, Integer> subscriptionsPerNode() {
		return this.transport.subscriptionsPerNode();
	}

	@Override
	public boolean isConnected() {
		return getProblem() == null;
	}

	/**
	 * Say why the broker cannot deliver right now. Besides a stopped broker and an unreachable
	 * Redis, this covers a subscription thread that has waited longer than
	 * {@code subscribeTimeout} for Redis to confirm a subscription change (every later subscribe and
	 * unsubscribe waits behind it), and the confirmation after a lost connection, while
	 * publishes are refused.
	 */
	@Override
	public @Nullable String getProblem() {
		if (!this.running) {
			return "the Redis broker is not running";
		}
		String unreachable = this.probe.getProblem();
		if (unreachable != null) {
			return unreachable;
		}
		long waited = this.reconciler.currentCallNanos();
		if (waited > this.subscribeTimeout.toNanos()) {
			return "the subscription thread has waited " + TimeUnit.NANOSECONDS.toMillis(waited)
					+ " ms for Redis to confirm a subscription change (longer than the subscribe timeout of "
					+ this.subscribeTimeout.toMillis() + " ms)";
		}
		if (this.publishing.isFenceClosed()) {
			return "a Redis connection was lost; confirming subscriptions before publishing again";
		}
		return this.transport.getProblem();
	}

	@Override
	public String getType() {
		return "redis";
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			ThreadFactory timerThreads = HubThreads.daemon("hub-redis-timer-");
			ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(timerThreads);
			this.probe.start(scheduler);
			this.publishing.start(scheduler);
			this.channels.start(scheduler);
			this.timer = scheduler;
			this.running = true;
			this.reconciler.start();
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (!this.running) {
				return;
			}
			this.running = false;
			boolean workerStopped = this.reconciler.stop();
			ScheduledExecutorService currentTimer = this.timer;
			if (currentTimer != null) {
				currentTimer.shutdownNow();
				this.timer = null;
			}
			if (workerStopped) {
				this.reconciler.removeAllSubscriptions();
			}
			this.probe.reset();
			this.channels.stop();
			this.publishing.stop();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	/**
	 * Set the lifecycle phase. The default starts after the listener container and stops after
	 * the WebSocket handler and the web server, so delivery continues while sessions drain.
	 * @param phase the phase
	 */
	public void setPhase(int phase) {
		this.phase = phase;
	}

}
