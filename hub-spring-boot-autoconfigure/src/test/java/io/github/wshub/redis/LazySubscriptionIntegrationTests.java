package io.github.wshub.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance holds a topic's Redis channel subscription only while it has local subscribers,
 * as Redis itself reports it, on each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class LazySubscriptionIntegrationTests {

	@Parameter
	Stack stack;

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static Instance a;

	private static Instance b;

	@BeforeParameterizedClassInvocation
	static void start(Stack stack) {
		// No liveness probe here: a probe that times out on a loaded machine re-subscribes on
		// recovery, which would add SUBSCRIBE commands these tests count.
		a = TestHubApplication.start(stack, redis, "hub.redis.probe-interval=1h");
		b = TestHubApplication.start(stack, redis, "hub.redis.probe-interval=1h");
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		a.close();
		b.close();
	}

	@Test
	void channelIsSubscribedOnlyWhileThereAreLocalSubscribers() {
		String channel = "hub:topic:lazy.room";
		assertThat(redis.pubsubNumsub(channel)).containsEntry(channel, 0L);
		try (HubTestClient first = a.connect(); HubTestClient second = a.connect(); HubTestClient third = b.connect()) {
			first.subscribe("lazy.room");
			assertThat(redis.pubsubNumsub(channel)).as("acked only once Redis confirmed").containsEntry(channel, 1L);
			second.subscribe("lazy.room");
			assertThat(redis.pubsubNumsub(channel)).as("one subscription per instance").containsEntry(channel, 1L);
			third.subscribe("lazy.room");
			assertThat(redis.pubsubNumsub(channel)).containsEntry(channel, 2L);
			assertThat(redis.pubsubChannels("hub:topic:lazy.room*")).containsExactly(channel);
			first.unsubscribe("lazy.room");
			assertThat(a.broker().subscribedTopics()).contains("lazy.room");
			second.unsubscribe("lazy.room");
			await().atMost(Duration.ofSeconds(10)).untilAsserted(
					() -> assertThat(redis.pubsubNumsub(channel)).containsEntry(channel, 1L));
			assertThat(a.broker().subscribedTopics()).doesNotContain("lazy.room");
			assertThat(b.broker().subscribedTopics()).contains("lazy.room");
		}
		await().atMost(Duration.ofSeconds(10)).untilAsserted(
				() -> assertThat(redis.pubsubChannels("hub:topic:lazy.room*")).isEmpty());
	}

	@Test
	void quickResubscribeWithinGraceDoesNotChurnRedis() {
		try (HubTestClient client = a.connect()) {
			client.subscribe("lazy.churn");
			long subscribes = redis.commandCalls("subscribe");
			long unsubscribes = redis.commandCalls("unsubscribe");
			for (int i = 0; i < 20; i++) {
				client.unsubscribe("lazy.churn");
				client.subscribe("lazy.churn");
			}
			assertThat(redis.commandCalls("subscribe")).isEqualTo(subscribes);
			assertThat(redis.commandCalls("unsubscribe")).isEqualTo(unsubscribes);
		}
	}

	@Test
	void thousandSessionsOnOneTopicCauseOneSubscribe() {
		String topic = "lazy.crowd";
		redis.server().execute("CONFIG", "RESETSTAT");
		List<HubTestClient> clients = new ArrayList<>();
		try {
			for (int batch = 0; batch < 10; batch++) {
				List<CompletableFuture<HubTestClient>> connecting = new ArrayList<>();
				for (int i = 0; i < 100; i++) {
					connecting.add(HubTestClient.connectAsync(a.port()));
				}
				connecting.forEach((future) -> clients.add(future.join()));
			}
			for (HubTestClient client : clients) {
				client.sendAsync("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"id\":\"s\"}");
			}
			for (HubTestClient client : clients) {
				client.expectAck("s");
			}
			assertThat(a.registry().refCount(topic)).isEqualTo(1000);
			assertThat(redis.commandCalls("subscribe")).isEqualTo(1);
			assertThat(redis.pubsubNumsub("hub:topic:" + topic)).containsEntry("hub:topic:" + topic, 1L);
			a.template().publish(topic, Map.of("to", "everyone")).join();
			for (HubTestClient client : clients) {
				assertThat(client.nextMessage().get("data").get("to").asString()).isEqualTo("everyone");
			}
		}
		finally {
			clients.forEach(HubTestClient::close);
		}
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(a.registry().refCount(topic)).isZero();
			assertThat(redis.pubsubNumsub("hub:topic:" + topic)).containsEntry("hub:topic:" + topic, 0L);
		});
		assertThat(redis.commandCalls("unsubscribe")).isEqualTo(1);
	}

}
