package io.github.wshub.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import io.lettuce.core.AbstractRedisClient;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.BrokerUnavailableException;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * The broker's way to Redis for everything it publishes, and what a publish promises. Between
 * {@link #start} and {@link #stop} it holds a {@link Publisher} (Lettuce's asynchronous API,
 * else a reactive connection, else one blocking thread), the {@link PublishDeadlines} of
 * publishes in flight and, with Lettuce, the {@link PublishFence} watching the client's
 * connections. A publish {@link #send sent} through it fails at once while it is stopped or the
 * fence is closed, fails after the publish timeout without a reply, and completes normally only
 * when the fence accepts Redis' reply.
 *
 * @author wshub
 */
final class PublishGate {

	// The broker's logger: operators find every broker message under one name.
	private static final Log logger = LogFactory.getLog(RedisTopicBroker.class);

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			PublishGate.class.getClassLoader());

	private final RedisConnectionFactory connectionFactory;

	private final boolean sharded;

	private final Runnable requestConfirmation;

	private final boolean countsReceivers;

	private Duration timeout = Duration.ofSeconds(5);

	private Duration resubscribeWait = Duration.ofSeconds(10);

	private volatile @Nullable Publisher publisher;

	private volatile @Nullable PublishDeadlines deadlines;

	private volatile @Nullable PublishFence fence;

	private @Nullable AbstractRedisClient fencedClient;

	/**
	 * Create a gate.
	 * @param connectionFactory the factory whose connection publishes
	 * @param sharded whether to publish with {@code SPUBLISH}, which needs Lettuce
	 * @param requestConfirmation asks the broker to subscribe its channels again and confirm
	 * them, when a lost connection is back (see {@link PublishFence})
	 */
	PublishGate(RedisConnectionFactory connectionFactory, boolean sharded, Runnable requestConfirmation) {
		this.connectionFactory = connectionFactory;
		this.sharded = sharded;
		this.requestConfirmation = requestConfirmation;
		// SPUBLISH counts every subscriber of a sharded channel: they all are on its master.
		this.countsReceivers = sharded || !ClusterDetection.isCluster(connectionFactory);
	}

	/**
	 * Whether the count {@code PUBLISH} returns is every subscriber of the channel. With sharded
	 * Pub/Sub it is ({@code SPUBLISH} reaches only the master that owns the channel, where every
	 * subscriber is). With classic Pub/Sub on Redis Cluster it is not: a classic
	 * {@code PUBLISH} reaches the subscribers of every node, but counts only those connected to
	 * the node that received it. There the fence judges no counts (its third rule is off) and a
	 * count of zero does not mean nobody received it.
	 * @return {@code false} with classic Pub/Sub on Redis Cluster
	 */
	boolean countsReceivers() {
		return this.countsReceivers;
	}

	void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	void setResubscribeWait(Duration resubscribeWait) {
		this.resubscribeWait = resubscribeWait;
	}

	/**
	 * Connect the publisher, start checking deadlines on the timer and, with Lettuce, install
	 * the fence.
	 * @param timer the broker's timer, which runs the deadline sweep and connection retries
	 */
	void start(ScheduledExecutorService timer) {
		PublishDeadlines newDeadlines = new PublishDeadlines(this.timeout);
		long sweepMillis = sweepInterval(this.timeout).toMillis();
		timer.scheduleWithFixedDelay(() -> sweep(newDeadlines), sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
		this.deadlines = newDeadlines;
		this.publisher = createPublisher(timer);
		installFence();
	}

	private Publisher createPublisher(ScheduledExecutorService timer) {
		if (LETTUCE_PRESENT && this.connectionFactory instanceof LettuceConnectionFactory lettuceFactory) {
			return new LettucePublisher(lettuceFactory, timer, RedisTopicBroker.RETRY_INTERVAL, this.sharded);
		}
		if (this.sharded) {
			throw new IllegalStateException("Sharded Pub/Sub needs the Lettuce Redis client");
		}
		if (this.connectionFactory instanceof ReactiveRedisConnectionFactory reactiveFactory) {
			return new ReactivePublisher(reactiveFactory.getReactiveConnection());
		}
		return new BlockingPublisher(this.connectionFactory);
	}

	/**
	 * With Lettuce, watch every connection of the client for losses (see {@link PublishFence}).
	 */
	private void installFence() {
		if (LETTUCE_PRESENT && this.connectionFactory instanceof LettuceConnectionFactory lettuceFactory) {
			AbstractRedisClient client = lettuceFactory.getNativeClient();
			if (client != null) {
				PublishFence newFence = new PublishFence(this.resubscribeWait, this.requestConfirmation);
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

	/**
	 * Remove the fence, close the publisher and stop tracking deadlines: publishes in flight
	 * complete however Redis answers.
	 */
	void stop() {
		AbstractRedisClient client = this.fencedClient;
		PublishFence currentFence = this.fence;
		if (client != null && currentFence != null) {
			client.removeListener(currentFence);
		}
		this.fencedClient = null;
		this.fence = null;
		Publisher current = this.publisher;
		this.publisher = null;
		if (current != null) {
			current.close();
		}
		PublishDeadlines currentDeadlines = this.deadlines;
		this.deadlines = null;
		if (currentDeadlines != null) {
			currentDeadlines.clear();
		}
	}

	/**
	 * PUBLISH a payload, failing at once while the gate is stopped or the {@link PublishFence}
	 * is closed, and after the publish timeout otherwise. Completes normally only when the
	 * fence accepts Redis' reply.
	 * @param channel the channel
	 * @param payload the payload
	 * @param topic the topic, or {@code null} for a control message
	 * @return the number of subscribers Redis delivered to, or a future failed with a
	 * {@link BrokerUnavailableException}
	 */
	CompletableFuture<Long> send(byte[] channel, byte[] payload, @Nullable String topic) {
		return send((publisher) -> publisher.publishCounting(channel, payload), (receivers) -> receivers, topic);
	}

	/**
	 * Run a publishing script ({@link HistoryScripts#PUBLISH}) under the same rules as
	 * {@link #send(byte[], byte[], String)}: the fence's ticket is checked, and the script's
	 * {@code PUBLISH} count is the receivers the fence judges.
	 * @param script the script
	 * @param keys the keys
	 * @param args the arguments
	 * @param topic the topic
	 * @return the script's reply, whose third element is the {@code PUBLISH} count, or a future
	 * failed with a {@link BrokerUnavailableException}
	 */
	CompletableFuture<List<Object>> sendScript(HistoryScripts.Script script, byte[][] keys, byte[][] args,
			String topic) {
		return send((publisher) -> publisher.eval(script, keys, args), (reply) -> (Long) reply.get(2), topic);
	}

	/**
	 * Run a script that publishes nothing, failing at once while stopped and after the publish
	 * timeout.
	 * @param script the script
	 * @param keys the keys
	 * @param args the arguments
	 * @return the script's reply, or a future failed with a {@link BrokerUnavailableException}
	 */
	CompletableFuture<List<Object>> read(HistoryScripts.Script script, byte[][] keys, byte[][] args) {
		Publisher current = this.publisher;
		if (current == null) {
			return CompletableFuture.failedFuture(
					new BrokerUnavailableException("Redis broker is not running", new IllegalStateException()));
		}
		CompletableFuture<List<Object>> reply = current.eval(script, keys, args);
		PublishDeadlines currentDeadlines = this.deadlines;
		if (currentDeadlines != null) {
			currentDeadlines.add(reply);
		}
		return reply.handle((result, ex) -> {
			if (ex != null) {
				throw new CompletionException(new BrokerUnavailableException("Redis did not answer a history read", ex));
			}
			return result;
		});
	}

	private <T> CompletableFuture<T> send(Function<Publisher, CompletableFuture<T>> command,
			ToLongFunction<T> receiversOf, @Nullable String topic) {
		Publisher current = this.publisher;
		if (current == null) {
			return CompletableFuture.failedFuture(
					new BrokerUnavailableException("Redis broker is not running", new IllegalStateException()));
		}
		PublishFence currentFence = this.fence;
		long ticket = (currentFence != null) ? currentFence.ticket() : 0;
		if (ticket < 0) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException(
					"Redis reconnected; this instance is confirming its subscriptions before it publishes again",
					null));
		}
		PublishDeadlines currentDeadlines = this.deadlines;
		CompletableFuture<T> published = command.apply(current);
		if (currentDeadlines != null) {
			currentDeadlines.add(published);
		}
		return published.handle((reply, ex) -> {
			if (ex != null) {
				throw new CompletionException(
						new BrokerUnavailableException("Redis did not accept " + describe(topic), ex));
			}
			// Without reliable counts, the fence checks the ticket only (a null topic).
			String refusal = (currentFence != null)
					? currentFence.verdict(this.countsReceivers ? topic : null, ticket, receiversOf.applyAsLong(reply))
					: null;
			if (refusal != null) {
				throw new CompletionException(
						new BrokerUnavailableException("Redis accepted " + describe(topic) + ", but " + refusal, null));
			}
			return reply;
		});
	}

	// Only for failures: a publish that succeeds builds no message.
	private static String describe(@Nullable String topic) {
		return (topic != null) ? "the publish on topic '" + topic + "'" : "a control message";
	}

	/**
	 * Return the publisher, for messages that need none of the guarantees of {@link #send}
	 * (the probe's pings).
	 * @return the publisher, or {@code null} while stopped
	 */
	@Nullable Publisher publisher() {
		return this.publisher;
	}

	/**
	 * Return the fence.
	 * @return the fence, or {@code null} while stopped or without Lettuce
	 */
	@Nullable PublishFence fence() {
		return this.fence;
	}

	/**
	 * Whether a lost connection closed the fence and publishes are refused until the broker
	 * confirmed its subscriptions.
	 * @return {@code true} while the fence is closed
	 */
	boolean isFenceClosed() {
		PublishFence currentFence = this.fence;
		return currentFence != null && !currentFence.isOpen();
	}

}
