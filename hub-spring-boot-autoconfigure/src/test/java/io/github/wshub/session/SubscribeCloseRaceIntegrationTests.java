package io.github.wshub.session;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.github.wshub.autoconfigure.HubProperties;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.memory.InMemoryConnectionRegistry;
import io.github.wshub.reactive.ReactiveHubWebSocketHandler;
import io.github.wshub.security.SessionIdentity;
import io.github.wshub.security.TopicAuthorizer;
import io.github.wshub.servlet.HubWebSocketHandler;
import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A session closed by another thread (the Actuator endpoint, the heartbeat) while one of its
 * subscribe requests is being handled keeps no subscription: the topic's refcount returns to
 * 0, the session is gone and the Redis channel is released after the unsubscribe grace. Nor is
 * a session closed while it is being opened left in the connection registry. On each stack,
 * but for a close while the subscribe's thread is held, which only the servlet stack allows.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class SubscribeCloseRaceIntegrationTests {

	private static final String[] ACTUATOR = { "management.endpoints.web.exposure.include=hub",
			"management.endpoint.hub.access=unrestricted" };

	private static final List<String> CHURN_TOPICS = List.of("churn.a", "churn.b", "churn.c", "churn.d");

	// Subscribes and unsubscribes without ids (no acks), queued all at once on each session.
	private static final List<String> CHURN = IntStream.range(0, 1000)
		.mapToObj((i) -> "{\"type\":\"" + ((i % 3 == 2) ? "unsubscribe" : "subscribe") + "\",\"topic\":\""
				+ CHURN_TOPICS.get(i % CHURN_TOPICS.size()) + "\"}")
		.toList();

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Parameter
	Stack stack;

	@Test
	void sessionClosedThroughActuatorWhileSubscribeIsAuthorizedKeepsNoSubscription() throws Exception {
		assumeRequestThreadCanBeHeld();
		try (Instance instance = startWithBlockingAuthorizer(ACTUATOR)) {
			BlockingAuthorizer authorizer = instance.context().getBean(BlockingAuthorizer.class);
			HubTestClient client = instance.connect();
			client.sendAsync("{\"type\":\"subscribe\",\"topic\":\"blocked.a\",\"id\":\"s1\"}");
			assertThat(authorizer.awaitEntered()).isTrue();

			assertThat(delete(instance, "/actuator/hub/sessions/" + client.sessionId()).statusCode()).isEqualTo(200);
			assertThat(client.awaitClose()).isEqualTo(4501);
			awaitSessionGone(instance, client.sessionId());

			authorizer.release();
			awaitNoSubscriptions(instance, "hub:topic:blocked.*");
			client.close();
		}
	}

	@Test
	void sessionClosedByHeartbeatWhileSubscribeIsAuthorizedKeepsNoSubscription() throws Exception {
		assumeRequestThreadCanBeHeld();
		// The blocked request thread cannot read the pongs, so the heartbeat closes the session.
		try (Instance instance = startWithBlockingAuthorizer("hub.session.ping-interval=100ms",
				"hub.session.pong-timeout=300ms")) {
			BlockingAuthorizer authorizer = instance.context().getBean(BlockingAuthorizer.class);
			HubTestClient client = instance.connect();
			client.sendAsync("{\"type\":\"subscribe\",\"topic\":\"blocked.b\",\"id\":\"s1\"}");
			assertThat(authorizer.awaitEntered()).isTrue();

			assertThat(client.awaitClose()).isEqualTo(4001);
			awaitSessionGone(instance, client.sessionId());

			authorizer.release();
			awaitNoSubscriptions(instance, "hub:topic:blocked.*");
			client.close();
		}
	}

	@Test
	void sessionClosedWhileBeingRegisteredIsNotLeftInTheConnectionRegistry() {
		try (Instance instance = TestHubApplication.start(this.stack, redis,
				"spring.main.sources=" + BlockingConnectionRegistryConfiguration.class.getName())) {
			BlockingConnectionRegistry connections = instance.context().getBean(BlockingConnectionRegistry.class);
			CompletableFuture<HubTestClient> connecting = CompletableFuture.supplyAsync(instance::connect);
			String sessionId = connections.awaitOpening();

			// Close every session the hub holds, as the drain and the heartbeat do.
			instance.sessions().getSessions().forEach((session) -> session.close(HubCloseStatus.SHUTDOWN));
			connections.release();

			boolean open = instance.sessions().getSession(sessionId) != null;
			assertThat(connections.findInstanceOfSession(sessionId).join()).as("registered")
				.isEqualTo(open ? Optional.of(instance.instanceId()) : Optional.empty());
			if (open) {
				connecting.join().close();
			}
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(instance.sessions().getSessionCount()).isZero();
				assertThat(connections.findInstanceOfSession(sessionId).join()).isEmpty();
			});
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "0ms", "200ms" })
	void sessionsDisconnectedThroughActuatorWhileSubscribingKeepNoSubscriptions(String grace) {
		// With a grace period, RedisTopicBroker once lost a topic's grace re-check when its timer
		// re-queued the topic while the subscription thread had taken it off the queue and not
		// reconciled it yet, and then held the channel with no local subscriber.
		List<String> properties = new ArrayList<>(List.of(ACTUATOR));
		properties.add("hub.redis.unsubscribe-grace=" + grace);
		try (Instance instance = TestHubApplication.start(this.stack, redis, properties.toArray(new String[0]))) {
			long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
			for (int round = 0; round < 10 && System.nanoTime() < deadline; round++) {
				List<HubTestClient> clients = new ArrayList<>();
				for (int i = 0; i < 20; i++) {
					clients.add(instance.connect());
				}
				// Each session is disconnected while its queued requests are being handled.
				List<CompletableFuture<Void>> deletes = new ArrayList<>();
				for (HubTestClient client : clients) {
					CHURN.forEach(client::sendAsync);
					deletes.add(CompletableFuture.runAsync(() -> {
						String path = "/actuator/hub/sessions/" + client.sessionId();
						assertThat(delete(instance, path).statusCode()).as(path).isEqualTo(200);
					}));
				}
				deletes.forEach(CompletableFuture::join);
				for (HubTestClient client : clients) {
					assertThat(client.awaitClose()).isEqualTo(4501);
					client.close();
				}
			}
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				JsonNode hub = json(instance, "/actuator/hub");
				assertThat(hub.get("sessions").asInt()).isZero();
				assertThat(hub.get("topics").asInt()).as("topics with local subscribers").isZero();
			});
			awaitNoSubscriptions(instance, "hub:topic:churn.*");
		}
	}

	// Servlet only: a servlet container's request thread can be held in the authorizer while
	// another thread closes the session and the close is handled. On the reactive stack a
	// connection's frames, its close frame and its close are all handled on its event loop: an
	// authorizer that holds the loop (which TopicAuthorizer forbids) holds the close frame and
	// the close with it, so the close cannot overtake the held subscribe there.
	private void assumeRequestThreadCanBeHeld() {
		assumeTrue(this.stack == Stack.SERVLET, "a held event loop holds the session's close too");
	}

	// The close has been handled (on the closing thread) once the handler no longer holds it.
	private static void awaitSessionGone(Instance instance, String sessionId) {
		await().atMost(Duration.ofSeconds(10)).until(() -> instance.sessions().getSession(sessionId) == null);
	}

	// The thread held by a test stub runs no handler code any more: the handler (of either
	// stack) has finished with the request (or the open) the stub held.
	private static void awaitOutOfHandler(@Nullable Thread thread) {
		assertThat(thread).isNotNull();
		await().atMost(Duration.ofSeconds(10)).until(() -> Arrays.stream(thread.getStackTrace())
			.noneMatch((frame) -> isHandler(frame.getClassName())));
	}

	private static boolean isHandler(String className) {
		// The reactive handler serves a connection in lambdas: ReactiveHubWebSocketHandler$$Lambda...
		return className.equals(HubWebSocketHandler.class.getName())
				|| className.startsWith(ReactiveHubWebSocketHandler.class.getName());
	}

	private static void awaitNoSubscriptions(Instance instance, String channelPattern) {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(instance.registry().refCounts()).isEmpty();
			assertThat(instance.registry().topicCount()).isZero();
			assertThat(instance.sessions().getSessionCount()).isZero();
			assertThat(instance.broker().subscribedTopics()).isEmpty();
			assertThat(redis.pubsubChannels(channelPattern)).isEmpty();
		});
	}

	private Instance startWithBlockingAuthorizer(String... properties) {
		List<String> all = new ArrayList<>(
				List.of("spring.main.sources=" + BlockingAuthorizerConfiguration.class.getName()));
		all.addAll(List.of(properties));
		return TestHubApplication.start(this.stack, redis, all.toArray(new String[0]));
	}

	private static JsonNode json(Instance instance, String path) throws Exception {
		HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(instance, path)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private static HttpResponse<String> delete(Instance instance, String path) {
		try {
			return HTTP.send(HttpRequest.newBuilder(uri(instance, path)).DELETE().build(),
					HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException("DELETE " + path + " failed", ex);
		}
	}

	private static URI uri(Instance instance, String path) {
		return URI.create("http://127.0.0.1:" + instance.port() + path);
	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingConnectionRegistryConfiguration {

		@Bean
		BlockingConnectionRegistry blockingConnectionRegistry(HubProperties properties) {
			return new BlockingConnectionRegistry(properties.getInstanceId());
		}

	}

	/**
	 * Holds the first {@link #sessionOpened} on its thread until released; then registers the
	 * session.
	 */
	static final class BlockingConnectionRegistry extends InMemoryConnectionRegistry {

		private final CompletableFuture<String> opening = new CompletableFuture<>();

		private final CountDownLatch released = new CountDownLatch(1);

		private volatile @Nullable Thread openingThread;

		BlockingConnectionRegistry(String instanceId) {
			super(instanceId);
		}

		@Override
		public void sessionOpened(String sessionId, @Nullable String user) {
			if (this.opening.isDone()) {
				super.sessionOpened(sessionId, user);
				return;
			}
			this.openingThread = Thread.currentThread();
			this.opening.complete(sessionId);
			try {
				this.released.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			super.sessionOpened(sessionId, user);
		}

		String awaitOpening() {
			return this.opening.orTimeout(10, TimeUnit.SECONDS).join();
		}

		/**
		 * Let the held registration go on, and wait until the handler has finished opening the
		 * session.
		 */
		void release() {
			this.released.countDown();
			awaitOutOfHandler(this.openingThread);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BlockingAuthorizerConfiguration {

		@Bean
		BlockingAuthorizer blockingAuthorizer() {
			return new BlockingAuthorizer();
		}

	}

	/**
	 * Allows everything, but holds a subscribe to a {@code blocked.*} topic on its request thread
	 * until released, and tells when that thread has finished handling the request.
	 */
	static final class BlockingAuthorizer implements TopicAuthorizer {

		private final CountDownLatch entered = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		private volatile @Nullable Thread requestThread;

		@Override
		public boolean canSubscribe(SessionIdentity session, String topic) {
			if (topic.startsWith("blocked.")) {
				this.requestThread = Thread.currentThread();
				this.entered.countDown();
				try {
					this.released.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return true;
		}

		@Override
		public boolean canPublish(SessionIdentity session, String topic) {
			return true;
		}

		boolean awaitEntered() throws InterruptedException {
			return this.entered.await(10, TimeUnit.SECONDS);
		}

		/**
		 * Let the held request go on, and wait until the handler has finished with it: its
		 * thread no longer runs handler code. Only then is "no subscription" a result rather
		 * than a state seen before the request reached the registry.
		 */
		void release() {
			this.released.countDown();
			awaitOutOfHandler(this.requestThread);
		}

	}

}
