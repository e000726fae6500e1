package io.github.wshub.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an {@code ack} of a publish promises under the fault a user meets most: Redis is killed
 * and restarted on the same port within two seconds while a client publishes ten messages a
 * second. Every acknowledged message must reach every subscriber on every instance, whatever
 * order the instances' connections come back in; every other publish must get an error.
 *
 * @author wshub
 */
class AckedPublishIntegrationTests {

	private static final String TOPIC = "chat.acked";

	private static final int ROUNDS = 5;

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Test
	void everyAckedPublishReachesEverySubscriberWhileRedisIsKilledAndRestarted() throws Exception {
		try (Instance a = start("acked-a"); Instance b = start("acked-b"); HubTestClient onA = a.connect();
				HubTestClient onB = b.connect(); HubTestClient publisher = a.connect()) {
			onA.subscribe(TOPIC);
			onB.subscribe(TOPIC);
			AtomicInteger sent = new AtomicInteger();
			ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
			try {
				ticker.scheduleAtFixedRate(() -> {
					int n = sent.incrementAndGet();
					publisher.sendAsync("{\"type\":\"publish\",\"topic\":\"" + TOPIC + "\",\"data\":" + n
							+ ",\"id\":" + n + "}");
				}, 0, 100, TimeUnit.MILLISECONDS);
				for (int round = 0; round < ROUNDS; round++) {
					// At a random moment relative to the publisher's ticks, as a crash would be.
					Thread.sleep(ThreadLocalRandom.current().nextLong(2000, 3000));
					redis.server().kill();
					Thread.sleep(ThreadLocalRandom.current().nextLong(300, 1500));
					redis.server().restart();
				}
				Thread.sleep(3000);
			}
			finally {
				ticker.shutdownNow();
				ticker.awaitTermination(5, TimeUnit.SECONDS);
			}
			int total = sent.get();
			Map<Integer, String> outcomes = replies(publisher, total);
			Set<Integer> acked = new TreeSet<>();
			outcomes.forEach((n, outcome) -> {
				if (outcome.equals("ack")) {
					acked.add(n);
				}
			});
			assertThat(outcomes).as("every publish got an ack or an error").hasSize(total);
			assertThat(outcomes.values()).as("errors say the broker was unavailable")
				.allMatch((outcome) -> outcome.equals("ack") || outcome.equals("broker_unavailable"));
			assertThat(acked.size()).as("most publishes succeed between the outages").isGreaterThan(total / 3);
			Set<Integer> receivedOnA = received(onA);
			Set<Integer> receivedOnB = received(onB);
			assertThat(Map.of("publishing instance", missing(acked, receivedOnA), "other instance",
					missing(acked, receivedOnB)))
				.as("acked messages the subscribers missed (outcomes: %s)", outcomes)
				.containsOnly(Map.entry("publishing instance", List.of()), Map.entry("other instance", List.of()));
		}
	}

	private static Map<Integer, String> replies(HubTestClient publisher, int total) {
		Map<Integer, String> outcomes = new TreeMap<>();
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			JsonNode frame;
			while ((frame = publisher.poll(Duration.ofMillis(100))) != null) {
				JsonNode id = frame.get("id");
				if (id != null) {
					String type = HubTestClient.type(frame);
					outcomes.put(id.asInt(), type.equals("error") ? frame.get("code").asString() : type);
				}
			}
			return outcomes.size() >= total;
		});
		return outcomes;
	}

	private static Set<Integer> received(HubTestClient subscriber) {
		Set<Integer> numbers = new TreeSet<>();
		JsonNode frame;
		while ((frame = subscriber.poll(Duration.ofMillis(500))) != null) {
			if ("message".equals(HubTestClient.type(frame))) {
				numbers.add(frame.get("data").asInt());
			}
		}
		return numbers;
	}

	private static List<Integer> missing(Set<Integer> expected, Set<Integer> actual) {
		List<Integer> missing = new ArrayList<>();
		for (Integer n : expected) {
			if (!actual.contains(n)) {
				missing.add(n);
			}
		}
		return missing;
	}

	private static Instance start(String id) {
		return TestHubApplication.start(redis, "hub.instance-id=" + id, "spring.data.redis.timeout=3s",
				"hub.registry.heartbeat-interval=500ms", "hub.registry.instance-ttl=5s");
	}

}
