package io.github.wshub.redis;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance starts while its Redis is not running yet, and works as soon as Redis is there.
 *
 * @author wshub
 */
class StartupWithoutRedisIntegrationTests {

	@Test
	void instanceStartsWithoutRedisAndConnectsWhenItComes() {
		int port = RedisServer.freePort();
		try (Instance instance = TestHubApplication.start("spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + port, "spring.data.redis.timeout=1s", "hub.instance-id=late-redis",
				"hub.redis.probe-interval=200ms", "hub.redis.probe-timeout=300ms")) {
			assertThat(instance.broker().isConnected()).isFalse();
			try (RedisServer redis = RedisServer.startOnPort(port)) {
				await().atMost(Duration.ofSeconds(20)).until(() -> instance.broker().isConnected());
				try (HubTestClient subscriber = instance.connect(); HubTestClient publisher = instance.connect()) {
					subscriber.subscribe("chat.late");
					publisher.publish("chat.late", "\"hello\"");
					assertThat(subscriber.nextMessage().get("data").asString()).isEqualTo("hello");
				}
			}
		}
	}

}
