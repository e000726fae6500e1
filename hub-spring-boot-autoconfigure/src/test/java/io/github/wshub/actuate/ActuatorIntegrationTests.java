package io.github.wshub.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code hub} endpoint, health and Prometheus metrics of a running instance reflect a real
 * subscribe, publish and disconnect, on each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class ActuatorIntegrationTests {

	@Parameter
	Stack stack;

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static Instance instance;

	@BeforeParameterizedClassInvocation
	static void start(Stack stack) {
		String[] redisProperties = redis.springProperties();
		instance = TestHubApplication.start(stack, redisProperties[0], redisProperties[1],
				"management.endpoints.web.exposure.include=hub,health,prometheus",
				"management.endpoint.hub.access=unrestricted", "management.endpoint.health.show-details=always");
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		instance.close();
	}

	@Test
	void endpointHealthAndMetricsFollowSubscribePublishAndDisconnect() throws Exception {
		JsonNode before = json("/actuator/hub");
		assertThat(before.get("instance").asString()).isEqualTo(instance.instanceId());
		assertThat(before.get("state").asString()).isEqualTo("running");
		assertThat(before.get("broker").get("connected").asBoolean()).isTrue();
		await().atMost(Duration.ofSeconds(15)).untilAsserted(
				() -> assertThat(json("/actuator/hub").get("liveInstances").asInt()).isEqualTo(1));
		assertThat(json("/actuator/hub/instances").get("instances").get(0).get("id").asString())
			.isEqualTo(instance.instanceId());
		int sessionsBefore = before.get("sessions").asInt();

		HubTestClient client = instance.connect();
		client.subscribe("chat.metrics");
		JsonNode during = json("/actuator/hub");
		assertThat(during.get("sessions").asInt()).isEqualTo(sessionsBefore + 1);
		assertThat(during.get("topics").asInt()).isGreaterThanOrEqualTo(1);
		assertThat(during.get("brokerSubscriptions").asInt()).isGreaterThanOrEqualTo(1);
		JsonNode topic = json("/actuator/hub/topics/chat.metrics");
		assertThat(topic.get("localSubscribers").asInt()).isEqualTo(1);
		assertThat(topic.get("brokerSubscribed").asBoolean()).isTrue();
		JsonNode topics = json("/actuator/hub/topics");
		assertThat(topics.get("truncated").asBoolean()).isFalse();
		assertThat(topics.get("topics").toString()).contains("chat.metrics");
		assertThat(get("/actuator/hub/topics/chat.nobody").statusCode()).isEqualTo(404);
		assertThat(json("/actuator/hub/sessions/" + client.sessionId()).get("topics").asInt()).isEqualTo(1);

		client.publish("chat.metrics", "{\"n\":1}");
		client.nextMessage();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			String metrics = get("/actuator/prometheus").body();
			assertThat(value(metrics, "hub_messages_published_total{source=\"client\"")).isGreaterThanOrEqualTo(1);
			assertThat(value(metrics, "hub_messages_delivered_total")).isGreaterThanOrEqualTo(1);
			assertThat(value(metrics, "hub_delivery_latency_seconds_count")).isGreaterThanOrEqualTo(1);
			assertThat(value(metrics, "hub_subscribe_latency_seconds_count")).isGreaterThanOrEqualTo(1);
			assertThat(value(metrics, "hub_sessions")).isEqualTo(sessionsBefore + 1);
			assertThat(value(metrics, "hub_broker_connected")).isEqualTo(1);
		});

		JsonNode health = json("/actuator/health/hub");
		assertThat(health.get("status").asString()).isEqualTo("UP");

		HttpResponse<String> deleted = HTTP.send(
				HttpRequest.newBuilder(uri("/actuator/hub/sessions/" + client.sessionId())).DELETE().build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(deleted.statusCode()).isEqualTo(200);
		assertThat(client.awaitClose()).isEqualTo(4501);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(json("/actuator/hub").get("sessions").asInt()).isEqualTo(sessionsBefore);
			String metrics = get("/actuator/prometheus").body();
			assertThat(value(metrics, "hub_sessions_closed_total{code=\"4501\"")).isEqualTo(1);
			assertThat(value(metrics, "hub_sessions")).isEqualTo(sessionsBefore);
		});
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(get("/actuator/hub/topics/chat.metrics").statusCode()).isEqualTo(404));
	}

	@Test
	void errorsAndRefusalsAreCounted() throws Exception {
		try (HubTestClient client = instance.connect()) {
			client.send("not json");
			client.next();
			client.send("{\"type\":\"publish\",\"topic\":\"chat.x\",\"data\":1,\"id\":1}");
			client.next();
		}
		String metrics = get("/actuator/prometheus").body();
		assertThat(value(metrics, "hub_errors_sent_total{code=\"invalid_frame\"")).isGreaterThanOrEqualTo(1);
	}

	private static double value(String metrics, String prefix) {
		List<String> lines = metrics.lines()
			.filter((line) -> line.startsWith(prefix)
					&& (prefix.contains("{") || line.charAt(prefix.length()) == ' ' || line.charAt(prefix.length()) == '{'))
			.toList();
		assertThat(lines).as("metric %s", prefix).isNotEmpty();
		String line = lines.get(0);
		return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
	}

	private static JsonNode json(String path) throws Exception {
		HttpResponse<String> response = get(path);
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private static HttpResponse<String> get(String path) throws Exception {
		return HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static URI uri(String path) {
		return URI.create("http://127.0.0.1:" + instance.port() + path);
	}

}
