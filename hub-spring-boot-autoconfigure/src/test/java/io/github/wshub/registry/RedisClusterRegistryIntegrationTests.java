package io.github.wshub.registry;

import java.io.File;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import io.github.wshub.redis.ClusterDetection;
import io.github.wshub.session.SendResult;
import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisCluster;
import io.github.wshub.testsupport.RedisClusterExtension;
import io.github.wshub.testsupport.RedisServer;

import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real instances on a real Redis Cluster (three masters, three replicas) with classic
 * Pub/Sub: targeted delivery through the registry, topics across instances, a SIGKILLed
 * instance reaped, and the registry repaired after the failover of the master that held a user's
 * entry (a write the replica had not received).
 * The failover runs last: it leaves the cluster with a promoted replica.
 *
 * @author wshub
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterRegistryIntegrationTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	private static final Duration SETTLE = Duration.ofSeconds(30);

	private static Instance a;

	private static Instance b;

	@BeforeAll
	static void start() {
		a = start("a");
		b = start("b");
	}

	@AfterAll
	static void stop() {
		if (a != null) {
			a.close();
		}
		if (b != null) {
			b.close();
		}
	}

	private static Instance start(String id) {
		List<String> properties = new ArrayList<>(List.of(settings()));
		properties.add("hub.instance-id=" + id);
		return TestHubApplication.start(properties.toArray(String[]::new));
	}

	private static String[] settings() {
		return new String[] { "spring.data.redis.cluster.nodes=" + redis.cluster().nodesProperty(),
				"spring.data.redis.timeout=1s", "hub.registry.heartbeat-interval=250ms",
				"hub.registry.instance-ttl=3s" };
	}

	@Test
	@Order(1)
	void hubRunsOnTheClusterConnectionFactory() {
		assertThat(ClusterDetection.isCluster(a.context().getBean(RedisConnectionFactory.class))).isTrue();
	}

	@Test
	@Order(2)
	void targetedMessageReachesTheUserOnEitherInstance() {
		try (HubTestClient aliceOnA = a.connectAs("alice"); HubTestClient aliceOnB = b.connectAs("alice");
				HubTestClient bobOnB = b.connectAs("bob")) {
			await().atMost(SETTLE).until(() -> a.template().locateUser("alice").join().size() == 2);
			assertThat(b.template().locateUser("alice").join()).containsEntry(aliceOnA.sessionId(), "a")
				.containsEntry(aliceOnB.sessionId(), "b");
			assertThat(a.template().sendToUser("alice", Map.of("text", "hi")).join()).isEqualTo(new SendResult(2, 2));
			assertThat(direct(aliceOnA).get("text").asString()).isEqualTo("hi");
			assertThat(direct(aliceOnB).get("text").asString()).isEqualTo("hi");
			assertThat(a.template().sendToSession(bobOnB.sessionId(), "just bob").join())
				.isEqualTo(new SendResult(1, 1));
			assertThat(bobOnB.next((f) -> "direct".equals(HubTestClient.type(f))).get("data").asString())
				.isEqualTo("just bob");
			assertThat(aliceOnA.poll(Duration.ofMillis(200))).isNull();
			// The user's hash lives on the master of the user's slot; the instance's keys on theirs.
			RedisCluster cluster = redis.cluster();
			assertThat(cluster.masterForKey("hub:user:{alice}").execute("HGET", "hub:user:{alice}",
					aliceOnB.sessionId())).isEqualTo("b");
			assertThat(cluster.masterForKey("hub:instance:{b}").execute("HGET", "hub:instance:{b}:sessions",
					aliceOnB.sessionId())).isEqualTo("alice");
		}
		await().atMost(SETTLE).until(() -> !b.template().isOnline("alice").join());
	}

	@Test
	@Order(3)
	void topicsCrossInstancesWithClassicPubSubAcrossTopologyRefreshes() throws InterruptedException {
		List<String> topics = List.of("chat.one", "chat.two", "news.three", "scores.four", "misc.five");
		try (HubTestClient onA = a.connect(); HubTestClient publisher = b.connect()) {
			topics.forEach(onA::subscribe);
			// Longer than the hub's 5 s topology refresh: Lettuce's refresh connections, opened and
			// closed on purpose, must not close the publish fence.
			int count = 45;
			for (int i = 0; i < count; i++) {
				publisher.publish(topics.get(i % topics.size()), "{\"seq\":" + i + "}");
				Thread.sleep(150);
			}
			for (int i = 0; i < count; i++) {
				JsonNode message = onA.nextMessage();
				assertThat(message.get("topic").asString()).isEqualTo(topics.get(i % topics.size()));
				assertThat(message.get("data").get("seq").asInt()).isEqualTo(i);
			}
		}
	}

	@Test
	@Order(4)
	void killedInstanceIsReaped() throws Exception {
		int port = RedisServer.freePort();
		List<String> args = new ArrayList<>();
		for (String setting : settings()) {
			args.add("--" + setting);
		}
		args.add("--hub.instance-id=doomed");
		Process doomed = TestHubApplication.startProcess(port, new File("target/cluster-doomed-instance.log"),
				args.toArray(String[]::new));
		try {
			HubTestClient carol = HubTestClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws?user=carol"));
			await().atMost(SETTLE)
				.until(() -> a.template().locateUser("carol").join().equals(Map.of(carol.sessionId(), "doomed")));
			doomed.destroyForcibly().waitFor();
			await().atMost(SETTLE).until(() -> !a.template().isOnline("carol").join());
			assertThat(b.template().sendToUser("carol", "anyone?").join()).isEqualTo(SendResult.NONE);
			RedisCluster cluster = redis.cluster();
			await().atMost(SETTLE).untilAsserted(() -> {
				assertThat(cluster.masterForKey("hub:instance:{doomed}")
					.execute("EXISTS", "hub:instance:{doomed}:sessions", "hub:instance:{doomed}:purging"))
					.isEqualTo(0L);
				assertThat(cluster.masterForKey("hub:user:{carol}").execute("EXISTS", "hub:user:{carol}"))
					.isEqualTo(0L);
				assertThat(cluster.masterForKey("hub:sessions").execute("HEXISTS", "hub:sessions", carol.sessionId()))
					.isEqualTo(0L);
				assertThat(cluster.masterForKey("hub:instances").execute("SISMEMBER", "hub:instances", "doomed"))
					.isEqualTo(0L);
			});
			carol.close();
		}
		finally {
			doomed.destroyForcibly();
		}
	}

	@Test
	@Order(5)
	void registryHoldsAfterTheMasterOfAUsersEntryFailedOver() {
		RedisCluster cluster = redis.cluster();
		try (HubTestClient daveOnA = a.connectAs("dave")) {
			await().atMost(SETTLE).until(() -> b.template().locateUser("dave").join().size() == 1);
			RedisServer master = cluster.masterForKey("hub:user:{dave}");
			// As if the failover lost the write: the replica never saw dave's entry.
			assertThat(master.execute("DEL", "hub:user:{dave}")).isEqualTo(1L);
			cluster.kill(master);
			RedisServer promoted = cluster.awaitFailover(master);
			assertThat(promoted).isNotEqualTo(master);
			// Each instance's client finds the promoted replica, and the instance that holds dave
			// rewrites its entries once its client has seen the topology change.
			await().atMost(SETTLE).ignoreExceptions().untilAsserted(() -> {
				assertThat(b.template().locateUser("dave").join()).isEqualTo(Map.of(daveOnA.sessionId(), "a"));
				assertThat(b.template().sendToUser("dave", "after failover").join().isDelivered()).isTrue();
			});
			assertThat(daveOnA.next((f) -> "direct".equals(HubTestClient.type(f))).get("data").asString())
				.isEqualTo("after failover");
			try (HubTestClient erinOnB = b.connectAs("erin")) {
				await().atMost(SETTLE)
					.ignoreExceptions()
					.until(() -> a.template().locateUser("erin").join().equals(Map.of(erinOnB.sessionId(), "b")));
			}
		}
	}

	private static JsonNode direct(HubTestClient client) {
		return client.next((f) -> "direct".equals(HubTestClient.type(f))).get("data");
	}

}
