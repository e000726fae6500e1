package io.github.wshub.test;

import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import io.github.wshub.HubTemplate;
import io.github.wshub.session.LocalSessions;
import io.github.wshub.session.LocalTopicRegistry;
import io.github.wshub.broker.TopicBroker;

import io.github.wshub.reactive.ReactiveHubUserResolver;
import io.github.wshub.servlet.HubUserResolver;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.server.WebFilter;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * A minimal application using the hub, started as one real instance on a free port per call to
 * {@link #start(Stack, String...)}: on either {@link Stack}, the servlet one (embedded Tomcat)
 * by default. Both servers are on the test classpath; a reactive application picks Reactor
 * Netty (Boot's Netty auto-configuration comes before Tomcat's reactive one, and
 * {@code start} checks it).
 *
 * @author wshub
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestHubApplication {

	/**
	 * Run as a separate process, for tests that kill an instance.
	 * @param args Spring Boot arguments
	 */
	public static void main(String[] args) {
		SpringApplication.run(TestHubApplication.class, args);
	}

	/**
	 * Start an instance as a separate JVM, for tests that kill it or send it SIGTERM, and wait
	 * until it serves HTTP.
	 * @param port the server port
	 * @param log where its output goes
	 * @param args Spring Boot arguments, as {@code --key=value}
	 * @return the process
	 * @throws java.io.IOException if the JVM cannot be started
	 */
	public static Process startProcess(int port, java.io.File log, String... args) throws java.io.IOException {
		return startProcess(Stack.SERVLET, port, log, args);
	}

	/**
	 * Start an instance on the given stack as a separate JVM, and wait until it serves HTTP.
	 * @param stack the stack
	 * @param port the server port
	 * @param log where its output goes
	 * @param args Spring Boot arguments, as {@code --key=value}
	 * @return the process
	 * @throws java.io.IOException if the JVM cannot be started
	 */
	public static Process startProcess(Stack stack, int port, java.io.File log, String... args)
			throws java.io.IOException {
		List<String> command = new ArrayList<>(List.of(
				System.getProperty("java.home") + java.io.File.separator + "bin" + java.io.File.separator + "java",
				"-Xmx256m", "-cp", System.getProperty("java.class.path"), TestHubApplication.class.getName(),
				"--server.port=" + port, "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
				// As in start(String...): tests open many anonymous sessions from 127.0.0.1.
				"--hub.limits.max-anonymous-sessions-per-address=100000",
				"--spring.main.web-application-type=" + stack.webApplicationType.name().toLowerCase()));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
		org.awaitility.Awaitility.await()
			.atMost(java.time.Duration.ofSeconds(60))
			.until(() -> !process.isAlive() || isUp(port));
		if (!process.isAlive()) {
			throw new IllegalStateException("Instance process exited; see " + log);
		}
		return process;
	}

	private static boolean isUp(int port) {
		try {
			java.net.http.HttpClient.newHttpClient()
				.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/ws"))
					.build(), java.net.http.HttpResponse.BodyHandlers.discarding());
			return true;
		}
		catch (Exception ex) {
			return false;
		}
	}

	/**
	 * An application's own topic registry, replacing the auto-configured one.
	 * @param broker the broker
	 * @param lanes the dispatch lanes
	 * @return the registry
	 */
	@Bean
	@ConditionalOnProperty(name = "test.own-topic-registry")
	io.github.wshub.session.LocalTopicRegistry ownTopicRegistry(TopicBroker broker,
			io.github.wshub.dispatch.DispatchLanes lanes) {
		return new io.github.wshub.session.LocalTopicRegistry(broker, lanes);
	}

	/**
	 * Start an instance on the servlet stack.
	 * @param properties extra properties as {@code key=value}
	 * @return the running instance
	 */
	public static Instance start(String... properties) {
		return start(Stack.SERVLET, properties);
	}

	/**
	 * Start an instance.
	 * @param stack the stack it runs on
	 * @param properties extra properties as {@code key=value}
	 * @return the running instance
	 */
	public static Instance start(Stack stack, String... properties) {
		List<String> all = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
				"spring.main.banner-mode=off", "hub.topics.publish-patterns=**", "hub.redis.unsubscribe-grace=200ms",
				// Floods in ordering and stress tests are not what the rate limit tests are about.
				"hub.limits.message-rate=100000", "hub.limits.message-burst=100000",
				// Tests open many anonymous sessions from 127.0.0.1; the limit has its own tests.
				"hub.limits.max-anonymous-sessions-per-address=100000"));
		all.addAll(List.of(properties));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(TestHubApplication.class)
			.web(stack.webApplicationType)
			.properties(all.toArray(new String[0]))
			.run();
		Instance instance = new Instance(context);
		String server = ((WebServerApplicationContext) context).getWebServer().getClass().getSimpleName();
		if (stack.server != null && !server.startsWith(stack.server)) {
			instance.close();
			throw new IllegalStateException("Expected " + stack.server + " for " + stack + " but got " + server);
		}
		return instance;
	}

	/**
	 * Start an instance on a test Redis.
	 * @param redis the Redis the instance uses
	 * @param properties extra properties as {@code key=value}
	 * @return the running instance
	 */
	public static Instance start(io.github.wshub.testsupport.RedisServerExtension redis, String... properties) {
		return start(Stack.SERVLET, redis, properties);
	}

	/**
	 * Start an instance on a test Redis.
	 * @param stack the stack it runs on
	 * @param redis the Redis the instance uses
	 * @param properties extra properties as {@code key=value}
	 * @return the running instance
	 */
	public static Instance start(Stack stack, io.github.wshub.testsupport.RedisServerExtension redis,
			String... properties) {
		List<String> all = new ArrayList<>(List.of(redis.springProperties()));
		all.addAll(List.of(properties));
		return start(stack, all.toArray(new String[0]));
	}

	/**
	 * The stack an instance runs on.
	 */
	public enum Stack {

		/**
		 * Spring's servlet WebSocket support on the embedded servlet container of the
		 * classpath: Tomcat here, Jetty in the Jetty compatibility tests.
		 */
		SERVLET(WebApplicationType.SERVLET, null),

		/**
		 * Spring WebFlux on Reactor Netty.
		 */
		REACTIVE(WebApplicationType.REACTIVE, "Netty");

		private final WebApplicationType webApplicationType;

		// The web server's class name starts with it; null for any server.
		private final @Nullable String server;

		Stack(WebApplicationType webApplicationType, @Nullable String server) {
			this.webApplicationType = webApplicationType;
			this.server = server;
		}

	}

	/**
	 * The servlet stack's test users and principals.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class ServletTestConfiguration {

		/**
		 * Stands in for Spring Security in tests: authenticates a request carrying a
		 * {@code principal} query parameter and exposes it as the request's principal.
		 * @return the filter registration
		 */
		@Bean
		@ConditionalOnProperty(name = "test.principal-filter")
		org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter> testPrincipalFilter() {
			jakarta.servlet.Filter filter = (request, response, chain) -> {
				String name = request.getParameter("principal");
				if (name == null) {
					chain.doFilter(request, response);
					return;
				}
				Principal principal = () -> name;
				chain.doFilter(new jakarta.servlet.http.HttpServletRequestWrapper(
						(jakarta.servlet.http.HttpServletRequest) request) {

					@Override
					public Principal getUserPrincipal() {
						return principal;
					}

				}, response);
			};
			return new org.springframework.boot.web.servlet.FilterRegistrationBean<>(filter);
		}

		/**
		 * Tests name their users with a {@code user} query parameter; never do this in
		 * production.
		 * @return the resolver
		 */
		@Bean
		@ConditionalOnProperty(name = "test.user-from-query", matchIfMissing = true)
		HubUserResolver testUserResolver() {
			return (request) -> UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams().getFirst("user");
		}

	}

	/**
	 * The reactive stack's test users and principals, as on the servlet stack.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	static class ReactiveTestConfiguration {

		/**
		 * Event loops of the instance's own: tests run several instances in one JVM, and
		 * Reactor Netty's global loops would stop with the first of them that closes. They stop
		 * without the default quiet period of 2 s, which only slows the tests down.
		 * @return the resource factory
		 */
		@Bean
		ReactorResourceFactory testReactorResourceFactory() {
			ReactorResourceFactory factory = new ReactorResourceFactory();
			factory.setUseGlobalResources(false);
			factory.setShutdownQuietPeriod(Duration.ZERO);
			return factory;
		}

		/**
		 * Stands in for Spring Security in tests: exposes a {@code principal} query parameter
		 * as the exchange's principal.
		 * @return the filter
		 */
		@Bean
		@ConditionalOnProperty(name = "test.principal-filter")
		WebFilter testPrincipalWebFilter() {
			return (exchange, chain) -> {
				String name = exchange.getRequest().getQueryParams().getFirst("principal");
				if (name == null) {
					return chain.filter(exchange);
				}
				Principal principal = () -> name;
				return chain.filter(exchange.mutate().principal(Mono.just(principal)).build());
			};
		}

		/**
		 * Tests name their users with a {@code user} query parameter; never do this in
		 * production.
		 * @return the resolver
		 */
		@Bean
		@ConditionalOnProperty(name = "test.user-from-query", matchIfMissing = true)
		ReactiveHubUserResolver testReactiveUserResolver() {
			return (exchange) -> Mono.justOrEmpty(exchange.getRequest().getQueryParams().getFirst("user"));
		}

	}

	/**
	 * A running instance.
	 *
	 * @param context the application context
	 */
	public record Instance(ConfigurableApplicationContext context) implements AutoCloseable {

		public int port() {
			return ((WebServerApplicationContext) this.context).getWebServer().getPort();
		}

		public HubTestClient connect() {
			return HubTestClient.connect(port());
		}

		public HubTestClient connectAs(String user) {
			return HubTestClient.connect(java.net.URI.create("ws://127.0.0.1:" + port() + "/ws?user=" + user));
		}

		public HubTemplate template() {
			return this.context.getBean(HubTemplate.class);
		}

		public LocalTopicRegistry registry() {
			return this.context.getBean(LocalTopicRegistry.class);
		}

		public TopicBroker broker() {
			return this.context.getBean(TopicBroker.class);
		}

		public LocalSessions sessions() {
			return this.context.getBean(LocalSessions.class);
		}

		public String instanceId() {
			return template().getInstanceId();
		}

		@Override
		public void close() {
			this.context.close();
		}

	}

}
