package io.github.wshub.autoconfigure;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.junit.jupiter.api.Test;

import io.github.wshub.redis.ClusterDetection;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HubRedisClusterAutoConfiguration}. Nothing connects: the nodes are never
 * contacted while the context starts.
 *
 * @author wshub
 */
class HubRedisClusterAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(HubRedisClusterAutoConfiguration.class, DataRedisAutoConfiguration.class));

	@Test
	void runOnAClusterShouldEnableAdaptiveAndPeriodicTopologyRefresh() {
		this.contextRunner.withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:1,127.0.0.1:2")
			.run((context) -> {
				assertThat(ClusterDetection.isCluster(context.getBean(LettuceConnectionFactory.class))).isTrue();
				ClusterTopologyRefreshOptions refresh = refreshOptions(context);
				assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
				assertThat(refresh.getRefreshPeriod())
					.isEqualTo(Duration.ofSeconds(HubRedisClusterAutoConfiguration.PERIODIC_REFRESH_SECONDS));
				assertThat(refresh.getAdaptiveRefreshTriggers()).isNotEmpty();
				assertThat(refresh.useDynamicRefreshSources()).isTrue();
			});
	}

	@Test
	void runWithRefreshConfiguredShouldLeaveItToBoot() {
		this.contextRunner
			.withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:1",
					"spring.data.redis.lettuce.cluster.refresh.period=42s")
			.run((context) -> {
				ClusterTopologyRefreshOptions refresh = refreshOptions(context);
				assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(42));
				assertThat(refresh.getAdaptiveRefreshTriggers()).isEmpty();
			});
	}

	@Test
	void runOnAStandaloneRedisShouldLeaveTheOptionsAlone() {
		this.contextRunner.run((context) -> {
			LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
			assertThat(ClusterDetection.isCluster(factory)).isFalse();
			ClientOptions options = factory.getClientConfiguration().getClientOptions().orElseThrow();
			assertThat(options).isNotInstanceOf(ClusterClientOptions.class);
		});
	}

	@Test
	void runWhenHubIsDisabledShouldNotCustomize() {
		this.contextRunner.withPropertyValues("hub.enabled=false", "spring.data.redis.cluster.nodes=127.0.0.1:1")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(HubRedisClusterAutoConfiguration.class);
				assertThat(refreshOptions(context).isPeriodicRefreshEnabled()).isFalse();
			});
	}

	private static ClusterTopologyRefreshOptions refreshOptions(AssertableApplicationContext context) {
		ClientOptions options = context.getBean(LettuceConnectionFactory.class)
			.getClientConfiguration()
			.getClientOptions()
			.orElseThrow();
		assertThat(options).isInstanceOf(ClusterClientOptions.class);
		return ((ClusterClientOptions) options).getTopologyRefreshOptions();
	}

}
