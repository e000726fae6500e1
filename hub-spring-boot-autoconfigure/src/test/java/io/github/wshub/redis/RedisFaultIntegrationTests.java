package io.github.wshub.redis;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import io.github.wshub.broker.BrokerUnavailableException;
import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Redis is killed while clients are subscribed and restarted on the same port: the hub notices,
 * refuses work clearly while it is gone, and resumes delivery by itself, on each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
@ExtendWith(OutputCaptureExtension.class)
class RedisFaultIntegrationTests {

	@Parameter
	Stack stack;

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Test
	void deliveryResumesAfterRedisIsKilledAndRestarted(CapturedOutput output) {
		try (Instance a = start("fault-a"); Instance b = start("fault-b");
				HubTestClient onA = a.connect(); HubTestClient onB = b.connect(); HubTestClient publisher = b.connect()) {
			onA.subscribe("chat.fault");
			onB.subscribe("chat.fault");
			publisher.publish("chat.fault", "\"before\"");
			assertThat(onA.nextMessage().get("data").asString()).isEqualTo("before");
			assertThat(onB.nextMessage().get("data").asString()).isEqualTo("before");

			redis.server().kill();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> !a.broker().isConnected() && !b.broker().isConnected());

			publisher.send("{\"type\":\"publish\",\"topic\":\"chat.fault\",\"data\":1,\"id\":\"down\"}");
			JsonNode refused = publisher.next((frame) -> "error".equals(HubTestClient.type(frame)));
			assertThat(refused.get("code").asString()).isEqualTo("broker_unavailable");
			assertThat(refused.get("id").asString()).isEqualTo("down");
			onA.send("{\"type\":\"subscribe\",\"topic\":\"chat.other\",\"id\":\"sub-down\"}");
			assertThat(onA.next((frame) -> "error".equals(HubTestClient.type(frame))).get("code").asString())
				.isEqualTo("broker_unavailable");
			assertThatExceptionOfType(CompletionException.class)
				.isThrownBy(() -> a.template().publish("chat.fault", "server").join())
				.withCauseInstanceOf(BrokerUnavailableException.class);

			redis.server().restart();
			await().atMost(Duration.ofSeconds(20)).until(() -> a.broker().isConnected() && b.broker().isConnected());
			await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
				String marker = UUID.randomUUID().toString();
				b.template().publish("chat.fault", marker).join();
				assertThat(receives(onA, marker)).isTrue();
				assertThat(receives(onB, marker)).isTrue();
			});
			assertThat(redis.pubsubNumsub("hub:topic:chat.fault")).containsEntry("hub:topic:chat.fault", 2L);
			publisher.publish("chat.fault", "\"after\"");
		}
		String log = output.getAll();
		assertThat(count(log, "Redis broker is unreachable")).as("one line per instance going down").isEqualTo(2);
		assertThat(count(log, "Redis broker recovered")).as("one line per instance recovering").isEqualTo(2);
	}

	private static boolean receives(HubTestClient client, String marker) {
		long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
		while (System.nanoTime() < deadline) {
			JsonNode frame = client.poll(Duration.ofMillis(50));
			if (frame != null && "message".equals(HubTestClient.type(frame))
					&& marker.equals(frame.get("data").asString())) {
				return true;
			}
		}
		return false;
	}

	private static int count(String text, String fragment) {
		return text.split(java.util.regex.Pattern.quote(fragment), -1).length - 1;
	}

	private Instance start(String id) {
		return TestHubApplication.start(this.stack, redis, "hub.instance-id=" + id, "hub.redis.probe-interval=200ms",
				"hub.redis.probe-timeout=300ms", "hub.redis.publish-timeout=1s", "spring.data.redis.timeout=1s",
				"hub.registry.heartbeat-interval=200ms", "hub.registry.instance-ttl=2s");
	}

}
