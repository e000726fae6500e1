package io.github.wshub.session;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Protocol v1 behaviour of one instance with the in-memory broker, over real WebSocket
 * connections, on each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class ProtocolIntegrationTests {

	@Parameter
	Stack stack;

	private static Instance instance;

	@BeforeParameterizedClassInvocation
	static void start(Stack stack) {
		instance = TestHubApplication.start(stack, "hub.broker=memory",
				"hub.topics.publish-patterns=chat.**,open.**", "hub.topics.subscribe-patterns=chat.**,open.**,secret.visible");
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		instance.close();
	}

	@Test
	void welcomeIsTheFirstFrame() {
		try (HubTestClient client = instance.connect()) {
			JsonNode welcome = client.welcome();
			assertThat(HubTestClient.type(welcome)).isEqualTo("welcome");
			assertThat(welcome.get("protocol").asInt()).isEqualTo(1);
			assertThat(welcome.get("instance").asString()).isEqualTo(instance.instanceId());
			assertThat(welcome.get("session").asString()).isNotEmpty();
		}
	}

	@Test
	void idIsEchoedWithItsType() {
		try (HubTestClient client = instance.connect()) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.a\",\"id\":42}");
			JsonNode numeric = client.next();
			assertThat(numeric.get("id").isNumber()).isTrue();
			assertThat(numeric.get("id").asInt()).isEqualTo(42);
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.a\",\"id\":\"42\"}");
			JsonNode text = client.next();
			assertThat(text.get("id").isString()).isTrue();
			assertThat(text.get("id").asString()).isEqualTo("42");
		}
	}

	@Test
	void requestWithoutIdGetsNoAck() {
		try (HubTestClient client = instance.connect()) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.noid\"}");
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.noid2\",\"id\":\"marker\"}");
			JsonNode frame = client.next();
			assertThat(frame.get("id").asString()).isEqualTo("marker");
			assertThat(instance.registry().refCount("chat.noid")).isEqualTo(1);
		}
	}

	@Test
	void publisherReceivesItsOwnMessageWithDataUnchanged() {
		try (HubTestClient client = instance.connect()) {
			client.subscribe("chat.echo");
			String data = "{\"n\":12345678901234567890123,\"d\":0.1000000000000000055511151231257827,"
					+ "\"s\":\"h\\u00e9llo \\\"q\\\"\",\"a\":[1,null,true],\"e\":1.50}";
			client.publish("chat.echo", data);
			JsonNode message = client.nextMessage();
			assertThat(message.get("topic").asString()).isEqualTo("chat.echo");
			JsonNode received = message.get("data");
			assertThat(received.get("n").bigIntegerValue()).hasToString("12345678901234567890123");
			assertThat(received.get("d").decimalValue().toPlainString())
				.isEqualTo("0.1000000000000000055511151231257827");
			assertThat(received.get("e").decimalValue().toPlainString()).isEqualTo("1.50");
			assertThat(received.get("s").asString()).isEqualTo("h\u00e9llo \"q\"");
			assertThat(received.get("a")).hasSize(3);
		}
	}

	@Test
	void framesUpToTheConfiguredMaximumAreAccepted() {
		// 60,000 characters: over the containers' 8 KiB default message buffer, under the 64 KB limit.
		String large = "\"" + "w".repeat(60_000) + "\"";
		try (HubTestClient client = instance.connect()) {
			client.subscribe("chat.large");
			client.publish("chat.large", large);
			assertThat(client.nextMessage().get("data").asString()).hasSize(60_000);
		}
	}

	@Test
	void subscribingTwiceDeliversOnce() {
		try (HubTestClient client = instance.connect()) {
			client.subscribe("chat.twice");
			client.subscribe("chat.twice");
			assertThat(instance.registry().refCount("chat.twice")).isEqualTo(1);
			client.publish("chat.twice", "1");
			client.publish("chat.twice", "2");
			List<JsonNode> messages = client.messages(2);
			assertThat(messages).extracting((m) -> m.get("data").asInt()).containsExactly(1, 2);
			assertThat(client.poll(Duration.ofMillis(300))).isNull();
		}
	}

	@Test
	void unsubscribeOfTopicNotSubscribedIsAcked() {
		try (HubTestClient client = instance.connect()) {
			client.unsubscribe("chat.never");
		}
	}

	@Test
	void unsubscribeStopsDelivery() {
		try (HubTestClient subscriber = instance.connect(); HubTestClient publisher = instance.connect()) {
			subscriber.subscribe("chat.stop");
			publisher.publish("chat.stop", "1");
			assertThat(subscriber.nextMessage().get("data").asInt()).isEqualTo(1);
			subscriber.unsubscribe("chat.stop");
			publisher.publish("chat.stop", "2");
			assertThat(subscriber.poll(Duration.ofMillis(300))).isNull();
			assertThat(instance.registry().refCount("chat.stop")).isZero();
		}
	}

	@Test
	void badFramesGetErrorsAndTheSessionKeepsWorking() {
		try (HubTestClient client = instance.connect()) {
			client.send("not json");
			assertError(client.next(), "invalid_frame", null);
			client.send("[1,2]");
			assertError(client.next(), "invalid_frame", null);
			client.send("{\"type\":\"dance\",\"id\":1}");
			assertError(client.next(), "unknown_type", "1");
			client.send("{\"id\":\"x\"}");
			assertError(client.next(), "unknown_type", "x");
			client.send("{\"type\":\"subscribe\",\"id\":2}");
			assertError(client.next(), "invalid_topic", "2");
			client.send("{\"type\":\"subscribe\",\"topic\":7,\"id\":3}");
			assertError(client.next(), "invalid_topic", "3");
			client.send("{\"type\":\"subscribe\",\"topic\":\"a..b\",\"id\":4}");
			assertError(client.next(), "invalid_topic", "4");
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.*\",\"id\":5}");
			assertError(client.next(), "invalid_topic", "5");
			client.send("{\"type\":\"publish\",\"topic\":\"chat.x\",\"id\":6}");
			assertError(client.next(), "invalid_frame", "6");
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.x\",\"id\":{\"a\":1}}");
			assertError(client.next(), "invalid_id", null);
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.x\",\"id\":\"" + "i".repeat(500) + "\"}");
			assertError(client.next(), "invalid_id", null);
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.x\"} trailing");
			assertError(client.next(), "invalid_frame", null);
			client.sendBinary(new byte[] { 1, 2, 3 });
			assertError(client.next(), "invalid_frame", null);
			client.subscribe("chat.still-works");
			client.publish("chat.still-works", "\"ok\"");
			assertThat(client.nextMessage().get("data").asString()).isEqualTo("ok");
		}
	}

	@Test
	void topicPolicyIsEnforced() {
		try (HubTestClient client = instance.connect()) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"secret.hidden\",\"id\":1}");
			assertError(client.next(), "forbidden", "1");
			client.subscribe("secret.visible");
			client.send("{\"type\":\"publish\",\"topic\":\"secret.visible\",\"data\":1,\"id\":2}");
			assertError(client.next(), "forbidden", "2");
			assertThat(instance.registry().refCount("secret.hidden")).isZero();
		}
	}

	@Test
	void serverSidePublishReachesSubscribers() {
		try (HubTestClient client = instance.connect()) {
			client.subscribe("open.news");
			instance.template().publish("open.news", java.util.Map.of("headline", "hello")).join();
			assertThat(client.nextMessage().get("data").get("headline").asString()).isEqualTo("hello");
		}
	}

	@Test
	void closedSessionIsRemovedFromTopics() throws Exception {
		HubTestClient client = instance.connect();
		client.subscribe("chat.leaving");
		assertThat(instance.registry().refCount("chat.leaving")).isEqualTo(1);
		client.close();
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
			.until(() -> instance.registry().refCount("chat.leaving") == 0);
	}

	static void assertError(JsonNode frame, String code, String id) {
		assertThat(HubTestClient.type(frame)).as(frame.toString()).isEqualTo("error");
		assertThat(frame.get("code").asString()).as(frame.toString()).isEqualTo(code);
		assertThat(frame.get("message").asString()).isNotEmpty();
		if (id == null) {
			assertThat(frame.has("id")).as(frame.toString()).isFalse();
		}
		else {
			assertThat(frame.get("id").asString()).isEqualTo(id);
		}
	}

}
