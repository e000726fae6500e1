package io.github.wshub.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry in Redis stays exactly consistent with the live sessions under churn, ends empty,
 * and heals after Redis was unavailable.
 *
 * @author wshub
 */
@ExtendWith(OutputCaptureExtension.class)
class RegistryConsistencyIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final Duration SETTLE = Duration.ofSeconds(20);

	@Test
	void churnLeavesTheRegistryExactlyConsistentAndEmptyAtTheEnd() {
		List<Instance> instances = List.of(start("x"), start("y"), start("z"));
		try {
			List<HubTestClient> open = new ArrayList<>();
			List<CompletableFuture<List<HubTestClient>>> workers = new ArrayList<>();
			for (int worker = 0; worker < 6; worker++) {
				int id = worker;
				workers.add(CompletableFuture.supplyAsync(() -> churn(instances, id, 60)));
			}
			workers.forEach((future) -> open.addAll(future.join()));
			// Expected registry content, from the clients still open.
			Map<String, String> expectedSessions = new TreeMap<>();
			Map<String, Map<String, String>> expectedUsers = new TreeMap<>();
			for (HubTestClient client : open) {
				expectedSessions.put(client.sessionId(), client.instanceId());
			}
			await().atMost(SETTLE).untilAsserted(() -> {
				assertThat(hgetall("hub:sessions")).isEqualTo(expectedSessions);
				for (Instance instance : instances) {
					long local = instance.sessions().getSessionCount();
					assertThat(redis.server().execute("HLEN", "hub:instance:{" + instance.instanceId() + "}:sessions"))
						.isEqualTo(local);
				}
			});
			for (HubTestClient client : open) {
				String user = client.welcome().get("session").asString();
				expectedUsers.computeIfAbsent(userOf(client), (key) -> new TreeMap<>())
					.put(user, client.instanceId());
			}
			for (Map.Entry<String, Map<String, String>> entry : expectedUsers.entrySet()) {
				assertThat(hgetall("hub:user:{" + entry.getKey() + "}")).isEqualTo(entry.getValue());
				assertThat(instances.get(0).template().locateUser(entry.getKey()).join()).isEqualTo(entry.getValue());
			}
			open.forEach(HubTestClient::close);
			await().atMost(SETTLE).untilAsserted(() -> assertThat(keys()).containsExactlyInAnyOrder("hub:instances",
					"hub:instance:{x}", "hub:instance:{y}", "hub:instance:{z}"));
		}
		finally {
			instances.forEach(Instance::close);
		}
		assertThat(keys()).as("nothing left once every instance stopped").isEmpty();
	}

	@Test
	void registryHealsAfterRedisWasUnavailable(CapturedOutput output) {
		try (Instance instance = start("healer")) {
			HubTestClient before = HubTestClient.connect(
					java.net.URI.create("ws://127.0.0.1:" + instance.port() + "/ws?user=dave"));
			await().atMost(SETTLE).until(() -> "healer".equals(hget("hub:sessions", before.sessionId())));
			redis.server().kill();
			List<HubTestClient> during = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				during.add(HubTestClient.connect(
						java.net.URI.create("ws://127.0.0.1:" + instance.port() + "/ws?user=erin")));
			}
			// The sessions work locally: welcomed, and reachable from this instance.
			assertThat(during).allSatisfy((client) -> assertThat(client.sessionId()).isNotEmpty());
			assertThat(instance.sessions().getSessionsOfUser("erin")).hasSize(3);
			await().atMost(SETTLE).until(() -> output.getAll().contains("Connection registry cannot write to Redis"));
			redis.server().restart();
			await().atMost(SETTLE).untilAsserted(() -> {
				assertThat(hget("hub:sessions", before.sessionId())).isEqualTo("healer");
				for (HubTestClient client : during) {
					assertThat(hget("hub:sessions", client.sessionId())).isEqualTo("healer");
				}
				assertThat(hgetall("hub:user:{erin}")).hasSize(3);
				assertThat(hgetall("hub:user:{dave}")).hasSize(1);
			});
			assertThat(output.getAll().split("Connection registry cannot write to Redis", -1)).as("logged once")
				.hasSize(2);
			assertThat(output.getAll()).contains("Connection registry reaches Redis again");
			before.close();
			during.forEach(HubTestClient::close);
			await().atMost(SETTLE).until(() -> hgetall("hub:sessions").isEmpty());
		}
	}

	@Test
	void instancePurgedWhileAliveRegistersItsSessionsAgain() {
		Instance purged = start("paused");
		Instance purger = start("purger");
		List<HubTestClient> clients = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				clients.add(HubTestClient
					.connect(java.net.URI.create("ws://127.0.0.1:" + purged.port() + "/ws?user=frank" + (i % 2))));
			}
			await().atMost(SETTLE).until(() -> hgetall("hub:user:{frank0}").size() == 2);
			for (int round = 0; round < 5; round++) {
				// As after a pause longer than the TTL: the other instance purges this one, racing
				// with its own next heartbeat.
				redis.server().execute("DEL", "hub:instance:{paused}");
				await().atMost(SETTLE).untilAsserted(() -> {
					assertThat(hgetall("hub:instance:{paused}:sessions")).hasSize(4);
					assertThat(hgetall("hub:user:{frank0}")).hasSize(2).containsValue("paused");
					assertThat(hgetall("hub:user:{frank1}")).hasSize(2);
					for (HubTestClient client : clients) {
						assertThat(hget("hub:sessions", client.sessionId())).isEqualTo("paused");
					}
					assertThat(redis.server().execute("EXISTS", "hub:instance:{paused}:purging")).isEqualTo(0L);
				});
			}
			assertThat(purger.template().locateUser("frank1").join()).hasSize(2);
		}
		finally {
			clients.forEach(HubTestClient::close);
			purged.close();
			purger.close();
		}
	}

	private static List<HubTestClient> churn(List<Instance> instances, int worker, int rounds) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		List<HubTestClient> open = new ArrayList<>();
		for (int i = 0; i < rounds; i++) {
			if (!open.isEmpty() && random.nextInt(3) == 0) {
				open.remove(random.nextInt(open.size())).close();
			}
			Instance instance = instances.get(random.nextInt(instances.size()));
			String user = "u" + worker + "-" + random.nextInt(5);
			HubTestClient client = HubTestClient
				.connect(java.net.URI.create("ws://127.0.0.1:" + instance.port() + "/ws?user=" + user));
			USERS.put(client.sessionId(), user);
			open.add(client);
		}
		return open;
	}

	private static final Map<String, String> USERS = new java.util.concurrent.ConcurrentHashMap<>();

	private static String userOf(HubTestClient client) {
		return USERS.get(client.sessionId());
	}

	private static Instance start(String id) {
		return TestHubApplication.start(redis, "hub.instance-id=" + id, "hub.registry.heartbeat-interval=200ms",
				"hub.registry.instance-ttl=2s", "spring.data.redis.timeout=500ms");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, String> hgetall(String key) {
		List<Object> flat = (List<Object>) redis.server().execute("HGETALL", key);
		Map<String, String> map = new HashMap<>();
		for (int i = 0; flat != null && i + 1 < flat.size(); i += 2) {
			map.put((String) flat.get(i), (String) flat.get(i + 1));
		}
		return new TreeMap<>(map);
	}

	private static String hget(String key, String field) {
		return (String) redis.server().execute("HGET", key, field);
	}

	@SuppressWarnings("unchecked")
	private static List<String> keys() {
		return (List<String>) redis.server().execute("KEYS", "*");
	}

}
