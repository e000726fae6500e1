package io.github.wshub.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.HubInstrumentation;
import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.BrokerMessageListener;
import io.github.wshub.broker.BrokerUnavailableException;
import io.github.wshub.broker.ControlMessageListener;
import io.github.wshub.broker.TopicBroker;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * {@link TopicBroker} on Redis Pub/Sub, built on Spring Data Redis'
 * {@link RedisMessageListenerContainer} (one multiplexed subscription connection) for receiving
 * and on the connection factory's shared connection for publishing.
 * <p>
 * <b>Lazy subscriptions.</b> A topic's channel is subscribed only while the topic has local
 * subscribers: the first {@link #subscribe(String)} subscribes it, and {@link #unsubscribe(String)}
 * releases it after {@code unsubscribeGrace}, unless it was wanted again meanwhile. All
 * container calls run on one subscription thread that compares, per topic, the wanted state
 * with the held one and batches the differences into one SUBSCRIBE and one UNSUBSCRIBE command.
 * Because that thread re-reads the wanted state before acting, any interleaving of subscribe
 * and unsubscribe calls settles on "subscribed in Redis if and only if wanted locally", and the
 * container is never called concurrently (it has known races when it is). The container's own
 * call blocks until Redis confirms a subscription; it never runs on a WebSocket thread.
 * <p>
 * <b>Order.</b> The container is given a synchronous task executor, so messages are handed to
 * the {@link BrokerMessageListener} on the Redis connection's thread in the order Redis sent
 * them; the listener must queue them without blocking.
 * <p>
 * <b>Storage details.</b> The broker uses two kinds of Pub/Sub channels, and no keys: one per
 * topic, {@code <namespace>topic:<topic>}, and one per instance for targeted messages,
 * {@code <namespace>instance:<instance-id>}; {@link RedisNames} describes both.
 * <p>
 * <b>Faults.</b> Lettuce reconnects and re-subscribes by itself after a connection loss, and the
 * container never hears of it, so the broker probes its own subscription: every
 * {@code probeInterval} it publishes a ping on its control channel and expects it back within
 * {@code probeTimeout}. While pings do not come back the broker reports itself disconnected
 * (health DOWN), fails subscribes and publishes at once with
 * {@link BrokerUnavailableException}, and logs one line; when they come back it logs one line,
 * subscribes every held channel again (SUBSCRIBE is idempotent: this repairs any subscription
 * the reconnect lost) and resumes. Messages published while Redis was unreachable are lost:
 * Pub/Sub is at-most-once.
 *
 * @author wshub
 */
public class RedisTopicBroker implements TopicBroker, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisTopicBroker.class);

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			RedisTopicBroker.class.getClassLoader());

	private static final int MAX_BATCH = 1024;

	// Pause between attempts to reach Redis while it is unreachable: the control channel's
	// subscription and the publishing connection.
	private static final Duration CONNECT_RETRY_INTERVAL = Duration.ofMillis(500);

	// Not a valid topic name: queued to ask the subscription thread to re-subscribe everything.
	private static final String RESUBSCRIBE_ALL = "";

	private static final String PING = "wshub-ping ";

	// How long stop() waits for the subscription thread to end.
	private static final Duration WORKER_STOP_TIMEOUT = Duration.ofSeconds(2);

	private final RedisMessageListenerContainer container;

	private final RedisConnectionFactory connectionFactory;

	private final RedisNames names;

	private final String controlChannel;

	private final Duration unsubscribeGrace;

	private final Duration subscribeTimeout;

	private final ConcurrentHashMap<String, ChannelState> channels = new ConcurrentHashMap<>();

	private final LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>();

	private final MessageListener redisListener = this::onRedisMessage;

	private final Object lifecycleMonitor = new Object();

	private volatile @Nullable BrokerMessageListener listener;

	private volatile @Nullable ControlMessageListener controlListener;

	private volatile boolean running;

	private volatile boolean controlSubscribed;

	private volatile boolean reachable;

	private volatile long unreachableSince;

	private volatile boolean reportedStartupFailure;

	private final ConcurrentHashMap<Long, CompletableFuture<Void>> pings = new ConcurrentHashMap<>();

	private final AtomicLong pingSequence = new AtomicLong();

	// Newest probe that came back and newest that did not: a late verdict on an older probe
	// (sent while Redis was reconnecting) never overrides a newer one.
	private final AtomicLong lastProbeOk = new AtomicLong();

	private final AtomicLong lastProbeFailed = new AtomicLong();

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	private Duration probeInterval = Duration.ofSeconds(5);

	private Duration probeTimeout = Duration.ofSeconds(3);

	private Duration publishTimeout = Duration.ofSeconds(5);

	private @Nullable Thread worker;

	private @Nullable ScheduledExecutorService timer;

	private volatile @Nullable Publisher publisher;

	private volatile @Nullable PublishDeadlines publishDeadlines;

	private volatile @Nullable PublishFence fence;

	private @Nullable AbstractRedisClient fencedClient;

	private Duration resubscribeWait = Duration.ofSeconds(10);

	// Whether a confirmation of every held subscription is queued for the subscription thread.
	private final AtomicBoolean confirmationQueued = new AtomicBoolean();

	// When the subscription thread entered its current call of the container (0: not in one).
	private volatile long containerCallSince;

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
		Assert.notNull(container, "'container' must not be null");
		Assert.notNull(connectionFactory, "'connectionFactory' must not be null");
		Assert.notNull(namespace, "'namespace' must not be null");
		Assert.hasText(instanceId, "'instanceId' must not be empty");
		Assert.isTrue(!unsubscribeGrace.isNegative(), "'unsubscribeGrace' must not be negative");
		Assert.isTrue((!subscribeTimeout.isNegative() && !subscribeTimeout.isZero()), "'subscribeTimeout' must be positive");
		this.container = container;
		this.connectionFactory = connectionFactory;
		this.names = new RedisNames(namespace);
		this.controlChannel = this.names.controlChannel(instanceId);
		this.unsubscribeGrace = unsubscribeGrace;
		this.subscribeTimeout = subscribeTimeout;
	}

	/**
	 * Set how often the broker checks that its subscription connection works.
	 * @param probeInterval the interval between pings
	 */
	public void setProbeInterval(Duration probeInterval) {
		Assert.isTrue(!probeInterval.isNegative() && !probeInterval.isZero(), "'probeInterval' must be positive");
		this.probeInterval = probeInterval;
	}

	/**
	 * Set how long a ping may take to come back before Redis counts as unreachable.
	 * @param probeTimeout the timeout
	 */
	public void setProbeTimeout(Duration probeTimeout) {
		Assert.isTrue(!probeTimeout.isNegative() && !probeTimeout.isZero(), "'probeTimeout' must be positive");
		this.probeTimeout = probeTimeout;
	}

	/**
	 * Set how long a publish may wait for Redis to accept it.
	 * @param publishTimeout the timeout
	 */
	public void setPublishTimeout(Duration publishTimeout) {
		Assert.isTrue(!publishTimeout.isNegative() && !publishTimeout.isZero(), "'publishTimeout' must be positive");
		this.publishTimeout = publishTimeout;
	}

	/**
	 * Set how long, after a lost Redis connection, a topic's publishes wait for as many
	 * subscribers as the topic had before to subscribe again (see {@link PublishFence}).
	 * @param resubscribeWait the longest wait
	 */
	public void setResubscribeWait(Duration resubscribeWait) {
		Assert.isTrue(!resubscribeWait.isNegative(), "'resubscribeWait' must not be negative");
		this.resubscribeWait = resubscribeWait;
	}

	/**
	 * Set where broker recoveries are reported, for metrics.
	 * @param instrumentation the instrumentation
	 */
	public void setInstrumentation(HubInstrumentation instrumentation) {
		Assert.notNull(instrumentation, "'instrumentation' must not be null");
		this.instrumentation = instrumentation;
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
		this.listener = listener;
	}

	@Override
	public CompletableFuture<Void> subscribe(String topic) {
		if (isKnownUnreachable()) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable", null));
		}
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
		Throwable cause = (ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null)
				? ex.getCause() : ex;
		if (cause instanceof BrokerUnavailableException) {
			return cause;
		}
		String reason = (cause instanceof TimeoutException) ? "timed out" : String.valueOf(cause.getMessage());
		return new BrokerUnavailableException("Redis subscription for topic '" + topic + "' failed: " + reason,
				cause);
	}

	@Override
	public void unsubscribe(String topic) {
		this.channels.computeIfPresent(topic, (key, state) -> {
			state.wanted = false;
			ScheduledExecutorService currentTimer = this.timer;
			if (this.unsubscribeGrace.isZero() || currentTimer == null) {
				state.releaseAt = 0;
				enqueue(key, state);
			}
			else {
				state.releaseAt = System.nanoTime() + this.unsubscribeGrace.toNanos();
				currentTimer.schedule(() -> requeue(key), this.unsubscribeGrace.toNanos(), TimeUnit.NANOSECONDS);
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

	@Override
	public CompletableFuture<Void> publish(BrokerMessage message) {
		return send(this.names.topicChannelBytes(message.topic()), RedisEnvelope.encode(message), message.topic())
			.thenApply((receivers) -> null);
	}

	/**
	 * PUBLISH a payload, failing at once while the broker is stopped, Redis is known to be
	 * unreachable or the {@link PublishFence} is closed, and after {@code publishTimeout}
	 * otherwise. Completes normally only when the fence accepts Redis' reply.
	 * @param topic the topic, or {@code null} for a control message
	 * @return the number of subscribers Redis delivered to
	 */
	private CompletableFuture<Long> send(byte[] channel, byte[] payload, @Nullable String topic) {
		Publisher current = this.publisher;
		if (current == null) {
			return CompletableFuture.failedFuture(
					new BrokerUnavailableException("Redis broker is not running", new IllegalStateException()));
		}
		if (isKnownUnreachable()) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable", null));
		}
		PublishFence currentFence = this.fence;
		long ticket = (currentFence != null) ? currentFence.ticket() : 0;
		if (ticket < 0) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException(
					"Redis reconnected; this instance is confirming its subscriptions before it publishes again",
					null));
		}
		PublishDeadlines deadlines = this.publishDeadlines;
		CompletableFuture<Long> published = current.publishCounting(channel, payload);
		if (deadlines != null) {
			deadlines.add(published);
		}
		return published.handle((receivers, ex) -> {
			String what = (topic != null) ? "the publish on topic '" + topic + "'" : "a control message";
			if (ex != null) {
				throw new CompletionException(new BrokerUnavailableException("Redis did not accept " + what, ex));
			}
			String refusal = (currentFence != null) ? currentFence.verdict(topic, ticket, receivers) : null;
			if (refusal != null) {
				throw new CompletionException(
						new BrokerUnavailableException("Redis accepted " + what + ", but " + refusal, null));
			}
			return receivers;
		});
	}

	@Override
	public void setControlMessageListener(ControlMessageListener listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.controlListener = listener;
	}

	@Override
	public CompletableFuture<Boolean> sendToInstance(String instanceId, byte[] payload) {
		return send(this.names.controlChannel(instanceId).getBytes(StandardCharsets.UTF_8), payload, null)
			.thenApply((receivers) -> receivers > 0);
	}

	/**
	 * Publish a ping on this instance's control channel and complete when it comes back: Redis
	 * delivers a subscriber's messages in publish order across channels, so by then every
	 * message published before the call has been handed to the listener.
	 */
	@Override
	public CompletableFuture<Void> roundTrip() {
		return ping(this.pingSequence.incrementAndGet());
	}

	private CompletableFuture<Void> ping(long nonce) {
		Publisher current = this.publisher;
		if (current == null || !this.controlSubscribed) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis broker is not listening", null));
		}
		CompletableFuture<Void> pong = new CompletableFuture<>();
		this.pings.put(nonce, pong);
		current.publish(this.controlChannel.getBytes(StandardCharsets.UTF_8),
				(PING + nonce).getBytes(StandardCharsets.US_ASCII))
			.whenComplete((ignored, ex) -> {
				if (ex != null) {
					pong.completeExceptionally(ex);
				}
			});
		return pong.orTimeout(this.probeTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ignored, ex) -> {
			this.pings.remove(nonce);
		}).exceptionallyCompose((ex) -> CompletableFuture.failedFuture(
				new BrokerUnavailableException("Redis did not return a ping within " + this.probeTimeout, ex)));
	}

	private boolean isKnownUnreachable() {
		return this.controlSubscribed && !this.reachable;
	}

	private void probe() {
		if (!this.running || !this.controlSubscribed) {
			return;
		}
		long probe = this.pingSequence.incrementAndGet();
		ping(probe).whenComplete((ignored, ex) -> {
			if (ex == null) {
				this.lastProbeOk.accumulateAndGet(probe, Math::max);
				if (probe > this.lastProbeFailed.get()) {
					markReachable();
				}
				PublishFence currentFence = this.fence;
				if (currentFence != null && !currentFence.isOpen()) {
					requestConfirmation();
				}
			}
			else {
				this.lastProbeFailed.accumulateAndGet(probe, Math::max);
				if (probe > this.lastProbeOk.get()) {
					markUnreachable(ex);
				}
			}
		});
	}

	private void markReachable() {
		if (this.reachable || !this.running) {
			return;
		}
		this.reachable = true;
		long downMillis = (System.nanoTime() - this.unreachableSince) / 1_000_000;
		logger.info("Redis broker recovered after " + downMillis + " ms; re-subscribing "
				+ subscribedTopics().size() + " topic(s)");
		this.instrumentation.brokerReconnected();
		requestConfirmation();
	}

	/**
	 * Ask the subscription thread to subscribe every held channel again and then to confirm,
	 * with a ping, that messages flow: the fence reopens only then.
	 */
	private void requestConfirmation() {
		if (this.running && this.confirmationQueued.compareAndSet(false, true)) {
			this.pending.add(RESUBSCRIBE_ALL);
		}
	}

	private void markUnreachable(Throwable ex) {
		if (!this.reachable || !this.running) {
			return;
		}
		this.reachable = false;
		this.unreachableSince = System.nanoTime();
		Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
		logger.warn("Redis broker is unreachable (" + cause.getMessage() + "); client subscribes and publishes fail "
				+ "with broker_unavailable until it recovers");
	}

	@Override
	public Set<String> subscribedTopics() {
		Set<String> topics = new TreeSet<>();
		this.channels.forEach((topic, state) -> {
			if (state.held) {
				topics.add(topic);
			}
		});
		return topics;
	}

	@Override
	public boolean isConnected() {
		return getProblem() == null;
	}

	/**
	 * Say why the broker cannot deliver right now. Besides a stopped broker and an unreachable
	 * Redis, this covers a subscription thread that has waited longer than
	 * {@code subscribeTimeout} for Redis to confirm a container call (every later subscribe and
	 * unsubscribe waits behind it), and the confirmation after a lost connection, while
	 * publishes are refused.
	 */
	@Override
	public @Nullable String getProblem() {
		if (!this.running) {
			return "the Redis broker is not running";
		}
		if (!this.controlSubscribed) {
			return "not subscribed to Redis yet";
		}
		if (!this.reachable) {
			return "Redis did not return a ping within " + this.probeTimeout.toMillis() + " ms";
		}
		long since = this.containerCallSince;
		long waited = (since != 0) ? System.nanoTime() - since : 0;
		if (waited > this.subscribeTimeout.toNanos()) {
			return "the subscription thread has waited " + TimeUnit.NANOSECONDS.toMillis(waited)
					+ " ms for Redis to confirm a subscription change (longer than the subscribe timeout of "
					+ this.subscribeTimeout.toMillis() + " ms)";
		}
		PublishFence currentFence = this.fence;
		if (currentFence != null && !currentFence.isOpen()) {
			return "a Redis connection was lost; confirming subscriptions before publishing again";
		}
		if (!this.container.isListening()) {
			return "the Redis listener container is not listening";
		}
		return null;
	}

	@Override
	public String getType() {
		return "redis";
	}

	private void onRedisMessage(Message message, byte @Nullable [] pattern) {
		String topic = this.names.topicOf(message.getChannel());
		if (topic == null) {
			byte[] body = message.getBody();
			if (startsWith(body, PING_BYTES)) {
				completePing(body);
				return;
			}
			ControlMessageListener control = this.controlListener;
			if (control != null) {
				control.onControlMessage(message.getBody());
			}
			return;
		}
		BrokerMessage decoded = RedisEnvelope.decode(topic, message.getBody());
		BrokerMessageListener current = this.listener;
		if (decoded == null) {
			logger.warn("Ignoring a message on channel '" + channelOf(topic) + "' that is not a wshub envelope");
		}
		else if (current != null) {
			current.onMessage(decoded);
		}
	}

	private static final byte[] PING_BYTES = PING.getBytes(StandardCharsets.US_ASCII);

	private void completePing(byte[] body) {
		try {
			long nonce = Long.parseLong(new String(body, PING_BYTES.length, body.length - PING_BYTES.length,
					StandardCharsets.US_ASCII));
			CompletableFuture<Void> pong = this.pings.get(nonce);
			if (pong != null) {
				pong.complete(null);
			}
		}
		catch (NumberFormatException ex) {
			logger.debug("Ignoring a malformed ping");
		}
	}

	private void runSubscriptions() {
		while (this.running) {
			try {
				if (!this.controlSubscribed && !subscribeControlChannel()) {
					failWaitingSubscriptions();
					Thread.sleep(CONNECT_RETRY_INTERVAL.toMillis());
					continue;
				}
				String first = this.pending.poll(200, TimeUnit.MILLISECONDS);
				if (first != null) {
					List<String> batch = new ArrayList<>();
					batch.add(first);
					this.pending.drainTo(batch, MAX_BATCH - 1);
					boolean resubscribe = batch.removeIf(RESUBSCRIBE_ALL::equals);
					reconcile(batch);
					if (resubscribe) {
						this.confirmationQueued.set(false);
						resubscribeAll();
					}
				}
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

	/**
	 * Call the container. Only the subscription thread does, one call at a time; the time a
	 * call has been running shows in {@link #getProblem()} (the container waits for Redis'
	 * confirmation of a SUBSCRIBE without a timeout), and {@link #stop()} never calls the
	 * container while a call is stuck.
	 */
	private void callContainer(Runnable call) {
		if (!this.running) {
			throw new IllegalStateException("Redis broker stopped");
		}
		this.containerCallSince = System.nanoTime() | 1;
		try {
			call.run();
		}
		finally {
			this.containerCallSince = 0;
		}
	}

	private boolean subscribeControlChannel() {
		ChannelTopic control = new ChannelTopic(this.controlChannel);
		try {
			callContainer(() -> this.container.addMessageListener(this.redisListener, control));
			this.reachable = true;
			this.controlSubscribed = true;
			logger.info("Hub subscribed to Redis control channel '" + this.controlChannel + "'");
			return true;
		}
		catch (RuntimeException ex) {
			try {
				callContainer(() -> this.container.removeMessageListener(this.redisListener, control));
			}
			catch (RuntimeException cleanup) {
				logger.debug("Failed to remove the control channel's listener", cleanup);
			}
			if (!this.reportedStartupFailure) {
				this.reportedStartupFailure = true;
				logger.warn("Hub cannot subscribe to Redis yet (" + ex.getMessage() + "); retrying every 500 ms");
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
		PublishFence currentFence = this.fence;
		long ticket = (currentFence != null) ? currentFence.interruptions() : 0;
		List<ChannelTopic> channels = channelTopics(new ArrayList<>(subscribedTopics()));
		channels.add(new ChannelTopic(this.controlChannel));
		try {
			callContainer(() -> this.container.addMessageListener(this.redisListener, channels));
		}
		catch (RuntimeException ex) {
			logger.warn("Re-subscribing after a Redis recovery failed (" + ex.getMessage() + "); the next probe retries");
			this.reachable = false;
			this.unreachableSince = System.nanoTime();
			return;
		}
		if (currentFence != null && !currentFence.isOpen()) {
			ping(this.pingSequence.incrementAndGet()).whenComplete((ignored, ex) -> {
				if (ex == null && currentFence.reopen(ticket)) {
					logger.info("Redis subscriptions confirmed after a lost connection; publishes resume");
				}
			});
		}
	}

	private void failWaitingSubscriptions() {
		List<String> batch = new ArrayList<>();
		this.pending.drainTo(batch);
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
	 * Bring Redis in line with the wanted state of a batch of topics. A failed container call
	 * affects only its own topics: the other calls of the batch still run.
	 */
	private void reconcile(List<String> batch) {
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
		if (!toRemove.isEmpty()) {
			remove(toRemove, false);
		}
		if (!toRepair.isEmpty()) {
			remove(toRepair, true);
		}
		if (!toAdd.isEmpty()) {
			add(toAdd);
		}
	}

	/**
	 * Unsubscribe channels. When the container fails (Redis did not answer within the command
	 * timeout), Redis may still hold them, and Lettuce subscribes them again when it reconnects:
	 * they are marked dirty and retried until an UNSUBSCRIBE goes through. A retry subscribes
	 * them first, because the container forgot them when the failed call removed its listener.
	 * @param topics the topics
	 * @param repair whether these are retries of failed unsubscribes
	 */
	private void remove(List<String> topics, boolean repair) {
		List<ChannelTopic> channels = channelTopics(topics);
		RuntimeException failure = null;
		try {
			if (repair) {
				callContainer(() -> this.container.addMessageListener(this.redisListener, channels));
			}
			callContainer(() -> this.container.removeMessageListener(this.redisListener, channels));
		}
		catch (RuntimeException ex) {
			failure = ex;
			if (!repair) {
				logger.warn("Redis did not confirm the unsubscribe of " + topics.size() + " channel(s) ("
						+ ex.getMessage() + "); retrying every " + CONNECT_RETRY_INTERVAL.toMillis() + " ms");
			}
		}
		boolean removed = (failure == null);
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

	private void requeueLater(String topic) {
		ScheduledExecutorService currentTimer = this.timer;
		if (currentTimer != null) {
			try {
				currentTimer.schedule(() -> requeue(topic), CONNECT_RETRY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (RejectedExecutionException ex) {
				// The broker stopped.
			}
		}
	}

	private void add(List<String> topics) {
		List<ChannelTopic> channels = channelTopics(topics);
		RuntimeException failure = null;
		boolean cleanedUp = true;
		try {
			callContainer(() -> this.container.addMessageListener(this.redisListener, channels));
		}
		catch (RuntimeException ex) {
			failure = ex;
			logger.warn("Redis did not confirm subscriptions for " + topics.size() + " topic(s): " + ex.getMessage());
			try {
				// Keep the container's own mapping in line with what we consider held.
				callContainer(() -> this.container.removeMessageListener(this.redisListener, channels));
			}
			catch (RuntimeException cleanup) {
				cleanedUp = false;
				logger.debug("Failed to remove the listener of unconfirmed channels", cleanup);
			}
		}
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

	private List<ChannelTopic> channelTopics(List<String> topics) {
		List<ChannelTopic> result = new ArrayList<>(topics.size());
		for (String topic : topics) {
			result.add(new ChannelTopic(channelOf(topic)));
		}
		return result;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			CustomizableThreadFactory timerThreads = new CustomizableThreadFactory("hub-redis-timer-");
			timerThreads.setDaemon(true);
			ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(timerThreads);
			scheduler.scheduleWithFixedDelay(this::probe, this.probeInterval.toMillis(), this.probeInterval.toMillis(),
					TimeUnit.MILLISECONDS);
			PublishDeadlines deadlines = new PublishDeadlines(this.publishTimeout);
			long sweepMillis = sweepInterval(this.publishTimeout).toMillis();
			scheduler.scheduleWithFixedDelay(() -> sweep(deadlines), sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
			this.publishDeadlines = deadlines;
			this.timer = scheduler;
			this.publisher = createPublisher(scheduler);
			installFence();
			this.running = true;
			Thread thread = new Thread(this::runSubscriptions, "hub-redis-subscriptions");
			thread.setDaemon(true);
			this.worker = thread;
			thread.start();
		}
	}

	/**
	 * With Lettuce, watch every connection of the client for losses (see {@link PublishFence}).
	 */
	private void installFence() {
		if (LETTUCE_PRESENT && this.connectionFactory instanceof LettuceConnectionFactory lettuceFactory) {
			AbstractRedisClient client = lettuceFactory.getNativeClient();
			if (client != null) {
				PublishFence newFence = new PublishFence(this.resubscribeWait, this::requestConfirmation);
				client.addListener(newFence);
				this.fencedClient = client;
				this.fence = newFence;
			}
		}
	}

	private static void sweep(PublishDeadlines deadlines) {
		try {
			deadlines.sweep();
		}
		catch (RuntimeException ex) {
			// Never let one failure cancel the periodic sweep.
			logger.error("Failed to check publish deadlines", ex);
		}
	}

	/**
	 * How often publish deadlines are checked: a tenth of the timeout, between 10 and 100 ms.
	 */
	static Duration sweepInterval(Duration publishTimeout) {
		long millis = Math.max(10, Math.min(100, publishTimeout.toMillis() / 10));
		return Duration.ofMillis(millis);
	}

	private Publisher createPublisher(ScheduledExecutorService scheduler) {
		if (LETTUCE_PRESENT && this.connectionFactory instanceof LettuceConnectionFactory lettuceFactory) {
			return new LettucePublisher(lettuceFactory, scheduler, CONNECT_RETRY_INTERVAL);
		}
		if (this.connectionFactory instanceof ReactiveRedisConnectionFactory reactiveFactory) {
			ReactiveRedisConnection connection = reactiveFactory.getReactiveConnection();
			return new ReactivePublisher(connection);
		}
		return new BlockingPublisher(this.connectionFactory);
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (!this.running) {
				return;
			}
			this.running = false;
			boolean workerStopped = stopWorker();
			ScheduledExecutorService currentTimer = this.timer;
			if (currentTimer != null) {
				currentTimer.shutdownNow();
				this.timer = null;
			}
			if (workerStopped) {
				try {
					this.container.removeMessageListener(this.redisListener);
				}
				catch (RuntimeException ex) {
					logger.debug("Failed to remove Redis subscriptions", ex);
				}
			}
			AbstractRedisClient client = this.fencedClient;
			PublishFence currentFence = this.fence;
			if (client != null && currentFence != null) {
				client.removeListener(currentFence);
			}
			this.fencedClient = null;
			this.fence = null;
			this.controlSubscribed = false;
			this.reachable = false;
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
			Publisher current = this.publisher;
			this.publisher = null;
			if (current != null) {
				current.close();
			}
			PublishDeadlines deadlines = this.publishDeadlines;
			this.publishDeadlines = null;
			if (deadlines != null) {
				deadlines.clear();
			}
		}
	}

	/**
	 * Interrupt the subscription thread and wait briefly for it. A thread stuck in a container
	 * call that does not react to interrupts (the container waits for Redis' confirmation
	 * without a timeout) is left behind: it exits by itself once the call returns, and the
	 * container is never called concurrently with it.
	 * @return {@code true} if the thread ended
	 */
	private boolean stopWorker() {
		Thread thread = this.worker;
		if (thread == null) {
			return true;
		}
		this.worker = null;
		thread.interrupt();
		try {
			thread.join(WORKER_STOP_TIMEOUT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (!thread.isAlive()) {
			return true;
		}
		long since = this.containerCallSince;
		logger.warn("The Redis subscription thread is stuck in a call to Redis"
				+ ((since != 0) ? " since " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since) + " ms" : "")
				+ "; stopping without touching the listener container, which closes its connection when it stops");
		return false;
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

	private static boolean startsWith(byte[] value, byte[] prefix) {
		if (value.length < prefix.length) {
			return false;
		}
		for (int i = 0; i < prefix.length; i++) {
			if (value[i] != prefix[i]) {
				return false;
			}
		}
		return true;
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

	private interface Publisher {

		default CompletableFuture<Void> publish(byte[] channel, byte[] payload) {
			return publishCounting(channel, payload).thenApply((receivers) -> null);
		}

		/**
		 * Publish and report how many subscribers Redis delivered to.
		 */
		CompletableFuture<Long> publishCounting(byte[] channel, byte[] payload);

		void close();

	}

	/**
	 * Publishes through Lettuce's asynchronous API on the connection factory's connection (the
	 * shared native connection unless sharing is disabled): the cheapest path, with no reactive
	 * operators between the caller and the command. Calls from one thread reach Redis in call
	 * order.
	 * <p>
	 * Obtaining that connection connects to Redis. It is tried once when the broker starts and,
	 * while Redis is unreachable, again on the broker's timer; until it succeeds, publishes fail
	 * at once, so no caller ever waits for a connection.
	 */
	private static final class LettucePublisher implements Publisher {

		private final LettuceConnectionFactory connectionFactory;

		private final ScheduledExecutorService timer;

		private final Duration retryInterval;

		private volatile @Nullable RedisClusterAsyncCommands<byte[], byte[]> commands;

		private @Nullable LettuceConnection connection;

		private boolean closed;

		LettucePublisher(LettuceConnectionFactory connectionFactory, ScheduledExecutorService timer,
				Duration retryInterval) {
			this.connectionFactory = connectionFactory;
			this.timer = timer;
			this.retryInterval = retryInterval;
			connectOrRetry();
		}

		private void connectOrRetry() {
			if (connect()) {
				return;
			}
			try {
				this.timer.schedule(this::connectOrRetry, this.retryInterval.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (RejectedExecutionException ex) {
				// The broker stopped.
			}
		}

		private synchronized boolean connect() {
			if (this.closed || this.commands != null) {
				return true;
			}
			LettuceConnection candidate = null;
			try {
				candidate = (LettuceConnection) this.connectionFactory.getConnection();
				this.commands = candidate.getNativeConnection();
				this.connection = candidate;
				return true;
			}
			catch (RuntimeException ex) {
				logger.debug("No Redis connection for publishing yet", ex);
				if (candidate != null) {
					closeQuietly(candidate);
				}
				return false;
			}
		}

		@Override
		public CompletableFuture<Long> publishCounting(byte[] channel, byte[] payload) {
			RedisClusterAsyncCommands<byte[], byte[]> current = this.commands;
			if (current == null) {
				return CompletableFuture.failedFuture(new IllegalStateException("Not connected to Redis yet"));
			}
			return current.publish(channel, payload).toCompletableFuture();
		}

		@Override
		public synchronized void close() {
			this.closed = true;
			this.commands = null;
			LettuceConnection current = this.connection;
			this.connection = null;
			if (current != null) {
				closeQuietly(current);
			}
		}

		private static void closeQuietly(LettuceConnection connection) {
			try {
				connection.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Failed to close connection", ex);
			}
		}

	}

	/**
	 * Publishes without blocking on the connection factory's shared reactive connection; calls
	 * from one thread reach Redis in call order because the command is written on subscribe.
	 */
	private static final class ReactivePublisher implements Publisher {

		private final ReactiveRedisConnection connection;

		ReactivePublisher(ReactiveRedisConnection connection) {
			this.connection = connection;
		}

		@Override
		public CompletableFuture<Long> publishCounting(byte[] channel, byte[] payload) {
			return this.connection.pubSubCommands().publish(ByteBuffer.wrap(channel), ByteBuffer.wrap(payload)).toFuture();
		}

		@Override
		public void close() {
			this.connection.closeLater().subscribe(null, (ex) -> logger.debug("Failed to close connection", ex));
		}

	}

	/**
	 * For connection factories without a reactive API (Jedis): publishes on one thread, so
	 * order is kept, and never on the caller's thread.
	 */
	private static final class BlockingPublisher implements Publisher {

		private final RedisConnectionFactory connectionFactory;

		private final ExecutorService executor;

		BlockingPublisher(RedisConnectionFactory connectionFactory) {
			this.connectionFactory = connectionFactory;
			CustomizableThreadFactory threads = new CustomizableThreadFactory("hub-redis-publisher-");
			threads.setDaemon(true);
			this.executor = Executors.newSingleThreadExecutor(threads);
		}

		@Override
		public CompletableFuture<Long> publishCounting(byte[] channel, byte[] payload) {
			return CompletableFuture.supplyAsync(() -> {
				Long receivers = execute((connection) -> connection.publish(channel, payload));
				return (receivers != null) ? receivers : 0L;
			}, this.executor);
		}

		private <T> T execute(Function<RedisConnection, T> action) {
			try (RedisConnection connection = this.connectionFactory.getConnection()) {
				return action.apply(connection);
			}
		}

		@Override
		public void close() {
			this.executor.shutdown();
		}

	}

}
