package io.github.wshub.security;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.RawWebSocket;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Authorization, handshake checks and every limit, each producing its documented reaction, on
 * each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class SecurityIntegrationTests {

	@Parameter
	Stack stack;

	private static Instance instance;

	@BeforeParameterizedClassInvocation
	static void start(Stack stack) {
		instance = TestHubApplication.start(stack, "hub.broker=memory", "hub.topics.subscribe-patterns=chat.**",
				"hub.topics.publish-patterns=chat.**,user.{user}.outbox", "hub.limits.max-sessions=8",
				"hub.limits.max-sessions-per-user=2", "hub.limits.max-subscriptions-per-session=3",
				"hub.limits.message-rate=20", "hub.limits.message-burst=10", "hub.limits.max-rate-violations=30",
				"hub.limits.max-nesting-depth=16");
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		instance.close();
	}

	@Test
	void forbiddenSubscribeAndPublishAreRefused() {
		try (HubTestClient client = instance.connect()) {
			client.send("{\"type\":\"subscribe\",\"topic\":\"admin.logs\",\"id\":1}");
			assertError(client.next(), "forbidden");
			client.send("{\"type\":\"publish\",\"topic\":\"news.x\",\"data\":1,\"id\":2}");
			assertError(client.next(), "forbidden");
		}
	}

	@Test
	void userPrivateTopicsBelongToTheirUser() {
		try (HubTestClient alice = connectAs("alice"); HubTestClient bob = connectAs("bob");
				HubTestClient anonymous = instance.connect()) {
			alice.subscribe("user.alice.inbox");
			alice.send("{\"type\":\"subscribe\",\"topic\":\"user.bob.inbox\",\"id\":\"steal\"}");
			assertError(alice.next(), "forbidden");
			anonymous.send("{\"type\":\"subscribe\",\"topic\":\"user.alice.inbox\",\"id\":\"steal\"}");
			assertError(anonymous.next(), "forbidden");
			bob.send("{\"type\":\"publish\",\"topic\":\"user.alice.outbox\",\"data\":1,\"id\":\"spoof\"}");
			assertError(bob.next(), "forbidden");
			bob.publish("user.bob.outbox", "1");
			instance.template().publish("user.alice.inbox", "for alice only").join();
			assertThat(alice.nextMessage().get("data").asString()).isEqualTo("for alice only");
			assertThat(bob.poll(Duration.ofMillis(200))).isNull();
		}
	}

	@Test
	void crossOriginHandshakeIsRefused() throws IOException {
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> RawWebSocket.connect(instance.port(), 0, "https://evil.example").close())
			.withMessageContaining("403");
		try (RawWebSocket sameOrigin = RawWebSocket.connect(instance.port(), 0, "http://127.0.0.1:" + instance.port())) {
			assertThat(sameOrigin).isNotNull();
		}
	}

	@Test
	void originPatternsAllowMatchingOrigins() throws IOException {
		try (Instance open = TestHubApplication.start(this.stack, "hub.broker=memory",
				"hub.allowed-origin-patterns=https://*.example.com")) {
			try (RawWebSocket allowed = RawWebSocket.connect(open.port(), 0, "https://app.example.com")) {
				assertThat(allowed).isNotNull();
			}
			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> RawWebSocket.connect(open.port(), 0, "https://example.org").close())
				.withMessageContaining("403");
		}
	}

	@Test
	void authenticatedPrincipalIsTheUserByDefault() {
		// As Spring Security does: a filter authenticates the request and exposes its principal.
		try (Instance secured = TestHubApplication.start(this.stack, "hub.broker=memory", "test.user-from-query=false",
				"test.principal-filter=true", "hub.security.require-user=true")) {
			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> RawWebSocket.connect(secured.port()).close())
				.withMessageContaining("401");
			try (HubTestClient frank = HubTestClient.connect(
					URI.create("ws://127.0.0.1:" + secured.port() + "/ws?principal=frank"))) {
				await().atMost(Duration.ofSeconds(5))
					.until(() -> secured.sessions().getSessionsOfUser("frank").size() == 1);
				frank.subscribe("user.frank.inbox");
			}
		}
	}

	@Test
	void unauthenticatedHandshakeIsRefusedWhenAUserIsRequired() {
		try (Instance secured = TestHubApplication.start(this.stack, "hub.broker=memory", "hub.security.require-user=true")) {
			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> RawWebSocket.connect(secured.port()).close())
				.withMessageContaining("401");
			try (HubTestClient carol = secured.connectAs("carol")) {
				assertThat(carol.sessionId()).isNotEmpty();
			}
		}
	}

	@Test
	void sessionsPerUserAreLimited() {
		try (HubTestClient first = connectAs("dave"); HubTestClient second = connectAs("dave")) {
			assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> connectAs("dave"))
				.withStackTraceContaining("429");
			try (HubTestClient other = connectAs("erin")) {
				assertThat(other.sessionId()).isNotEmpty();
			}
		}
	}

	@Test
	void sessionsPerInstanceAreLimited() throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> instance.sessions().getSessionCount() == 0);
		java.util.List<HubTestClient> clients = new java.util.ArrayList<>();
		try {
			for (int i = 0; i < 8; i++) {
				clients.add(instance.connect());
			}
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> RawWebSocket.connect(instance.port()).close())
				.withMessageContaining("503");
		}
		finally {
			clients.forEach(HubTestClient::close);
		}
	}

	@Test
	void subscriptionsPerSessionAreLimited() {
		try (HubTestClient client = instance.connect()) {
			client.subscribe("chat.a").subscribe("chat.b").subscribe("chat.c");
			client.subscribe("chat.a");
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.d\",\"id\":\"fourth\"}");
			assertError(client.next(), "too_many_subscriptions");
			client.unsubscribe("chat.c");
			client.subscribe("chat.d");
		}
	}

	@Test
	void inboundRateIsLimitedThenAbuseCloses() {
		try (HubTestClient client = instance.connect()) {
			for (int i = 0; i < 20; i++) {
				client.sendAsync("{\"type\":\"unsubscribe\",\"topic\":\"chat.x\",\"id\":" + i + "}");
			}
			JsonNode limited = client.next((frame) -> "error".equals(HubTestClient.type(frame)));
			assertThat(limited.get("code").asString()).isEqualTo("rate_limited");
			for (int i = 0; i < 200 && !client.isClosed(); i++) {
				client.sendAsync("{\"type\":\"unsubscribe\",\"topic\":\"chat.x\"}");
			}
			assertThat(client.awaitClose()).isEqualTo(4502);
		}
	}

	@Test
	void deepNestingIsRefused() {
		try (HubTestClient client = instance.connect()) {
			String nested = "[".repeat(40) + "]".repeat(40);
			client.send("{\"type\":\"publish\",\"topic\":\"chat.deep\",\"data\":" + nested + ",\"id\":1}");
			assertError(client.next(), "invalid_frame");
			client.subscribe("chat.still-fine");
		}
	}

	private static HubTestClient connectAs(String user) {
		return HubTestClient.connect(URI.create("ws://127.0.0.1:" + instance.port() + "/ws?user=" + user));
	}

	private static void assertError(JsonNode frame, String code) {
		assertThat(HubTestClient.type(frame)).as(frame.toString()).isEqualTo("error");
		assertThat(frame.get("code").asString()).as(frame.toString()).isEqualTo(code);
	}

}
