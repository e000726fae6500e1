package io.github.wshub.session;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.node.JsonNodeFactory;

import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.RawWebSocket;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;
import io.github.wshub.testsupport.RedisServer;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code hub.shutdown.timeout} bounds the whole drain, whatever the clients do: a real process
 * whose busy topic has clients that stopped reading (their TCP windows full, the topic's dispatch
 * lane blocked in a write to one of them and its queue full) exits within the timeout plus 2 s
 * of {@code SIGTERM}, and every client that still reads is closed with 4000, on each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class DrainDeadlineIntegrationTests {

	private static final String TOPIC = "chat.busy";

	private static final int STUCK_CLIENTS = 50;

	private static final int READING_CLIENTS = 10;

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(4);

	private static final Duration EXIT_BOUND = SHUTDOWN_TIMEOUT.plusSeconds(2);

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Parameter
	Stack stack;

	@Test
	void sigtermWithClientsThatStoppedReadingExitsWithinTheShutdownTimeout() throws Exception {
		try (Instance publisherSide = TestHubApplication.start(this.stack, redis, "hub.instance-id=busy-publisher")) {
			int port = RedisServer.freePort();
			Process doomed = TestHubApplication.startProcess(this.stack, port,
					new File("target/drain-deadline-instance-" + this.stack.name().toLowerCase() + ".log"),
					"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
					"--hub.instance-id=stuck-clients", "--hub.shutdown.drain-period=2s",
					"--hub.shutdown.timeout=" + SHUTDOWN_TIMEOUT.toSeconds() + "s",
					// A small queue fills within a second once the topic's lane is blocked; the
					// default one would take minutes at this rate, with the same effect.
					"--hub.dispatch.queue-capacity=256");
			List<RawWebSocket> stuck = new ArrayList<>();
			List<HubTestClient> reading = new ArrayList<>();
			try {
				for (int i = 0; i < STUCK_CLIENTS; i++) {
					// A small receive buffer and no reads: the window fills after a few messages.
					RawWebSocket client = RawWebSocket.connect(port, 4096, null);
					stuck.add(client);
					client.sendText("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
				}
				for (int i = 0; i < READING_CLIENTS; i++) {
					reading.add(HubTestClient.connect(port).subscribe(TOPIC));
				}
				try (Flood flood = new Flood(publisherSide)) {
					// Every client that stopped reading holds a whole topic message it did not read...
					await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
						for (RawWebSocket client : stuck) {
							if (client.unreadBytes() < 4096) {
								return false;
							}
						}
						return true;
					});
					// ... and 1000 more messages (4 MB, far more than any socket buffer) fill their
					// windows, block the topic's lane in a write to one of them and fill its queue.
					flood.awaitPublished(flood.published() + 1000);
					long stopAt = System.nanoTime();
					doomed.destroy();
					boolean exited = doomed.waitFor(30, TimeUnit.SECONDS);
					Duration exitTime = Duration.ofNanos(System.nanoTime() - stopAt);
					assertThat(exited).as("process exited within 30 s of SIGTERM").isTrue();
					assertThat(exitTime).as("time from SIGTERM to exit").isLessThanOrEqualTo(EXIT_BOUND);
				}
				for (HubTestClient client : reading) {
					assertThat(client.awaitClose()).as("closed with 'shutdown, reconnect'")
						.isEqualTo(HubCloseStatus.SHUTDOWN.code());
				}
			}
			finally {
				doomed.destroyForcibly();
				for (HubTestClient client : reading) {
					client.close();
				}
				for (RawWebSocket client : stuck) {
					client.close();
				}
			}
		}
	}

	/**
	 * Publishes a 4 KB message on the topic every 2 ms from another instance; at most 30,000
	 * (a minute).
	 */
	private static final class Flood implements AutoCloseable {

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final AtomicInteger published = new AtomicInteger();

		private final Thread thread;

		Flood(Instance instance) {
			String payload = "x".repeat(4096);
			this.thread = new Thread(() -> {
				while (this.running.get() && this.published.get() < 30_000) {
					instance.template().publish(TOPIC, JsonNodeFactory.instance.stringNode(payload));
					this.published.incrementAndGet();
					try {
						Thread.sleep(2);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "test-flood");
			this.thread.start();
		}

		int published() {
			return this.published.get();
		}

		void awaitPublished(int count) {
			await().atMost(Duration.ofSeconds(20)).until(() -> this.published.get() >= count);
		}

		@Override
		public void close() throws InterruptedException {
			this.running.set(false);
			this.thread.join(5000);
		}

	}

}
