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
		a = TestHubApplication.start(stack, redis, withQuietCheck());
		b = TestHubApplication.start(stack, redis, withQuietCheck());
	}

	/**
	 * Take the topic's next offset and append a message under it, as the publish script does,
	 * without publishing it: a message whose Pub/Sub delivery was lost.
	 */
	private static void appendWithoutPublishing(String topic, String epoch, String data) {
		long offset = (Long) redis.server().execute("HINCRBY", "hub:history-meta:{" + topic + "}", "offset", "1");
		redis.server().execute("XADD", "hub:history:{" + topic + "}", "0-" + offset, "f",
				"{\"type\":\"message\",\"topic\":\"" + topic + "\",\"data\":\"" + data + "\",\"offset\":" + offset
						+ ",\"epoch\":\"" + epoch + "\"}");
	}

	private static String[] withQuietCheck() {
		String[] properties = java.util.Arrays.copyOf(HISTORY, HISTORY.length + 1);
		properties[HISTORY.length] = "hub.history.quiet-check=1s";
		return properties;
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
			appendWithoutPublishing(topic, epoch, "lost");
			b.template().publish(topic, Map.of("n", 3)).join();
			List<JsonNode> messages = client.messages(2);
			assertThat(messages).extracting((m) -> m.get("offset").asLong()).containsExactly(2L, 3L);
			assertThat(messages.get(0).get("data").asString()).isEqualTo("lost");
			assertThat(messages.get(1).get("data").get("n").asInt()).isEqualTo(3);
		}
	}

	@Test
	void instanceDeliversALostLastMessageOnceTheTopicIsQuiet() {
		String topic = "hist.quiet";
		try (HubTestClient client = a.connect()) {
			client.subscribe(topic);
			b.template().publish(topic, Map.of("n", 1)).join();
			String epoch = client.nextMessage().get("epoch").asString();
			// The last message of a burst reached the history, but not this instance.
			appendWithoutPublishing(topic, epoch, "last");
			// hub.history.quiet-check=1s: read back within a few seconds, without another publish.
			JsonNode repaired = client.nextMessage();
			assertThat(repaired.get("offset").asLong()).isEqualTo(2);
			assertThat(repaired.get("data").asString()).isEqualTo("last");
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
