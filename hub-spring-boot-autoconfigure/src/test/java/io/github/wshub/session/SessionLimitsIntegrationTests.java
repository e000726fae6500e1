package io.github.wshub.session;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.RawWebSocket;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Heartbeats, slow consumers and frame size: each closes the offending session with its
 * documented code and leaves the others alone, on each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class SessionLimitsIntegrationTests {

	@Parameter
	Stack stack;

	private static Instance instance;

	/** With the default heartbeat: a client that reads nothing is closed for being slow only. */
	private static Instance sendLimited;

	@BeforeParameterizedClassInvocation
	static void start(Stack stack) {
		instance = TestHubApplication.start(stack, "hub.broker=memory", "hub.session.ping-interval=300ms",
				"hub.session.pong-timeout=400ms", "hub.session.send-buffer-size-limit=64KB",
				"hub.session.send-time-limit=1s", "hub.limits.max-frame-size=4KB");
		sendLimited = TestHubApplication.start(stack, "hub.broker=memory", "hub.session.send-buffer-size-limit=64KB",
				"hub.session.send-time-limit=1s");
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		instance.close();
		sendLimited.close();
	}

	@Test
	void sessionThatNeverAnswersPingsIsClosedWithPingTimeout() throws Exception {
		try (RawWebSocket silent = RawWebSocket.connect(instance.port()); HubTestClient healthy = instance.connect()) {
			long start = System.nanoTime();
			assertThat(silent.readUntilClose()).isEqualTo(4001);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			// The JDK client answers pings: it stays open well past the timeout.
			Thread.sleep(1500);
			assertThat(healthy.isClosed()).isFalse();
			healthy.subscribe("chat.alive");
		}
	}

	@Test
	void slowConsumerIsClosedAndOthersKeepReceiving() throws Exception {
		String topic = "bench.slow";
		// 9 MB: more than the kernel buffers between the server and a client that reads nothing
		// (its receive buffer is 4 KB; the server's send buffer autotunes up to 4 MB on loopback),
		// so the session's own send buffer must fill.
		int messages = 3000;
		String payload = "\"" + "x".repeat(3000) + "\"";
		try (RawWebSocket stuck = RawWebSocket.connect(sendLimited.port(), 4096, null);
				HubTestClient healthy = sendLimited.connect()) {
			stuck.sendText("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
			healthy.subscribe(topic);
			await().atMost(Duration.ofSeconds(5)).until(() -> sendLimited.registry().refCount(topic) == 2);
			CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> {
				for (int i = 0; i < messages; i++) {
					assertThat(healthy.nextMessage().get("data").asString()).hasSize(3000);
				}
				return messages;
			});
			for (int i = 0; i < messages; i++) {
				sendLimited.template().publish(topic, tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(
						payload.substring(1, payload.length() - 1)));
			}
			assertThat(received.join()).isEqualTo(messages);
			await().atMost(Duration.ofSeconds(10)).until(() -> sendLimited.registry().refCount(topic) == 1);
			// 4002 when the close frame gets through; a client that reads nothing at all cannot
			// receive it and sees the connection aborted (1006).
			assertThat(stuck.readUntilClose()).isIn(4002, 1006);
		}
	}

	@Test
	void oversizedFrameClosesWith1009() {
		try (HubTestClient client = instance.connect()) {
			client.sendAsync("{\"type\":\"publish\",\"topic\":\"chat.big\",\"data\":\"" + "y".repeat(8000) + "\"}");
			assertThat(client.awaitClose()).isEqualTo(1009);
		}
	}

	@Test
	void frameFarOverTheLimitClosesWith1009Too() {
		// Over three times the limit: Reactor Netty refuses it before aggregating it.
		try (HubTestClient client = instance.connect()) {
			client.sendAsync("{\"type\":\"publish\",\"topic\":\"chat.big\",\"data\":\"" + "y".repeat(20_000) + "\"}");
			assertThat(client.awaitClose()).isEqualTo(1009);
		}
	}

}
