package io.github.wshub.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import io.github.wshub.broker.BrokerUnavailableException;
import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A Redis that is connected but does not answer (paused with {@code CLIENT PAUSE}) makes
 * publishes fail after {@code hub.redis.publish-timeout}, and publishing works again once it
 * answers.
 *
 * @author wshub
 */
class PublishTimeoutIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Test
	void publishFailsAfterTheTimeoutWhileRedisDoesNotAnswer() throws Exception {
		try (Instance instance = TestHubApplication.start(redis, "hub.instance-id=timeout-a",
				"hub.redis.publish-timeout=300ms", "spring.data.redis.timeout=10s");
				HubTestClient subscriber = instance.connect(); HubTestClient publisher = instance.connect()) {
			subscriber.subscribe("chat.timeout");
			instance.template().publish("chat.timeout", "before").get(5, TimeUnit.SECONDS);
			assertThat(subscriber.nextMessage().get("data").asString()).isEqualTo("before");

			redis.server().execute("CLIENT", "PAUSE", "2000", "WRITE");
			long start = System.nanoTime();
			CompletableFuture<Void> paused = instance.template().publish("chat.timeout", "paused");
			assertThatExceptionOfType(CompletionException.class).isThrownBy(paused::join)
				.withCauseInstanceOf(BrokerUnavailableException.class);
			Duration failedAfter = Duration.ofNanos(System.nanoTime() - start);
			assertThat(failedAfter).isBetween(Duration.ofMillis(250), Duration.ofMillis(1500));

			publisher.send("{\"type\":\"publish\",\"topic\":\"chat.timeout\",\"data\":1,\"id\":7}");
			JsonNode refused = publisher.next((frame) -> "error".equals(HubTestClient.type(frame)));
			assertThat(refused.get("code").asString()).isEqualTo("broker_unavailable");
			assertThat(refused.get("id").asInt()).isEqualTo(7);

			redis.server().execute("CLIENT", "UNPAUSE");
			instance.template().publish("chat.timeout", "after").get(5, TimeUnit.SECONDS);
			JsonNode next = subscriber.nextMessage();
			while (!"after".equals(next.get("data").asString())) {
				// Redis still delivers what it accepted late; only order and "after" matter here.
				next = subscriber.nextMessage();
			}
			assertThat(next.get("data").asString()).isEqualTo("after");
		}
	}

}
