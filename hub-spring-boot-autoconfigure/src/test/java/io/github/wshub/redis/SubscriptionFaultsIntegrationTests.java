package io.github.wshub.redis;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.broker.BrokerUnavailableException;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.listener.Topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The broker's subscription thread against a real Redis whose container calls fail or hang:
 * a failed container call affects only its own topics, Redis ends up subscribed to exactly
 * the wanted channels, a stuck call shows in health, and stopping never calls the container
 * concurrently with a stuck call. The container is a real one, with failures injected around
 * its calls where a test names them.
 *
 * @author wshub
 */
class SubscriptionFaultsIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private @Nullable LettuceConnectionFactory factory;

	private @Nullable FlakyContainer container;

	private @Nullable RedisTopicBroker broker;

	@AfterEach
	void stop() {
		// A pause must not outlive its test.
		redis.server().execute("CLIENT", "UNPAUSE");
		if (this.broker != null) {
			this.broker.stop();
		}
		if (this.container != null) {
			this.container.stop();
		}
		if (this.factory != null) {
			this.factory.destroy();
		}
	}

	@Test
	void failedUnsubscribeDoesNotHoldUpTheBatchAndIsRetriedUntilRedisLetsGo() throws Exception {
		RedisTopicBroker broker = start(Duration.ofMillis(500), Duration.ofSeconds(10));
		broker.subscribe("one").get(5, TimeUnit.SECONDS);
		CountDownLatch release = this.container.blockNextAdd();
		CompletableFuture<Void> blocker = broker.subscribe("blocker");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.container.blocked.getCount() == 0);
		// Queued while the subscription thread is busy: one batch with an UNSUBSCRIBE that
		// fails and a SUBSCRIBE.
		this.container.failRemovals.set(1);
		broker.unsubscribe("one");
		CompletableFuture<Void> two = broker.subscribe("two");
		release.countDown();
		blocker.get(5, TimeUnit.SECONDS);
		two.get(2, TimeUnit.SECONDS);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(redis.pubsubChannels("t:topic:*"))
				.containsExactlyInAnyOrder("t:topic:blocker", "t:topic:two"));
		assertThat(broker.subscribedTopics()).containsExactlyInAnyOrder("blocker", "two");
	}

	@Test
	void unconfirmedSubscribeWhoseCleanUpFailsFailsAtOnceAndIsReleasedInRedis() throws Exception {
		RedisTopicBroker broker = start(Duration.ofMillis(500), Duration.ofSeconds(10));
		// SUBSCRIBE goes to Redis but the container reports a failure, and so does its clean-up.
		this.container.failAddsAfterCall.set(1);
		this.container.failRemovals.set(1);
		CompletableFuture<Void> three = broker.subscribe("three");
		assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
			.isThrownBy(() -> three.get(2, TimeUnit.SECONDS))
			.withCauseInstanceOf(BrokerUnavailableException.class);
		// What the local registry does after a failed subscribe: the topic is unwanted.
		broker.unsubscribe("three");
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(redis.pubsubChannels("t:topic:*")).isEmpty());
		broker.subscribe("three").get(5, TimeUnit.SECONDS);
		assertThat(redis.pubsubChannels("t:topic:*")).containsExactly("t:topic:three");
	}

	@Test
	void afterRedisWasPausedRedisHoldsExactlyTheWantedChannels() throws Exception {
		RedisTopicBroker broker = start(Duration.ofMillis(300), Duration.ofSeconds(10));
		broker.subscribe("stay").get(5, TimeUnit.SECONDS);
		broker.subscribe("leave").get(5, TimeUnit.SECONDS);
		// Longer than the command timeout: the container's UNSUBSCRIBE and SUBSCRIBE time out.
		redis.server().execute("CLIENT", "PAUSE", "1500", "ALL");
		broker.unsubscribe("leave");
		CompletableFuture<Void> join = broker.subscribe("join");
		List<String> wanted = new java.util.ArrayList<>(List.of("t:topic:stay"));
		try {
			join.get(5, TimeUnit.SECONDS);
			wanted.add("t:topic:join");
		}
		catch (java.util.concurrent.ExecutionException ex) {
			assertThat(ex).hasCauseInstanceOf(BrokerUnavailableException.class);
			// What the local registry does after a failed subscribe.
			broker.unsubscribe("join");
		}
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(redis.pubsubChannels("t:topic:*")).containsExactlyInAnyOrderElementsOf(wanted));
		assertThat(broker.subscribedTopics()).containsExactlyInAnyOrderElementsOf(
				wanted.stream().map((channel) -> channel.substring("t:topic:".length())).toList());
	}

	@Test
	void subscriptionThreadStuckLongerThanTheSubscribeTimeoutTurnsHealthDown() throws Exception {
		RedisTopicBroker broker = start(Duration.ofSeconds(30), Duration.ofMillis(500));
		broker.subscribe("before").get(5, TimeUnit.SECONDS);
		assertThat(broker.isConnected()).isTrue();
		redis.server().execute("CLIENT", "PAUSE", "3000", "ALL");
		long paused = System.nanoTime();
		broker.subscribe("during");
		await().atMost(Duration.ofSeconds(2)).until(() -> !broker.isConnected());
		assertThat(broker.getProblem()).contains("subscription thread has waited");
		assertThat(Duration.ofNanos(System.nanoTime() - paused)).isLessThan(Duration.ofMillis(2500));
		await().atMost(Duration.ofSeconds(10)).until(broker::isConnected);
		broker.subscribe("during").get(5, TimeUnit.SECONDS);
	}

	@Test
	void stopWhileTheSubscriptionThreadIsStuckNeitherWaitsForItNorCallsTheContainerBesideIt() throws Exception {
		RedisTopicBroker broker = start(Duration.ofSeconds(30), Duration.ofMillis(500));
		broker.subscribe("before").get(5, TimeUnit.SECONDS);
		redis.server().execute("CLIENT", "PAUSE", "6000", "ALL");
		broker.subscribe("during");
		await().atMost(Duration.ofSeconds(2)).until(() -> this.container.inside.get() == 1);
		long start = System.nanoTime();
		broker.stop();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
		// The stuck call returns when Redis answers again; nothing overlapped it.
		await().atMost(Duration.ofSeconds(15)).until(() -> this.container.inside.get() == 0);
		assertThat(this.container.maxInside.get()).isEqualTo(1);
	}

	private RedisTopicBroker start(Duration commandTimeout, Duration subscribeTimeout) {
		LettuceConnectionFactory connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", redis.port()),
				LettuceClientConfiguration.builder().commandTimeout(commandTimeout).build());
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		this.factory = connectionFactory;
		FlakyContainer flaky = new FlakyContainer();
		flaky.setConnectionFactory(connectionFactory);
		flaky.setTaskExecutor(new SyncTaskExecutor());
		flaky.afterPropertiesSet();
		flaky.start();
		this.container = flaky;
		RedisTopicBroker newBroker = new RedisTopicBroker(flaky, connectionFactory, "t:", "faults", Duration.ZERO,
				subscribeTimeout);
		// Only the subscription thread's own state decides health here.
		newBroker.setProbeInterval(Duration.ofHours(1));
		newBroker.setMessageListener((message) -> {
		});
		newBroker.setControlMessageListener((payload) -> {
		});
		newBroker.start();
		this.broker = newBroker;
		await().atMost(Duration.ofSeconds(10)).until(newBroker::isConnected);
		return newBroker;
	}

	/**
	 * A real container around whose calls failures are injected, and that records how many
	 * calls run at once.
	 */
	static final class FlakyContainer extends RedisMessageListenerContainer {

		final AtomicInteger failRemovals = new AtomicInteger();

		final AtomicInteger failAddsAfterCall = new AtomicInteger();

		final AtomicInteger inside = new AtomicInteger();

		final AtomicInteger maxInside = new AtomicInteger();

		volatile CountDownLatch blocked = new CountDownLatch(0);

		private volatile @Nullable CountDownLatch gate;

		CountDownLatch blockNextAdd() {
			CountDownLatch release = new CountDownLatch(1);
			this.blocked = new CountDownLatch(1);
			this.gate = release;
			return release;
		}

		@Override
		public void addMessageListener(MessageListener listener, Collection<? extends Topic> topics) {
			enter();
			try {
				CountDownLatch release = this.gate;
				if (release != null) {
					this.gate = null;
					this.blocked.countDown();
					release.await(10, TimeUnit.SECONDS);
				}
				super.addMessageListener(listener, topics);
				if (this.failAddsAfterCall.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
					throw new IllegalStateException("Injected: no confirmation for " + List.copyOf(topics));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				leave();
			}
		}

		@Override
		public void removeMessageListener(MessageListener listener, Collection<? extends Topic> topics) {
			enter();
			try {
				if (this.failRemovals.getAndUpdate((n) -> Math.max(0, n - 1)) > 0) {
					throw new IllegalStateException("Injected: UNSUBSCRIBE timed out for " + List.copyOf(topics));
				}
				super.removeMessageListener(listener, topics);
			}
			finally {
				leave();
			}
		}

		@Override
		public void removeMessageListener(MessageListener listener) {
			enter();
			try {
				super.removeMessageListener(listener);
			}
			finally {
				leave();
			}
		}

		// Calls the container makes to itself count once: only calls from different threads
		// overlap.
		private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);

		private void enter() {
			if (this.depth.get()[0]++ == 0) {
				int now = this.inside.incrementAndGet();
				this.maxInside.accumulateAndGet(now, Math::max);
			}
		}

		private void leave() {
			if (--this.depth.get()[0] == 0) {
				this.inside.decrementAndGet();
			}
		}

	}

}
