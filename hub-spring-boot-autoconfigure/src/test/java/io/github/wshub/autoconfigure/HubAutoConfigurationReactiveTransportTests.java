package io.github.wshub.autoconfigure;

import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import io.github.wshub.reactive.ReactiveHubHandshakeHandler;
import io.github.wshub.reactive.ReactiveHubUserResolver;
import io.github.wshub.reactive.ReactiveHubWebSocketHandler;
import io.github.wshub.servlet.HubWebSocketHandler;
import io.github.wshub.session.LocalSessions;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HubAutoConfiguration}'s reactive transport.
 *
 * @author wshub
 */
class HubAutoConfigurationReactiveTransportTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(HubAutoConfiguration.class))
		.withPropertyValues("hub.broker=memory");

	@Test
	void runShouldCreateTheReactiveTransportAtThePath() {
		this.contextRunner.withPropertyValues("hub.path=/hub").run((context) -> {
			assertThat(context).hasSingleBean(ReactiveHubWebSocketHandler.class);
			assertThat(context).hasSingleBean(ReactiveHubHandshakeHandler.class);
			assertThat(context).doesNotHaveBean(HubWebSocketHandler.class);
			SimpleUrlHandlerMapping mapping = context.getBean("hubWebSocketHandlerMapping",
					SimpleUrlHandlerMapping.class);
			assertThat(mapping.getUrlMap()).containsOnlyKeys("/hub");
			assertThat(mapping.getUrlMap().get("/hub")).isSameAs(context.getBean(ReactiveHubHandshakeHandler.class));
		});
	}

	@Test
	void servletWebApplicationGetsNoReactiveTransport() {
		new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(HubAutoConfiguration.class))
			.withPropertyValues("hub.broker=memory")
			.run((context) -> {
				assertThat(context).hasSingleBean(HubWebSocketHandler.class);
				assertThat(context).doesNotHaveBean(ReactiveHubHandshakeHandler.class);
			});
	}

	@Test
	void autoConfigurationIsSkippedWithoutWebFluxWebSocketSupport() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.web.reactive.socket"))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(LocalSessions.class);
				assertThat(context).doesNotHaveBean(ReactiveHubHandshakeHandler.class);
			});
	}

	@Test
	void reactiveTransportNeedsNoServletWebSocketSupport() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.web.socket", "jakarta.servlet"))
			.run((context) -> assertThat(context).hasSingleBean(ReactiveHubHandshakeHandler.class));
	}

	@Test
	void userDefinedHandshakeHandlerBacksOff() {
		this.contextRunner.withUserConfiguration(UserHandshakeHandlerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ReactiveHubHandshakeHandler.class);
			assertThat(context).hasBean("myHandshakeHandler");
		});
	}

	@Test
	void crossOriginHandshakeIsRefused() {
		this.contextRunner.withPropertyValues("hub.allowed-origin-patterns=https://*.example.com").run((context) -> {
			ReactiveHubHandshakeHandler handler = context.getBean(ReactiveHubHandshakeHandler.class);
			assertThat(statusOf(handler, MockServerHttpRequest.get("http://localhost/ws")
				.header("Origin", "https://evil.example")
				.build())).isEqualTo(HttpStatus.FORBIDDEN);
		});
	}

	@Test
	void handshakeWithoutUserIsRefusedWhenAUserIsRequired() {
		this.contextRunner.withPropertyValues("hub.security.require-user=true").run((context) -> {
			ReactiveHubHandshakeHandler handler = context.getBean(ReactiveHubHandshakeHandler.class);
			assertThat(statusOf(handler, MockServerHttpRequest.get("http://localhost/ws").build()))
				.isEqualTo(HttpStatus.UNAUTHORIZED);
		});
	}

	@Test
	void userDefinedUserResolverDecidesTheUser() {
		this.contextRunner.withPropertyValues("hub.security.require-user=true")
			.withUserConfiguration(UserResolverConfiguration.class)
			.run((context) -> {
				ReactiveHubHandshakeHandler handler = context.getBean(ReactiveHubHandshakeHandler.class);
				// A resolved user passes the admission; the upgrade then fails without a server.
				assertThat(statusOf(handler, MockServerHttpRequest.get("http://localhost/ws")
					.header("X-User", "alice")
					.remoteAddress(new InetSocketAddress("198.51.100.7", 4711))
					.build())).isNotEqualTo(HttpStatus.UNAUTHORIZED);
				assertThat(statusOf(handler, MockServerHttpRequest.get("http://localhost/ws").build()))
					.isEqualTo(HttpStatus.UNAUTHORIZED);
			});
	}

	@Test
	void handshakeIsRefusedWhileTheHubIsNotRunning() {
		this.contextRunner.run((context) -> {
			context.getBean(LocalSessions.class).beginDrain();
			ReactiveHubHandshakeHandler handler = context.getBean(ReactiveHubHandshakeHandler.class);
			MockServerWebExchange exchange = MockServerWebExchange
				.from(MockServerHttpRequest.get("http://localhost/ws").build());
			handler.handle(exchange).onErrorComplete().block();
			assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
			assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("1");
		});
	}

	private static @Nullable HttpStatusCode statusOf(ReactiveHubHandshakeHandler handler, MockServerHttpRequest request) {
		MockServerWebExchange exchange = MockServerWebExchange.from(request);
		handler.handle(exchange).onErrorComplete().block();
		return exchange.getResponse().getStatusCode();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserHandshakeHandlerConfiguration {

		@Bean
		ReactiveHubHandshakeHandler myHandshakeHandler(ReactiveHubWebSocketHandler handler, LocalSessions sessions) {
			return new ReactiveHubHandshakeHandler(handler, sessions, ReactiveHubUserResolver.PRINCIPAL, false);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserResolverConfiguration {

		@Bean
		ReactiveHubUserResolver headerUserResolver() {
			return (exchange) -> Mono.justOrEmpty(exchange.getRequest().getHeaders().getFirst("X-User"));
		}

	}

}
