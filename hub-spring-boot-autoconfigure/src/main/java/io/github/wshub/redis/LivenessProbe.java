package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.broker.BrokerUnavailableException;
import io.github.wshub.redis.SubscriptionTransport.ProbeTarget;

/**
 * Knows whether Redis delivers to this instance, by round trips through Redis: a ping,
 * {@code wshub-ping <n>}, published on the instance's own control channel and received back on
 * the subscription connection. Redis delivers a connection's messages in publish order across
 * channels, so a ping that is back also proves that every message published before it arrived.
 * With sharded Pub/Sub each node delivers its own channels, so one ping goes to each node the
 * instance is subscribed on ({@link SubscriptionTransport#probeTargets()}), and a round trip
 * completes when all are back; a failure names the nodes whose ping did not come back.
 * <p>
 * Every probe interval a ping that does not come back within the probe timeout (or whose
 * {@code PUBLISH} fails) marks Redis unreachable, one that comes back marks it reachable again;
 * each ping is numbered, and a verdict on an older ping never overrides a newer one. Redis
 * counts as reachable once the control channel is first subscribed, and the probe runs only
 * from then on. When Redis becomes reachable again, or a probe succeeds while the
 * {@link PublishFence} is closed, the probe asks for every channel to be subscribed again.
 *
 * @author wshub
 */
final class LivenessProbe {

	// The broker's logger: operators find every broker message under one name.
	private static final Log logger = LogFactory.getLog(RedisTopicBroker.class);

	private static final String PING = "wshub-ping ";

	private static final byte[] PING_BYTES = PING.getBytes(StandardCharsets.US_ASCII);

	private final PublishGate publishing;

	private final TopicChannels channels;

	private final Supplier<List<ProbeTarget>> targets;

	private final Runnable requestConfirmation;

	private final BooleanSupplier running;

	private final ConcurrentHashMap<Long, CompletableFuture<Void>> pings = new ConcurrentHashMap<>();

	private final AtomicLong pingSequence = new AtomicLong();

	private final AtomicLong probeSequence = new AtomicLong();

	// Newest probe that came back and newest that did not: a late verdict on an older probe
	// (sent while Redis was reconnecting) never overrides a newer one.
	private final AtomicLong lastProbeOk = new AtomicLong();

	private final AtomicLong lastProbeFailed = new AtomicLong();

	private volatile boolean controlSubscribed;

	private volatile boolean reachable;

	private volatile long unreachableSince;

	private volatile String unreachable = "Redis";

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	private Duration interval = Duration.ofSeconds(5);

	private Duration timeout = Duration.ofSeconds(3);

	/**
	 * Create a probe.
	 * @param publishing publishes the pings
	 * @param channels the topic channels, counted when Redis recovers
	 * @param targets where to ping: the channels, one per Redis node, that come back to this
	 * instance
	 * @param requestConfirmation asks the broker to subscribe every channel again and confirm it
	 * @param running whether the broker runs: no verdicts are taken while it stops
	 */
	LivenessProbe(PublishGate publishing, TopicChannels channels, Supplier<List<ProbeTarget>> targets,
			Runnable requestConfirmation, BooleanSupplier running) {
		this.publishing = publishing;
		this.channels = channels;
		this.targets = targets;
		this.requestConfirmation = requestConfirmation;
		this.running = running;
	}

	void setInterval(Duration interval) {
		this.interval = interval;
	}

	void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	void setInstrumentation(HubInstrumentation instrumentation) {
		this.instrumentation = instrumentation;
	}

