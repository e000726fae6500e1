package io.github.wshub.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication.Instance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Topics with history, with real clients: offsets and epochs on messages and acks, recovery on
 * subscribe, {@code history} requests. The same cases run on the Redis broker, with subscribers
 * on instance {@code a} and publishers on instance {@code b}
 * ({@link RedisHistoryIntegrationTests}), and on the in-memory broker, where {@code a} and
 * {@code b} are one instance ({@link InMemoryHistoryIntegrationTests}).
 *
 * @author wshub
 */
abstract class AbstractHistoryIntegrationTests {

	static final String[] HISTORY = { "hub.history.topics=hist.**", "hub.history.size=1000",
			"hub.history.max-recover=5000" };

	static Instance a;

	static Instance b;

	@Test
	void publishAckAndMessagesCarryOffsetAndEpoch() {
		try (HubTestClient subscriber = a.connect(); HubTestClient publisher = b.connect()) {
			subscriber.subscribe("hist.ack");
			JsonNode first = publishAndAck(publisher, "hist.ack", "{\"n\":1}");
			JsonNode second = publishAndAck(publisher, "hist.ack", "{\"n\":2}");
			assertThat(first.get("offset").asLong()).isEqualTo(1);
			assertThat(second.get("offset").asLong()).isEqualTo(2);
			assertThat(first.get("epoch").asString()).isNotEmpty().isEqualTo(second.get("epoch").asString());
			JsonNode message = subscriber.nextMessage();
			assertThat(message.get("offset").asLong()).isEqualTo(1);
			assertThat(message.get("epoch").asString()).isEqualTo(first.get("epoch").asString());
			assertThat(message.get("data").get("n").asInt()).isEqualTo(1);
			assertThat(subscriber.nextMessage().get("offset").asLong()).isEqualTo(2);
		}
	}

