package io.github.wshub.sample;

import org.junit.jupiter.api.Test;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SampleApplicationTests} on Spring WebFlux: the same application, page, WebSocket
 * exchange and development Redis, served by Reactor Netty.
 *
 * @author wshub
 */
class ReactiveSampleApplicationTests extends SampleApplicationTests {

	@Test
	void runsOnReactorNetty() {
		try (ConfigurableApplicationContext app = start(redis.port())) {
			assertThat(((WebServerApplicationContext) app).getWebServer().getClass().getSimpleName())
				.isEqualTo("NettyWebServer");
		}
	}

}
