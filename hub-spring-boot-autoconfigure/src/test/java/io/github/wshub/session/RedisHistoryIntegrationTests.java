package io.github.wshub.session;

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
import io.github.wshub.test.TestHubApplication.Stack;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The history cases on real Redis with two real instances, plus what needs two instances, on
 * each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class RedisHistoryIntegrationTests extends AbstractHistoryIntegrationTests {

	@Parameter
	Stack stack;

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@BeforeParameterizedClassInvocation
	static void start(Stack stack) {
		// A topic's offsets must start at 1 for each stack.
		redis.server().execute("FLUSHALL");
		a = TestHubApplication.start(stack, redis, HISTORY);
		b = TestHubApplication.start(stack, redis, HISTORY);
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		a.close();
		b.close();
	}

	@Test
	void publishesFromTwoInstancesHaveTheSameOffsetsEverywhereStrictlyIncreasing() throws Exception {
		String topic = "hist.two";
		try (HubTestClient onA = a.connect(); HubTestClient onB = b.connect()) {
			onA.subscribe(topic);
			onB.subscribe(topic);
			CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> {
				for (int i = 0; i < 100; i++) {
					a.template().publish(topic, Map.of("from", "a", "n", i)).join();
				}
			});
			CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> {
				for (int i = 0; i < 100; i++) {
					b.template().publish(topic, Map.of("from", "b", "n", i)).join();
				}
			});
			fromA.get();
			fromB.get();
			Map<Long, String> seenOnA = offsets(onA.messages(200));
			Map<Long, String> seenOnB = offsets(onB.messages(200));
			assertThat(seenOnA).hasSize(200).isEqualTo(seenOnB);
		}
	}

	@Test
	void instanceReadsALostMessageBackFromTheHistoryAndDeliversItInOrder() {
		String topic = "hist.gap";
		try (HubTestClient client = a.connect()) {
			client.subscribe(topic);
			b.template().publish(topic, Map.of("n", 1)).join();
			JsonNode first = client.nextMessage();
			String epoch = first.get("epoch").asString();
			// A message that reached the history but whose Pub/Sub delivery was lost.
			long lost = (Long) redis.server().execute("HINCRBY", "hub:history-meta:{" + topic + "}", "offset", "1");
			redis.server().execute("XADD", "hub:history:{" + topic + "}", "0-" + lost, "f",
					"{\"type\":\"message\",\"topic\":\"" + topic + "\",\"data\":\"lost\",\"offset\":" + lost
							+ ",\"epoch\":\"" + epoch + "\"}");
			b.template().publish(topic, Map.of("n", 3)).join();
			List<JsonNode> messages = client.messages(2);
			assertThat(messages).extracting((m) -> m.get("offset").asLong()).containsExactly(2L, 3L);
			assertThat(messages.get(0).get("data").asString()).isEqualTo("lost");
			assertThat(messages.get(1).get("data").get("n").asInt()).isEqualTo(3);
		}
	}

	@Test
	void instanceClosesItsSessionsWithStateLostWhenTheHistoryNoLongerHoldsAGap() {
		String topic = "hist.gap.gone";
		try (HubTestClient client = a.connect(); HubTestClient other = b.connect()) {
			client.subscribe(topic);
			other.subscribe("hist.unrelated");
			b.template().publish(topic, Map.of("n", 1)).join();
			assertThat(client.nextMessage().get("offset").asLong()).isEqualTo(1);
			// Five offsets taken that no history holds.
			redis.server().execute("HINCRBY", "hub:history-meta:{" + topic + "}", "offset", "5");
			b.template().publish(topic, Map.of("n", 7)).join();
			assertThat(client.awaitClose()).isEqualTo(4005);
			assertThat(other.isClosed()).isFalse();
		}
		// The instance carries on: a new subscriber recovers and then gets live messages.
		try (HubTestClient client = a.connect()) {
			client.subscribe(topic);
			b.template().publish(topic, Map.of("n", 8)).join();
			assertThat(client.nextMessage().get("offset").asLong()).isEqualTo(8);
		}
	}

}