	@Test
	void topicWithoutHistoryIgnoresSinceAndHasNoOffsets() {
		try (HubTestClient client = a.connect()) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"plain.t\",\"id\":\"s\",\"since\":{\"epoch\":\"x\",\"offset\":3}}");
			JsonNode ack = client.expectAck("s");
			assertThat(ack.has("recovered")).isFalse();
			JsonNode publishAck = publishAndAck(client, "plain.t", "1");
			assertThat(publishAck.has("offset")).isFalse();
			JsonNode message = client.nextMessage();
			assertThat(message.has("offset")).isFalse();
			assertThat(message.has("epoch")).isFalse();
		}
	}

	@Test
	void reconnectWithinTheWindowRecoversExactlyTheMissedMessagesThenLiveOnes() {
		String topic = "hist.reconnect";
		JsonNode last;
		try (HubTestClient client = a.connect()) {
			client.subscribe(topic);
			b.template().publish(topic, Map.of("n", 0)).join();
			last = client.nextMessage();
		}
		for (int i = 1; i <= 50; i++) {
			b.template().publish(topic, Map.of("n", i)).join();
		}
		try (HubTestClient client = a.connect()) {
			JsonNode ack = subscribeSince(client, topic, last.get("epoch").asString(), last.get("offset").asLong());
			assertThat(ack.get("recovered").asBoolean()).isTrue();
			assertThat(ack.get("epoch").asString()).isEqualTo(last.get("epoch").asString());
			assertThat(ack.get("offset").asLong()).isEqualTo(last.get("offset").asLong() + 50);
			List<JsonNode> recovered = list(ack.get("messages"));
			assertThat(recovered).hasSize(50);
			for (int i = 0; i < 50; i++) {
				assertThat(recovered.get(i).get("offset").asLong()).isEqualTo(last.get("offset").asLong() + 1 + i);
				assertThat(recovered.get(i).get("data").get("n").asInt()).isEqualTo(i + 1);
				assertThat(recovered.get(i).get("type").asString()).isEqualTo("message");
			}
			b.template().publish(topic, Map.of("n", 51)).join();
			JsonNode live = client.nextMessage();
			assertThat(live.get("offset").asLong()).isEqualTo(last.get("offset").asLong() + 51);
			assertThat(live.get("data").get("n").asInt()).isEqualTo(51);
		}
	}

	@Test
	void recoveryWhilePublishesContinueHasNoGapAndNoDuplicate() throws Exception {
		String topic = "hist.concurrent";
		b.template().publish(topic, Map.of("n", 0)).join();
		// Publishes are paced by permits, not by time: enough run during each recovery to race
		// with it, never so many that the history (1000) is trimmed past the client's offset.
		Semaphore permits = new Semaphore(0);
		AtomicBoolean publishing = new AtomicBoolean(true);
		CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
			int n = 1;
			while (publishing.get()) {
				try {
					if (permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
						b.template().publish(topic, Map.of("n", n++)).join();
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		});
		try {
			for (int round = 0; round < 20; round++) {
				try (HubTestClient client = a.connect()) {
					JsonNode position = lastMessage(topic);
					long since = position.get("offset").asLong();
					permits.release(50);
					JsonNode ack = subscribeSince(client, topic, position.get("epoch").asString(), since);
					// Published after the ack's read: at least 50 live messages follow.
					permits.release(50);
					assertThat(ack.get("recovered").asBoolean()).as(ack.toString()).isTrue();
					List<Long> offsets = new ArrayList<>();
					list(ack.get("messages")).forEach((m) -> offsets.add(m.get("offset").asLong()));
					assertThat(offsets).hasSize((int) (ack.get("offset").asLong() - since));
					int recovered = offsets.size();
					while (offsets.size() < recovered + 30) {
						offsets.add(client.nextMessage().get("offset").asLong());
					}
					for (int i = 0; i < offsets.size(); i++) {
						assertThat(offsets.get(i)).isEqualTo(since + 1 + i);
					}
				}
			}
		}
		finally {
			publishing.set(false);
			publisher.get();
		}
	}

	@Test
	void sinceIsIgnoredWithoutIdOrWhenAlreadySubscribed() {
		String topic = "hist.ignored";
		JsonNode first = publishAndAck(b, topic);
		String since = "{\"epoch\":\"" + first.get("epoch").asString() + "\",\"offset\":0}";
		try (HubTestClient client = a.connect()) {
			client.subscribe(topic);
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"id\":\"again\",\"since\":" + since + "}");
			assertThat(client.expectAck("again").has("recovered")).isFalse();
		}
		try (HubTestClient client = a.connect()) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"since\":" + since + "}");
			client.send("{\"type\":\"unsubscribe\",\"topic\":\"other\",\"id\":\"after\"}");
			// No ack for the subscribe without id, and no recovered message before the next ack.
			assertThat(HubTestClient.type(client.next())).isEqualTo("ack");
			b.template().publish(topic, Map.of("n", "live")).join();
			assertThat(client.nextMessage().get("offset").asLong()).isEqualTo(2);
		}
	}

	@Test
	void historyTrimmedBeyondTheClientsOffsetIsNotRecovered() {
		String topic = "hist.trimmed";
		JsonNode first = publishAndAck(b, topic);
		for (int i = 0; i < 1020; i++) {
			b.template().publish(topic, Map.of("n", i)).join();
		}
		try (HubTestClient client = a.connect()) {
			JsonNode ack = subscribeSince(client, topic, first.get("epoch").asString(), first.get("offset").asLong());
			assertThat(ack.get("recovered").asBoolean()).isFalse();
			assertThat(ack.get("offset").asLong()).isEqualTo(1021);
			assertThat(ack.get("messages")).isEmpty();
			// Still subscribed: live messages follow.
			b.template().publish(topic, Map.of("n", "live")).join();
			assertThat(client.nextMessage().get("offset").asLong()).isEqualTo(1022);
		}
	}

	@Test
	void bogusSinceValuesAreNotRecoveredAndAreNoErrors() {
		String topic = "hist.bogus";
		JsonNode first = publishAndAck(b, topic);
		String epoch = first.get("epoch").asString();
		List<String> sinces = List.of("{\"epoch\":\"" + epoch + "\",\"offset\":-5}",
				"{\"epoch\":\"" + epoch + "\",\"offset\":\"abc\"}", "{\"epoch\":\"" + epoch + "\",\"offset\":1.5}",
				"{\"epoch\":\"" + epoch + "\",\"offset\":99999999999999999999999}",
				"{\"epoch\":\"" + epoch + "\",\"offset\":1000}", "{\"epoch\":\"other\",\"offset\":1}",
				"{\"epoch\":5,\"offset\":1}", "{\"offset\":1}", "\"yesterday\"", "[1,2]");
		for (String since : sinces) {
			try (HubTestClient client = a.connect()) {
				client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"id\":\"s\",\"since\":" + since + "}");
				JsonNode ack = client.expectAck("s");
				assertThat(ack.get("recovered").asBoolean()).as(since).isFalse();
				assertThat(ack.get("epoch").asString()).as(since).isEqualTo(epoch);
				assertThat(ack.get("offset").asLong()).as(since).isEqualTo(1);
				assertThat(ack.get("messages")).as(since).isEmpty();
			}
		}
	}

	@Test
	void historyRequestReturnsTheLastMessagesOldestFirst() {
		String topic = "hist.request";
		for (int i = 1; i <= 10; i++) {
			b.template().publish(topic, Map.of("n", i)).join();
		}
		try (HubTestClient client = a.connect()) {
			client.send("{\"type\":\"history\",\"topic\":\"" + topic + "\",\"limit\":3,\"id\":\"h\"}");
			JsonNode ack = client.expectAck("h");
			assertThat(ack.has("recovered")).isFalse();
			assertThat(ack.get("offset").asLong()).isEqualTo(10);
			List<JsonNode> messages = list(ack.get("messages"));
			assertThat(messages).extracting((m) -> m.get("offset").asLong()).containsExactly(8L, 9L, 10L);
			assertThat(messages).extracting((m) -> m.get("data").get("n").asInt()).containsExactly(8, 9, 10);
			client.send("{\"type\":\"history\",\"topic\":\"" + topic + "\",\"limit\":100000,\"id\":\"all\"}");
			assertThat(client.expectAck("all").get("messages")).hasSize(10);
			client.send("{\"type\":\"history\",\"topic\":\"plain.none\",\"id\":\"none\"}");
			JsonNode error = client.next((f) -> "error".equals(HubTestClient.type(f)));
			assertThat(error.get("code").asString()).isEqualTo("no_history");
			client.send("{\"type\":\"history\",\"topic\":\"" + topic + "\",\"limit\":0,\"id\":\"zero\"}");
			error = client.next((f) -> "error".equals(HubTestClient.type(f)));
			assertThat(error.get("code").asString()).isEqualTo("invalid_frame");
		}
	}

	@Test
	void historyRequestOnAnEmptyTopicHasAnEpochAndNoMessages() {
		try (HubTestClient client = a.connect()) {
			client.send("{\"type\":\"history\",\"topic\":\"hist.empty\",\"id\":\"h\"}");
			JsonNode ack = client.expectAck("h");
			assertThat(ack.get("epoch").asString()).isNotEmpty();
			assertThat(ack.get("offset").asLong()).isZero();
			assertThat(ack.get("messages")).isEmpty();
		}
	}

	/**
	 * Map each message's offset to its data, asserting the offsets strictly increase by one.
	 */
	static Map<Long, String> offsets(List<JsonNode> messages) {
		Map<Long, String> result = new HashMap<>();
		long previous = messages.get(0).get("offset").asLong() - 1;
		for (JsonNode message : messages) {
			long offset = message.get("offset").asLong();
			assertThat(offset).isEqualTo(previous + 1);
			previous = offset;
			result.put(offset, message.get("data").toString());
		}
		return result;
	}

	private static JsonNode lastMessage(String topic) {
		try (HubTestClient client = a.connect()) {
			client.send("{\"type\":\"history\",\"topic\":\"" + topic + "\",\"limit\":1,\"id\":\"e\"}");
			return client.expectAck("e").get("messages").get(0);
		}
	}

	private static JsonNode publishAndAck(Instance instance, String topic) {
		try (HubTestClient client = instance.connect()) {
			return publishAndAck(client, topic, "{\"first\":true}");
		}
	}

	private static JsonNode publishAndAck(HubTestClient client, String topic, String data) {
		String id = "pub-" + System.nanoTime();
		client.send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":" + data + ",\"id\":\"" + id + "\"}");
		return client.expectAck(id);
	}

	private static JsonNode subscribeSince(HubTestClient client, String topic, String epoch, long offset) {
		client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"id\":\"since\",\"since\":{\"epoch\":\""
				+ epoch + "\",\"offset\":" + offset + "}}");
		// The ack must come before any message of the topic.
		JsonNode frame = client.next();
		assertThat(HubTestClient.type(frame)).as(frame.toString()).isEqualTo("ack");
		return frame;
	}

	private static List<JsonNode> list(JsonNode array) {
		List<JsonNode> result = new ArrayList<>();
		array.forEach(result::add);
		return result;
	}

}