	/**
	 * Probe every interval on the broker's timer, until it is shut down.
	 * @param timer the timer
	 */
	void start(ScheduledExecutorService timer) {
		timer.scheduleWithFixedDelay(this::probe, this.interval.toMillis(), this.interval.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	/**
	 * Record that the control channel is subscribed: Redis is reachable, and the probe runs.
	 */
	void controlChannelSubscribed() {
		this.reachable = true;
		this.controlSubscribed = true;
	}

	/**
	 * Record that subscribing the channels again after a recovery failed: Redis counts as
	 * unreachable until the next probe comes back.
	 */
	void resubscribeFailed() {
		this.reachable = false;
		this.unreachableSince = System.nanoTime();
	}

	/**
	 * Forget the control channel's subscription, when the broker stops.
	 */
	void reset() {
		this.controlSubscribed = false;
		this.reachable = false;
	}

	boolean isControlSubscribed() {
		return this.controlSubscribed;
	}

	/**
	 * Whether the last probe found Redis unreachable, so that subscribes and publishes fail at
	 * once instead of waiting for timeouts.
	 * @return {@code true} while Redis is known to be unreachable
	 */
	boolean isKnownUnreachable() {
		return this.controlSubscribed && !this.reachable;
	}

	/**
	 * Say why Redis does not count as reachable.
	 * @return the reason, or {@code null} when it is reachable
	 */
	@Nullable String getProblem() {
		if (!this.controlSubscribed) {
			return "not subscribed to Redis yet";
		}
		if (!this.reachable) {
			return this.unreachable + " did not return a ping within " + this.timeout.toMillis() + " ms";
		}
		return null;
	}

	/**
	 * Send a ping and complete when it is back.
	 * @return the future, failed with a {@link BrokerUnavailableException} when the ping cannot
	 * be sent or does not come back within the probe timeout
	 */
	CompletableFuture<Void> roundTrip() {
		return pingAll();
	}

	/**
	 * Complete the round trip of a ping received on the control channel.
	 * @param body a payload received on the control channel
	 * @return whether it was a ping
	 */
	boolean handlePing(byte[] body) {
		int length = PING_BYTES.length;
		if (body.length < length || !Arrays.equals(body, 0, length, PING_BYTES, 0, length)) {
			return false;
		}
		try {
			long nonce = Long.parseLong(new String(body, length, body.length - length, StandardCharsets.US_ASCII));
			CompletableFuture<Void> pong = this.pings.get(nonce);
			if (pong != null) {
				pong.complete(null);
			}
		}
		catch (NumberFormatException ex) {
			logger.debug("Ignoring a malformed ping");
		}
		return true;
	}

	private CompletableFuture<Void> pingAll() {
		Publisher current = this.publishing.publisher();
		List<ProbeTarget> all = this.targets.get();
		if (current == null || !this.controlSubscribed || all.isEmpty()) {
			return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis broker is not listening", null));
		}
		List<CompletableFuture<Void>> pongs = new ArrayList<>(all.size());
		for (ProbeTarget target : all) {
			pongs.add(ping(current, target.channel(), this.pingSequence.incrementAndGet()));
		}
		return CompletableFuture.allOf(pongs.toArray(new CompletableFuture<?>[0])).handle((ignored, ex) -> {
			if (ex == null) {
				return null;
			}
			List<String> failed = new ArrayList<>();
			for (int i = 0; i < all.size(); i++) {
				if (pongs.get(i).isCompletedExceptionally()) {
					failed.add(all.get(i).node());
				}
			}
			throw new CompletionException(new UnreachableNodes(String.join(", ", failed), this.timeout, ex));
		});
	}

	private CompletableFuture<Void> ping(Publisher publisher, byte[] channel, long nonce) {
		CompletableFuture<Void> pong = new CompletableFuture<>();
		this.pings.put(nonce, pong);
		try {
			publisher.publish(channel, (PING + nonce).getBytes(StandardCharsets.US_ASCII))
				.whenComplete((ignored, ex) -> {
					if (ex != null) {
						pong.completeExceptionally(ex);
					}
				});
		}
		catch (RuntimeException ex) {
			// On a Redis Cluster, Lettuce may refuse a command for a slot without a master.
			pong.completeExceptionally(ex);
		}
		return pong.orTimeout(this.timeout.toMillis(), TimeUnit.MILLISECONDS)
			.whenComplete((ignored, ex) -> this.pings.remove(nonce));
	}

	private void probe() {
		if (!this.running.getAsBoolean() || !this.controlSubscribed) {
			return;
		}
		long probe = this.probeSequence.incrementAndGet();
		CompletableFuture<Void> pings;
		try {
			pings = pingAll();
		}
		catch (RuntimeException ex) {
			// Never let one failure cancel the periodic probe.
			pings = CompletableFuture.failedFuture(ex);
		}
		pings.whenComplete((ignored, ex) -> {
			if (ex == null) {
				this.lastProbeOk.accumulateAndGet(probe, Math::max);
				if (probe > this.lastProbeFailed.get()) {
					markReachable();
				}
				if (this.publishing.isFenceClosed()) {
					this.requestConfirmation.run();
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
		if (this.reachable || !this.running.getAsBoolean()) {
			return;
		}
		this.reachable = true;
		long downMillis = (System.nanoTime() - this.unreachableSince) / 1_000_000;
		logger.info("Redis broker recovered after " + downMillis + " ms; re-subscribing "
				+ this.channels.heldTopics().size() + " topic(s)");
		this.instrumentation.brokerReconnected();
		this.requestConfirmation.run();
	}

	private void markUnreachable(Throwable ex) {
		Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
		if (cause instanceof UnreachableNodes nodes) {
			// Named even when already unreachable: the health detail says which node is down now.
			this.unreachable = nodes.nodes;
		}
		if (!this.reachable || !this.running.getAsBoolean()) {
			return;
		}
		this.reachable = false;
		this.unreachableSince = System.nanoTime();
		logger.warn("Redis broker is unreachable (" + cause.getMessage() + "); client subscribes and publishes fail "
				+ "with broker_unavailable until it recovers");
	}

	/**
	 * Some pings did not come back.
	 */
	private static final class UnreachableNodes extends BrokerUnavailableException {

		private final String nodes;

		UnreachableNodes(String nodes, Duration timeout, Throwable cause) {
			super(nodes + " did not return a ping within " + timeout.toMillis() + " ms", cause);
			this.nodes = nodes;
		}

	}

}
