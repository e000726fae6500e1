package io.github.wshub.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisCluster;
import io.github.wshub.testsupport.RedisClusterExtension;
import io.github.wshub.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real instances on a real Redis Cluster (three masters, three replicas) with sharded
 * Pub/Sub, chosen automatically: topics spread over every master keep their order across
 * instances, and each master holds a topic's sharded channel only while an instance has local
 * subscribers, as the masters themselves report it (and the Actuator endpoint, per master).
 *
 * @author wshub
 */
class ShardedPubSubIntegrationTests {

	@RegisterExtension
	static final RedisClusterExtension cluster = new RedisClusterExtension();

	private static Instance a;

	private static Instance b;

	@BeforeAll
	static void start() {
		// No liveness probe: a probe that times out on a loaded machine re-subscribes every
		// channel on recovery, which would add SSUBSCRIBE commands these tests count.
		a = TestHubApplication.start(properties("hub.redis.probe-interval=1h",
				"management.endpoints.web.exposure.include=hub"));
		b = TestHubApplication.start(properties("hub.redis.probe-interval=1h"));
		awaitProbeChannels(cluster.cluster(), 2);
	}

	/**
	 * Wait until every master holds a probe channel of each instance: they are subscribed
	 * once, right after start, and must not count among the SSUBSCRIBE commands of a test.
	 */
	static void awaitProbeChannels(RedisCluster redis, int instances) {
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			for (RedisServer master : redis.masters()) {
				assertThat(ClusterChannels.shardChannels(redis, master, "hub:instance:*:probe:*")).as("%s", master)
					.hasSize(instances);
			}
		});
	}

	private static String[] properties(String... extra) {
		return ClusterChannels.properties(cluster, extra);
	}

	@AfterAll
	static void stop() {
		a.close();
		b.close();
	}

	@Test
	void fiftyTopicsOnEveryMasterKeepTheirOrderOnEveryInstance() {
		RedisCluster redis = cluster.cluster();
		List<String> topics = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			topics.add("spread.t" + i);
		}
		assertThat(topics.stream().map((topic) -> redis.masterForKey(ClusterChannels.channel(topic)).port()).distinct())
			.hasSize(3);
		int perPublisher = 20;
		try (HubTestClient onA = a.connect(); HubTestClient onB = b.connect(); HubTestClient publisher = b.connect()) {
			topics.forEach(onA::subscribe);
			topics.forEach(onB::subscribe);
			CompletableFuture<Void> fromClient = CompletableFuture.runAsync(() -> {
				for (int i = 0; i < perPublisher; i++) {
					for (String topic : topics) {
						publisher.sendAsync("{\"type\":\"publish\",\"topic\":\"" + topic
								+ "\",\"data\":{\"p\":\"c\",\"seq\":" + i + "}}");
					}
				}
				publisher.send("{\"type\":\"publish\",\"topic\":\"spread.done\",\"data\":0,\"id\":\"done\"}");
				publisher.expectAck("done");
			});
			CompletableFuture<Void> fromServer = CompletableFuture.runAsync(() -> {
				CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
				for (int i = 0; i < perPublisher; i++) {
					for (String topic : topics) {
						last = a.template().publish(topic, Map.of("p", "s", "seq", i));
					}
				}
				last.join();
			});
			CompletableFuture.allOf(fromClient, fromServer).join();
			int total = topics.size() * perPublisher * 2;
			Map<String, List<String>> seenOnA = byTopic(onA.messages(total));
			Map<String, List<String>> seenOnB = byTopic(onB.messages(total));
			assertThat(seenOnA).isEqualTo(seenOnB).containsOnlyKeys(topics);
			seenOnA.forEach((topic, sequence) -> {
				for (String publisherName : List.of("c", "s")) {
					List<Integer> seqs = sequence.stream()
						.filter((entry) -> entry.startsWith(publisherName + ":"))
						.map((entry) -> Integer.parseInt(entry.substring(2)))
						.toList();
					assertThat(seqs).as("%s from %s", topic, publisherName).isSorted().hasSize(perPublisher);
				}
			});
		}
	}

	@Test
	void eachMasterHoldsAChannelOnlyWhileAnInstanceHasLocalSubscribers() throws Exception {
		RedisCluster redis = cluster.cluster();
		Map<Integer, List<String>> byMaster = ClusterChannels.topicsOnEveryMaster(redis, "lazy.s", 2);
		List<String> topics = byMaster.values().stream().flatMap(List::stream).toList();
		List<RedisServer> masters = redis.masters();
		// Topics of other tests are released once their sessions closed and the grace passed.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> a.broker().subscribedTopics().isEmpty() && b.broker().subscribedTopics().isEmpty());
		masters.forEach((master) -> redis.execute(master, "CONFIG", "RESETSTAT"));
		try (HubTestClient first = a.connect(); HubTestClient second = a.connect(); HubTestClient third = b.connect()) {
			topics.forEach(first::subscribe);
			for (RedisServer master : masters) {
				assertThat(ClusterChannels.shardChannels(redis, master, "hub:topic:{lazy.s*"))
					.as("channels on %s", master)
					.containsExactlyInAnyOrderElementsOf(
							byMaster.get(master.port()).stream().map(ClusterChannels::channel).toList());
			}
			JsonNode perNode = actuatorHub(a).get("broker").get("subscriptionsPerNode");
			assertThat(perNode.properties()).hasSize(3);
			for (RedisServer master : masters) {
				assertThat(perNode.get("127.0.0.1:" + master.port()).asInt()).as("%s", master).isEqualTo(2);
			}
			topics.forEach(second::subscribe);
			third.subscribe(topics.get(0));
			RedisServer firstMaster = redis.masterForKey(ClusterChannels.channel(topics.get(0)));
			assertThat(ClusterChannels.shardNumsub(redis, firstMaster, topics.get(0))).isEqualTo(2);
			// 0 -> 1 transitions: six topics on a, one on b.
			long ssubscribes = masters.stream()
				.mapToLong((master) -> master.commandCalls("ssubscribe"))
				.sum();
			assertThat(ssubscribes).isBetween(1L, 7L);
			topics.forEach(first::unsubscribe);
			assertThat(a.broker().subscribedTopics()).containsAll(topics);
			topics.forEach(second::unsubscribe);
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				for (String topic : topics) {
					RedisServer master = redis.masterForKey(ClusterChannels.channel(topic));
					assertThat(ClusterChannels.shardNumsub(redis, master, topic)).as(topic)
						.isEqualTo(topic.equals(topics.get(0)) ? 1 : 0);
				}
			});
			assertThat(a.broker().subscribedTopics()).doesNotContainAnyElementsOf(topics);
			assertThat(b.broker().subscribedTopics()).contains(topics.get(0));
		}
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			for (RedisServer master : masters) {
				assertThat(ClusterChannels.shardChannels(redis, master, "hub:topic:{lazy.s*")).isEmpty();
			}
		});
		assertThat(masters.stream()
			.mapToLong((master) -> master.commandCalls("ssubscribe"))
			.sum()).isBetween(1L, 7L);
	}

	@Test
	void quickResubscribeWithinGraceDoesNotChurnTheCluster() {
		RedisCluster redis = cluster.cluster();
		RedisServer master = redis.masterForKey(ClusterChannels.channel("lazy.churn"));
		try (HubTestClient client = a.connect()) {
			client.subscribe("lazy.churn");
			long subscribes = master.commandCalls("ssubscribe");
			long unsubscribes = master.commandCalls("sunsubscribe");
			for (int i = 0; i < 20; i++) {
				client.unsubscribe("lazy.churn");
				client.subscribe("lazy.churn");
			}
			assertThat(master.commandCalls("ssubscribe")).isEqualTo(subscribes);
			assertThat(master.commandCalls("sunsubscribe")).isEqualTo(unsubscribes);
		}
	}

	@Test
	void classicPublishIsNotUsed() {
		RedisCluster redis = cluster.cluster();
		redis.masters().forEach((master) -> redis.execute(master, "CONFIG", "RESETSTAT"));
		try (HubTestClient subscriber = a.connect()) {
			subscriber.subscribe("spread.sharded");
			b.template().publish("spread.sharded", Map.of("n", 1)).join();
			assertThat(subscriber.nextMessage().get("data").get("n").asInt()).isEqualTo(1);
		}
		for (RedisServer master : redis.masters()) {
			assertThat(master.commandCalls("publish")).as("PUBLISH on %s", master).isZero();
			assertThat(master.commandCalls("subscribe")).as("SUBSCRIBE on %s", master).isZero();
		}
	}

	private static JsonNode actuatorHub(Instance instance) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + "/actuator/hub")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return JsonMapper.builder().build().readTree(response.body());
	}

	private static Map<String, List<String>> byTopic(List<JsonNode> messages) {
		Map<String, List<String>> result = new LinkedHashMap<>();
		for (JsonNode message : messages) {
			JsonNode data = message.get("data");
			result.computeIfAbsent(message.get("topic").asString(), (topic) -> new ArrayList<>())
				.add(data.get("p").asString() + ":" + data.get("seq").asInt());
		}
		return new java.util.TreeMap<>(result);
	}

}
