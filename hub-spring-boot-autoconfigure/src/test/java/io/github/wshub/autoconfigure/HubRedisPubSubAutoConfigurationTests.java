package io.github.wshub.autoconfigure;

import java.io.IOException;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.broker.TopicBroker;
import io.github.wshub.redis.RedisTopicBroker;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the choice of classic or sharded Pub/Sub ({@code hub.redis.pubsub}) in
 * {@link HubAutoConfiguration}. The cluster cases need no running cluster: the broker's
 * channel names tell which Pub/Sub it uses, and it connects only once started.
 *
 * @author wshub
 */
class HubRedisPubSubAutoConfigurationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, HubAutoConfiguration.class));

	private WebApplicationContextRunner onCluster() {
		// Nothing listens there: the context starts, the broker retries in the background.
		return this.contextRunner.withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:" + closedPort(),
				"spring.data.redis.lettuce.cluster.refresh.period=1h");
	}

	@Test
	void autoIsShardedOnACluster() {
		onCluster().run((context) -> assertThat(topicChannel(context.getBean(TopicBroker.class)))
			.isEqualTo("hub:topic:{chat.lobby}"));
	}

	@Test
	void autoIsClassicOnAStandaloneRedis() {
		this.contextRunner.withPropertyValues(redis.springProperties())
			.run((context) -> assertThat(topicChannel(context.getBean(TopicBroker.class)))
				.isEqualTo("hub:topic:chat.lobby"));
	}

	@Test
	void classicOnAClusterWhenConfigured() {
		onCluster().withPropertyValues("hub.redis.pubsub=classic")
			.run((context) -> assertThat(topicChannel(context.getBean(TopicBroker.class)))
				.isEqualTo("hub:topic:chat.lobby"));
	}

	@Test
	void shardedOnAClusterWhenConfigured() {
		onCluster().withPropertyValues("hub.redis.pubsub=sharded")
			.run((context) -> assertThat(topicChannel(context.getBean(TopicBroker.class)))
				.isEqualTo("hub:topic:{chat.lobby}"));
	}

	@Test
	void shardedOnAStandaloneRedisFailsWithAnExplanation() {
		this.contextRunner.withPropertyValues(redis.springProperties())
			.withPropertyValues("hub.redis.pubsub=sharded")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(ShardedPubSubUnavailableException.class);
				FailureAnalysis analysis = new ShardedPubSubFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("hub.redis.pubsub=sharded");
				assertThat(analysis.getAction()).contains("spring.data.redis.cluster.nodes")
					.contains("hub.redis.pubsub=classic");
			});
	}

	@Test
	void pubSubModeIsBound() {
		this.contextRunner.withPropertyValues(redis.springProperties())
			.withPropertyValues("hub.redis.pubsub=CLASSIC")
			.run((context) -> assertThat(context.getBean(HubProperties.class).getRedis().getPubsub())
				.isEqualTo(HubProperties.Redis.PubSub.CLASSIC));
	}

	private static String topicChannel(TopicBroker broker) {
		return ((RedisTopicBroker) broker).channelOf("chat.lobby");
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
