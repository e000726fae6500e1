package io.github.wshub.registry;

import java.io.File;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import io.github.wshub.session.SendResult;
import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;
import io.github.wshub.testsupport.RedisServer;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three real instances sharing one Redis: targeted delivery to users and sessions, and an
 * instance killed without any cleanup, on each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class ConnectionRegistryIntegrationTests {

	@Parameter
	Stack stack;

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final Duration SETTLE = Duration.ofSeconds(15);

	private static Instance a;

	private static Instance b;

	private static Instance c;

	@BeforeParameterizedClassInvocation
	static void start(Stack stack) {
		a = start(stack, "a");
		b = start(stack, "b");
		c = start(stack, "c");
	}

	static Instance start(Stack stack, String id) {
		return TestHubApplication.start(stack, redis, "hub.instance-id=" + id,
				"hub.registry.heartbeat-interval=200ms", "hub.registry.instance-ttl=1s");
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		a.close();
		b.close();
		c.close();
	}

	@Test
	void targetedMessageReachesEverySessionOfTheUserAndNobodyElse() {
		try (HubTestClient aliceOnA = a.connectAs("alice"); HubTestClient aliceOnB = b.connectAs("alice");
				HubTestClient bobOnC = c.connectAs("bob"); HubTestClient anonymous = a.connect()) {
			await().atMost(SETTLE).until(() -> c.template().locateUser("alice").join().size() == 2);
			assertThat(c.template().locateUser("alice").join()).containsEntry(aliceOnA.sessionId(), "a")
				.containsEntry(aliceOnB.sessionId(), "b");
			assertThat(a.template().isOnline("bob").join()).isTrue();

			SendResult result = c.template().sendToUser("alice", Map.of("text", "hi alice")).join();
			assertThat(result).isEqualTo(new SendResult(2, 2));
			assertThat(direct(aliceOnA).get("text").asString()).isEqualTo("hi alice");
			assertThat(direct(aliceOnB).get("text").asString()).isEqualTo("hi alice");
			assertThat(bobOnC.poll(Duration.ofMillis(300))).isNull();
			assertThat(anonymous.poll(Duration.ofMillis(100))).isNull();

			SendResult toSession = a.template().sendToSession(aliceOnB.sessionId(), "just you").join();
			assertThat(toSession).isEqualTo(new SendResult(1, 1));
			assertThat(aliceOnB.next((frame) -> "direct".equals(HubTestClient.type(frame))).get("data").asString())
				.isEqualTo("just you");
			assertThat(aliceOnA.poll(Duration.ofMillis(300))).isNull();

			SendResult toAnonymous = c.template().sendToSession(anonymous.sessionId(), 42).join();
			assertThat(toAnonymous.isDelivered()).isTrue();
			assertThat(anonymous.next().get("data").asInt()).isEqualTo(42);

			assertThat(b.template().sendToUser("nobody", "x").join()).isEqualTo(SendResult.NONE);
			assertThat(b.template().isOnline("nobody").join()).isFalse();

			assertThat(c.template().disconnectUser("alice").join()).isEqualTo(new SendResult(2, 2));
			assertThat(aliceOnA.awaitClose()).isEqualTo(4501);
			assertThat(aliceOnB.awaitClose()).isEqualTo(4501);
			await().atMost(SETTLE).until(() -> !c.template().isOnline("alice").join());
			assertThat(bobOnC.isClosed()).isFalse();
		}
	}

	@Test
	void killedInstanceDisappearsFromLookupsAndIsPurged() throws Exception {
		int port = RedisServer.freePort();
		Process doomed = TestHubApplication.startProcess(this.stack, port,
				new File("target/doomed-instance-" + this.stack.name().toLowerCase() + ".log"),
				"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
				"--hub.instance-id=doomed", "--hub.registry.heartbeat-interval=200ms", "--hub.registry.instance-ttl=1s");
		try {
			HubTestClient carol = HubTestClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws?user=carol"));
			await().atMost(SETTLE)
				.until(() -> a.template().locateUser("carol").join().equals(Map.of(carol.sessionId(), "doomed")));
			assertThat(redis.server().execute("SISMEMBER", "hub:instances", "doomed")).isEqualTo(1L);

			doomed.destroyForcibly().waitFor();
			long killedAt = System.nanoTime();
			await().atMost(Duration.ofSeconds(5)).until(() -> !a.template().isOnline("carol").join());
			assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("gone within the TTL and a heartbeat")
				.isLessThan(Duration.ofMillis(2500));
			assertThat(b.template().sendToUser("carol", "anyone?").join()).isEqualTo(SendResult.NONE);
			await().atMost(SETTLE).untilAsserted(() -> {
				assertThat(redis.server().execute("EXISTS", "hub:instance:{doomed}:sessions")).isEqualTo(0L);
				assertThat(redis.server().execute("EXISTS", "hub:user:{carol}")).isEqualTo(0L);
				assertThat(redis.server().execute("HEXISTS", "hub:sessions", carol.sessionId())).isEqualTo(0L);
				assertThat(redis.server().execute("SISMEMBER", "hub:instances", "doomed")).isEqualTo(0L);
			});
			carol.close();
		}
		finally {
			doomed.destroyForcibly();
		}
	}

	private static JsonNode direct(HubTestClient client) {
		JsonNode frame = client.next((f) -> "direct".equals(HubTestClient.type(f)));
		return frame.get("data");
	}

}
