package io.github.wshub.autoconfigure;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for running the hub on a Redis Cluster
 * with Lettuce: unless the application configures topology refresh itself
 * ({@code spring.data.redis.lettuce.cluster.refresh.adaptive} or
 * {@code spring.data.redis.lettuce.cluster.refresh.period}), the Lettuce cluster client refreshes
 * its view of the cluster on every adaptive trigger and every
 * {@value #PERIODIC_REFRESH_SECONDS} seconds, so that after a master failover commands go to the
 * promoted replica within seconds. Lettuce's default refreshes never: commands for the failed
 * master's slots would keep timing out.
 *
 * @author wshub
 */
@AutoConfiguration(beforeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ ClusterClientOptions.class, LettuceClientOptionsBuilderCustomizer.class })
@ConditionalOnBooleanProperty(name = "hub.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "hub.broker", havingValue = "redis", matchIfMissing = true)
public final class HubRedisClusterAutoConfiguration {

	/**
	 * Period of the topology refresh the hub enables.
	 */
	static final long PERIODIC_REFRESH_SECONDS = 5;

	@Bean
	ClusterTopologyRefreshCustomizer hubClusterTopologyRefreshCustomizer(Environment environment) {
		boolean configured = environment.containsProperty("spring.data.redis.lettuce.cluster.refresh.adaptive")
				|| environment.containsProperty("spring.data.redis.lettuce.cluster.refresh.period");
		boolean dynamicSources = environment.getProperty(
				"spring.data.redis.lettuce.cluster.refresh.dynamic-refresh-sources", Boolean.class, true);
		return new ClusterTopologyRefreshCustomizer(!configured, dynamicSources);
	}

	/**
	 * Enables adaptive and periodic topology refresh on the cluster client's options; leaves
	 * the options of a non-cluster client alone.
	 */
	static final class ClusterTopologyRefreshCustomizer implements LettuceClientOptionsBuilderCustomizer {

		private final boolean enabled;

		private final boolean dynamicSources;

		ClusterTopologyRefreshCustomizer(boolean enabled, boolean dynamicSources) {
			this.enabled = enabled;
			this.dynamicSources = dynamicSources;
		}

		@Override
		public void customize(ClientOptions.Builder builder) {
			if (this.enabled && builder instanceof ClusterClientOptions.Builder cluster) {
				cluster.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
					.dynamicRefreshSources(this.dynamicSources)
					.enableAllAdaptiveRefreshTriggers()
					.enablePeriodicRefresh(Duration.ofSeconds(PERIODIC_REFRESH_SECONDS))
					.build());
			}
		}

	}

}
