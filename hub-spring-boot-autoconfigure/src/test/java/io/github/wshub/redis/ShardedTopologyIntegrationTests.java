package io.github.wshub.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisCluster;
import io.github.wshub.testsupport.RedisClusterExtension;
import io.github.wshub.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sharded subscriptions follow the cluster's topology while messages are published: a slot
 * migrated to another master, then a master killed and replaced by its replica. The topics keep
 * a history, so a message the Pub/Sub move lost is read back by the instances' gap repair:
 * every acknowledged publish reaches the subscribers on both instances, once, in order.
 * The migration runs first: the failover leaves the cluster with a master short of a replica.
 *
 * @author wshub
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShardedTopologyIntegrationTests {

	@RegisterExtension
	static final RedisClusterExtension cluster = new RedisClusterExtension();

	private static Instance a;

	private static Instance b;

	@BeforeAll
	static void start() {
		String[] properties = ClusterChannels.properties(cluster, "hub.history.topics=move.**",
				"hub.history.size=100000", "hub.history.max-recover=100000", "hub.redis.probe-interval=1s",
				"hub.redis.probe-timeout=2s", "hub.redis.publish-timeout=2s");
		a = TestHubApplication.start(properties);
		b = TestHubApplication.start(properties);
	}

	@AfterAll
	static void stop() {
		a.close();
		b.close();
	}

	@Test
	@Order(1)
	void slotMigrationUnderPublishingMovesTheSubscriptionsAndLosesNothingAcknowledged() {
		RedisCluster redis = cluster.cluster();
		String topic = "move.migrating";
		int slot = redis.slotOf(ClusterChannels.channel(topic));
		RedisServer source = redis.masterFor(slot);
		RedisServer target = redis.masters().stream().filter((m) -> m.port() != source.port()).findFirst().orElseThrow();
		try (HubTestClient onA = a.connect(); HubTestClient onB = b.connect()) {
			onA.subscribe(topic);
			onB.subscribe(topic);
			Publishing publishing = new Publishing(List.of(topic));
			publishing.awaitAcked(50);
			redis.migrateSlot(slot, target);
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(ClusterChannels.shardNumsub(redis, target, topic)).isEqualTo(2);
				assertThat(ClusterChannels.shardNumsub(redis, source, topic)).isZero();
			});
			publishing.awaitAcked(50);
			publishing.finish();
			publishing.verify(onA);
			publishing.verify(onB);
		}
	}

	@Test
	@Order(2)
	void masterFailoverUnderPublishingRestoresEverySubscriptionAndLosesNothingAcknowledged() {
		RedisCluster redis = cluster.cluster();
		List<String> topics = ClusterChannels.topicsOnEveryMaster(redis, "move.f", 1)
			.values()
			.stream()
			.flatMap(List::stream)
			.toList();
		RedisServer victim = redis.masterForKey(ClusterChannels.channel(topics.get(0)));
		try (HubTestClient onA = a.connect(); HubTestClient onB = b.connect()) {
			topics.forEach(onA::subscribe);
			topics.forEach(onB::subscribe);
			Publishing publishing = new Publishing(topics);
			publishing.awaitAcked(60);
			List<String> problems = new CopyOnWriteArrayList<>();
			redis.kill(victim);
			await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
				String problem = a.broker().getProblem();
				if (problem != null) {
					problems.add(problem);
				}
				return problem != null && problem.contains("127.0.0.1:" + victim.port());
			});
			redis.awaitFailover(victim);
			long promoted = System.nanoTime();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				for (String topic : topics) {
					RedisServer master = redis.masterForKey(ClusterChannels.channel(topic));
					assertThat(ClusterChannels.shardNumsub(redis, master, topic)).as(topic).isEqualTo(2);
				}
			});
			assertThat(Duration.ofNanos(System.nanoTime() - promoted)).isLessThan(Duration.ofSeconds(10));
			await().atMost(Duration.ofSeconds(20)).until(() -> a.broker().isConnected() && b.broker().isConnected());
			publishing.awaitAcked(60);
			publishing.finish();
			publishing.verify(onA);
			publishing.verify(onB);
			assertThat(problems).anyMatch((problem) -> problem.contains("Redis node 127.0.0.1:" + victim.port()));
		}
	}

	/**
	 * Publishes {@code seq} 0, 1, 2, ... on each topic in turn from instance {@code b}, one at a
	 * time, and remembers which publishes were acknowledged.
	 */
	private static final class Publishing {

		private static final int END = Integer.MAX_VALUE;

		private final List<String> topics;

		private final Map<String, Set<Integer>> acked = new ConcurrentHashMap<>();

		private final AtomicInteger ackedCount = new AtomicInteger();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final Thread thread;

		Publishing(List<String> topics) {
			this.topics = topics;
			topics.forEach((topic) -> this.acked.put(topic, ConcurrentHashMap.newKeySet()));
			this.thread = new Thread(this::run, "test-publisher");
			this.thread.start();
		}

		private void run() {
			for (int seq = 0; this.running.get(); seq++) {
				for (String topic : this.topics) {
					if (publish(topic, seq)) {
						this.acked.get(topic).add(seq);
						this.ackedCount.incrementAndGet();
					}
				}
				sleep(10);
			}
		}

		private static boolean publish(String topic, int seq) {
			try {
				b.template().publish(topic, Map.of("seq", seq)).join();
				return true;
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

		void awaitAcked(int more) {
			int goal = this.ackedCount.get() + more;
			await().atMost(Duration.ofSeconds(30)).until(() -> this.ackedCount.get() >= goal);
		}

		/**
		 * Stop publishing and publish an end marker on every topic, until acknowledged.
		 */
		void finish() {
			this.running.set(false);
			try {
				this.thread.join(10_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			for (String topic : this.topics) {
				await().atMost(Duration.ofSeconds(20)).until(() -> publish(topic, END));
			}
		}

		/**
		 * Check that a subscriber received every acknowledged message of every topic, once and
		 * in publish order (publishes that failed may or may not have arrived).
		 */
		void verify(HubTestClient subscriber) {
			Map<String, List<Integer>> received = new ConcurrentHashMap<>();
			Set<String> ended = ConcurrentHashMap.newKeySet();
			while (ended.size() < this.topics.size()) {
				JsonNode message = subscriber.nextMessage();
				String topic = message.get("topic").asString();
				int seq = message.get("data").get("seq").asInt();
				if (seq == END) {
					ended.add(topic);
				}
				else {
					received.computeIfAbsent(topic, (key) -> new ArrayList<>()).add(seq);
				}
			}
			for (String topic : this.topics) {
				List<Integer> seqs = received.getOrDefault(topic, List.of());
				assertThat(seqs).as("%s: no duplicate, no reordering", topic).doesNotHaveDuplicates().isSorted();
				assertThat(seqs).as("%s: every acknowledged message", topic).containsAll(this.acked.get(topic));
			}
		}

		private static void sleep(long millis) {
			try {
				Thread.sleep(millis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
