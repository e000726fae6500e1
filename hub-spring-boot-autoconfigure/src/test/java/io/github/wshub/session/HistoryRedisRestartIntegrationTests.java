package io.github.wshub.session;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Redis restarted without persistence lost every history: the topic's epoch changes, and a
 * client recovering from the old epoch is told {@code recovered:false}, never "recovered".
 *
 * @author wshub
 */
class HistoryRedisRestartIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static Instance hub;

	@BeforeAll
	static void start() {
		hub = TestHubApplication.start(redis, "hub.history.topics=hist.**", "hub.redis.probe-interval=200ms",
				"hub.redis.probe-timeout=500ms", "spring.data.redis.timeout=2s");
	}

	@AfterAll
	static void stop() {
		hub.close();
	}

	@Test
	void epochChangesAfterRedisLostItsDataAndOldPositionsAreNotRecovered() {
		String topic = "hist.restart";
		JsonNode before;
		try (HubTestClient client = hub.connect()) {
			client.subscribe(topic);
			hub.template().publish(topic, Map.of("n", 1)).join();
			hub.template().publish(topic, Map.of("n", 2)).join();
			before = client.nextMessage();
		}
		redis.server().restart();
		await().atMost(Duration.ofSeconds(20)).until(() -> hub.broker().isConnected());
		await().atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> hub.template().publish(topic, Map.of("n", "after")).join() == null);
		try (HubTestClient client = hub.connect()) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"id\":\"s\",\"since\":{\"epoch\":\""
					+ before.get("epoch").asString() + "\",\"offset\":" + before.get("offset").asLong() + "}}");
			JsonNode ack = client.expectAck("s");
			assertThat(ack.get("recovered").asBoolean()).isFalse();
			assertThat(ack.get("epoch").asString()).isNotEqualTo(before.get("epoch").asString());
			// The publishes that reached the empty Redis started the new epoch at 1; those the
			// fence refused while it confirmed the subscriptions are stored too (see protocol.md).
			assertThat(ack.get("offset").asLong()).isPositive();
			assertThat(ack.get("messages")).isEmpty();
		}
	}

}
