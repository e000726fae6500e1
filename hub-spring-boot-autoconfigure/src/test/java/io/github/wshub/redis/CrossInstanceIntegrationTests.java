package io.github.wshub.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real instances on different ports sharing one real Redis: clients on different instances
 * exchange topic messages, on each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class CrossInstanceIntegrationTests {

	@Parameter
	Stack stack;

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static Instance a;

	private static Instance b;

	@BeforeParameterizedClassInvocation
	static void start(Stack stack) {
		a = TestHubApplication.start(stack, redis);
		b = TestHubApplication.start(stack, redis);
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		a.close();
		b.close();
	}

	@Test
	void instancesHaveDistinctIdsAndPorts() {
		assertThat(a.port()).isNotEqualTo(b.port());
		assertThat(a.instanceId()).isNotEqualTo(b.instanceId());
		try (HubTestClient onA = a.connect(); HubTestClient onB = b.connect()) {
			assertThat(onA.instanceId()).isEqualTo(a.instanceId());
			assertThat(onB.instanceId()).isEqualTo(b.instanceId());
		}
	}

	@Test
	void clientPublishOnOneInstanceReachesSubscriberOnTheOther() {
		try (HubTestClient subscriber = a.connect(); HubTestClient publisher = b.connect()) {
			subscriber.subscribe("chat.cross");
			publisher.publish("chat.cross", "{\"text\":\"hello from B\"}");
			JsonNode message = subscriber.nextMessage();
			assertThat(message.get("topic").asString()).isEqualTo("chat.cross");
			assertThat(message.get("data").get("text").asString()).isEqualTo("hello from B");
		}
	}

	@Test
	void serverPublishOnOneInstanceReachesSubscriberOnTheOther() {
		try (HubTestClient subscriber = a.connect()) {
			subscriber.subscribe("news.server");
			b.template().publish("news.server", Map.of("headline", "from server B")).join();
			assertThat(subscriber.nextMessage().get("data").get("headline").asString()).isEqualTo("from server B");
		}
	}

	@Test
	void subscribersOnDifferentInstancesSeeTheSameOrder() {
		String topic = "chat.order";
		int perPublisher = 200;
		try (HubTestClient onA = a.connect(); HubTestClient onB = b.connect();
				HubTestClient publisherA = a.connect(); HubTestClient publisherB = b.connect()) {
			onA.subscribe(topic);
			onB.subscribe(topic);
			CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> flood(publisherA, topic, "a", perPublisher));
			CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> flood(publisherB, topic, "b", perPublisher));
			CompletableFuture<Void> fromServer = CompletableFuture.runAsync(() -> {
				for (int i = 0; i < perPublisher; i++) {
					a.template().publish(topic, Map.of("p", "s", "seq", i));
				}
			});
			CompletableFuture.allOf(fromA, fromB, fromServer).join();
			List<String> seenOnA = sequence(onA, 3 * perPublisher);
			List<String> seenOnB = sequence(onB, 3 * perPublisher);
			assertThat(seenOnA).containsExactlyElementsOf(seenOnB);
			for (String publisher : List.of("a", "b", "s")) {
				List<Integer> seqs = seenOnA.stream()
					.filter((entry) -> entry.startsWith(publisher + ":"))
					.map((entry) -> Integer.parseInt(entry.substring(2)))
					.toList();
				assertThat(seqs).as("publisher %s in order", publisher).isSorted().hasSize(perPublisher);
			}
		}
	}

	private static void flood(HubTestClient publisher, String topic, String name, int count) {
		for (int i = 0; i < count; i++) {
			publisher.sendAsync("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"p\":\"" + name
					+ "\",\"seq\":" + i + "}}");
		}
		publisher.send("{\"type\":\"publish\",\"topic\":\"chat.elsewhere\",\"data\":0,\"id\":\"done\"}");
		publisher.expectAck("done");
	}

	private static List<String> sequence(HubTestClient client, int count) {
		List<String> result = new ArrayList<>(count);
		for (JsonNode message : client.messages(count)) {
			JsonNode data = message.get("data");
			result.add(data.get("p").asString() + ":" + data.get("seq").asInt());
		}
		return result;
	}

}
