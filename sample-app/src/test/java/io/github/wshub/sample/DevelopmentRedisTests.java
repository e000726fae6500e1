package io.github.wshub.sample;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.wshub.testsupport.RedisServer;

import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DevelopmentRedis}: when it stays out of the way.
 *
 * @author wshub
 */
class DevelopmentRedisTests {

	@Test
	void redisConfiguredByUrlSentinelOrClusterStartsNoDevelopmentRedis() {
		for (String key : new String[] { "spring.data.redis.url", "spring.data.redis.sentinel.master",
				"spring.data.redis.cluster.nodes" }) {
			int port = RedisServer.freePort();
			StandardEnvironment environment = prepare(Map.of(key, "redis://127.0.0.1:1", "spring.data.redis.host",
					"127.0.0.1", "spring.data.redis.port", port));
			assertThat(environment.getPropertySources().contains("developmentRedis")).as(key).isFalse();
		}
	}

	@Test
	void disabledStartsNoDevelopmentRedis() {
		StandardEnvironment environment = prepare(Map.of("sample.embedded-redis", "false", "spring.data.redis.host",
				"127.0.0.1", "spring.data.redis.port", RedisServer.freePort()));
		assertThat(environment.getPropertySources().contains("developmentRedis")).isFalse();
	}

	private static StandardEnvironment prepare(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		new DevelopmentRedis().onApplicationEvent(new ApplicationEnvironmentPreparedEvent(new DefaultBootstrapContext(),
				new SpringApplication(), new String[0], environment));
		return environment;
	}

}
