package io.github.wshub.jetty;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.RawWebSocket;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The hub on Jetty instead of Tomcat: protocol, cross-instance delivery through Redis, limits,
 * heartbeats and draining behave the same.
 *
 * @author wshub
 */
class JettyCompatibilityIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static Instance a;

	private static Instance b;

	@BeforeAll
	static void start() {
		a = start("jetty-a");
		b = start("jetty-b");
	}

	@AfterAll
	static void stop() {
		a.close();
		b.close();
	}

	private static Instance start(String id) {
		return TestHubApplication.start(redis, "hub.instance-id=" + id, "hub.session.ping-interval=300ms",
				"hub.session.pong-timeout=400ms", "hub.limits.max-frame-size=4KB");
	}

	@Test
	void runsOnJetty() {
		assertThat(((WebServerApplicationContext) a.context()).getWebServer()).isInstanceOf(JettyWebServer.class);
	}

	@Test
	void messagesCrossInstancesInOrder() {
		try (HubTestClient onA = a.connect(); HubTestClient onB = b.connect(); HubTestClient publisher = b.connect()) {
			assertThat(onA.instanceId()).isEqualTo("jetty-a");
			onA.subscribe("chat.jetty");
			onB.subscribe("chat.jetty");
			for (int i = 0; i < 99; i++) {
				publisher.sendAsync("{\"type\":\"publish\",\"topic\":\"chat.jetty\",\"data\":" + i + "}");
			}
			publisher.send("{\"type\":\"publish\",\"topic\":\"chat.jetty\",\"data\":99,\"id\":\"last\"}");
			publisher.expectAck("last");
			b.template().publish("chat.jetty", Map.of("from", "server")).join();
			for (HubTestClient client : List.of(onA, onB)) {
				List<JsonNode> messages = client.messages(101);
				for (int i = 0; i < 100; i++) {
					assertThat(messages.get(i).get("data").asInt()).isEqualTo(i);
				}
				assertThat(messages.get(100).get("data").get("from").asString()).isEqualTo("server");
			}
		}
	}

	@Test
	void badFramesGetErrorsAndOversizedFramesClose() {
		try (HubTestClient client = a.connect()) {
			client.send("not json");
			assertThat(client.next().get("code").asString()).isEqualTo("invalid_frame");
			client.sendBinary(new byte[] { 1, 2 });
			assertThat(client.next().get("code").asString()).isEqualTo("invalid_frame");
			client.subscribe("chat.ok");
			client.sendAsync("{\"type\":\"publish\",\"topic\":\"chat.ok\",\"data\":\"" + "z".repeat(8000) + "\"}");
			assertThat(client.awaitClose()).isEqualTo(1009);
		}
	}

	@Test
	void framesUpToTheConfiguredMaximumAreAccepted() {
		try (HubTestClient client = a.connect()) {
			client.subscribe("chat.large");
			client.publish("chat.large", "\"" + "w".repeat(3000) + "\"");
			assertThat(client.nextMessage().get("data").asString()).hasSize(3000);
		}
	}

	@Test
	void silentPeerIsClosedWithPingTimeout() throws IOException {
		try (RawWebSocket silent = RawWebSocket.connect(a.port())) {
			assertThat(silent.readUntilClose()).isEqualTo(4001);
		}
	}

	@Test
	void crossOriginHandshakeIsRefused() {
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> RawWebSocket.connect(a.port(), 0, "https://evil.example").close())
			.withMessageContaining("403");
	}

	@Test
	void targetedDeliveryWorks() {
		try (HubTestClient onA = HubTestClient.connect(java.net.URI.create("ws://127.0.0.1:" + a.port() + "/ws?user=zoe"))) {
			org.awaitility.Awaitility.await().until(() -> b.template().isOnline("zoe").join());
			assertThat(b.template().sendToUser("zoe", "hello").join().isDelivered()).isTrue();
			assertThat(onA.next((frame) -> "direct".equals(HubTestClient.type(frame))).get("data").asString())
				.isEqualTo("hello");
		}
	}

}
