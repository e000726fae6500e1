package io.github.wshub.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many sessions on many threads subscribe to and unsubscribe from the same few topics as fast as
 * they can; once it settles, Redis' subscriptions match the local refcounts exactly.
 *
 * @author wshub
 */
class SubscriptionStressIntegrationTests {

	private static final List<String> TOPICS = List.of("stress.a", "stress.b", "stress.c", "stress.d");

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@ParameterizedTest(name = "unsubscribe grace {0}")
	@ValueSource(strings = { "0ms", "15ms" })
	void redisSubscriptionsMatchLocalRefcounts(String grace) {
		try (Instance instance = TestHubApplication.start(redis, "hub.redis.unsubscribe-grace=" + grace)) {
			int clientCount = 40;
			int operations = 300;
			List<HubTestClient> clients = new ArrayList<>();
			for (int i = 0; i < clientCount; i++) {
				clients.add(instance.connect());
			}
			List<CompletableFuture<Map<String, Boolean>>> runs = new ArrayList<>();
			for (HubTestClient client : clients) {
				runs.add(CompletableFuture.supplyAsync(() -> churn(client, operations)));
			}
			Map<String, Integer> expected = new TreeMap<>();
			for (CompletableFuture<Map<String, Boolean>> run : runs) {
				run.join().forEach((topic, subscribed) -> {
					if (subscribed) {
						expected.merge(topic, 1, Integer::sum);
					}
				});
			}
			assertThat(instance.registry().refCounts()).isEqualTo(expected);
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				Set<String> held = redis.pubsubChannels("hub:topic:stress.*")
					.stream()
					.map((channel) -> channel.substring("hub:topic:".length()))
					.collect(Collectors.toCollection(TreeSet::new));
				assertThat(held).isEqualTo(expected.keySet());
				assertThat(instance.broker().subscribedTopics()).isEqualTo(expected.keySet());
			});
			// Every subscribed topic really delivers.
			for (String topic : expected.keySet()) {
				instance.template().publish(topic, topic).join();
			}
			clients.forEach(HubTestClient::close);
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				assertThat(instance.registry().refCounts()).isEmpty();
				assertThat(redis.pubsubChannels("hub:topic:stress.*")).isEmpty();
				assertThat(instance.broker().subscribedTopics()).isEmpty();
			});
		}
	}

	private static Map<String, Boolean> churn(HubTestClient client, int operations) {
		Map<String, Boolean> state = new HashMap<>();
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int i = 0; i < operations; i++) {
			String topic = TOPICS.get(random.nextInt(TOPICS.size()));
			boolean subscribe = random.nextBoolean();
			client.sendAsync("{\"type\":\"" + (subscribe ? "subscribe" : "unsubscribe") + "\",\"topic\":\"" + topic
					+ "\"}");
			state.put(topic, subscribe);
		}
		// Replies come in request order: this ack means every request above was handled.
		client.send("{\"type\":\"unsubscribe\",\"topic\":\"stress.none\",\"id\":\"end\"}");
		client.expectAck("end");
		return state;
	}

}
