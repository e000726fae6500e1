package io.github.wshub.session;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.RawWebSocket;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;
import io.github.wshub.testsupport.RedisServer;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * An instance stopped under continuous publishing: every message accepted before the stop
 * reaches every client still connected to it, each client is closed with 4000, none is left
 * open, and no new session is accepted once draining began. Once in-process
 * ({@code context.close()}) and once as a real process sent SIGTERM, on each stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class GracefulShutdownIntegrationTests {

	private static final String TOPIC = "chat.stream";

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Parameter
	Stack stack;

	@Test
	void closingTheContextDrainsWithoutLosingAcceptedMessages() throws Exception {
		try (Instance publisherSide = start("steady")) {
			Instance doomed = start("doomed-in-jvm", "hub.shutdown.drain-period=1s");
			LocalSessions sessions = doomed.sessions();
			int port = doomed.port();
			List<HubTestClient> clients = connect(port, 12);
			try (Publisher publisher = new Publisher(publisherSide)) {
				publisher.awaitSomeAccepted();
				CompletableFuture<Void> closing = new CompletableFuture<>();
				long stopAt = System.nanoTime();
				Thread stopper = new Thread(() -> {
					doomed.close();
					closing.complete(null);
				});
				stopper.start();
				await().atMost(Duration.ofSeconds(5))
					.until(() -> sessions.getState() != LocalSessions.State.RUNNING);
				assertThatExceptionOfType(IOException.class).as("handshake refused while draining")
					.isThrownBy(() -> RawWebSocket.connect(port).close())
					.withMessageContaining("503");
				closing.get(30, TimeUnit.SECONDS);
				assertEveryClientGotEverythingAcceptedBefore(clients, publisher.acceptedBefore(stopAt));
				assertThat(sessions.getSessionCount()).isZero();
				assertThat(sessions.getState()).isEqualTo(LocalSessions.State.STOPPED);
			}
		}
	}

	@Test
	void sigtermDrainsTheProcessAndDeregistersIt() throws Exception {
		try (Instance publisherSide = start("steady-2")) {
			int port = RedisServer.freePort();
			Process doomed = TestHubApplication.startProcess(this.stack, port,
					new File("target/sigterm-instance-" + this.stack.name().toLowerCase() + ".log"),
					"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
					"--hub.instance-id=doomed-process", "--hub.shutdown.drain-period=1s",
					"--hub.registry.heartbeat-interval=200ms", "--hub.registry.instance-ttl=30s");
			try {
				List<HubTestClient> clients = connect(port, 8);
				await().atMost(Duration.ofSeconds(10))
					.until(() -> "1".equals(String.valueOf(redis.server().execute("SISMEMBER", "hub:instances",
							"doomed-process"))));
				try (Publisher publisher = new Publisher(publisherSide)) {
					publisher.awaitSomeAccepted();
					long stopAt = System.nanoTime();
					doomed.destroy();
					assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).as("process exited").isTrue();
					assertEveryClientGotEverythingAcceptedBefore(clients, publisher.acceptedBefore(stopAt));
				}
				// Deregistered on the way out, long before its 30 s heartbeat TTL would expire.
				assertThat(redis.server().execute("SISMEMBER", "hub:instances", "doomed-process")).isEqualTo(0L);
				assertThat(redis.server().execute("EXISTS", "hub:instance:{doomed-process}")).isEqualTo(0L);
			}
			finally {
				doomed.destroyForcibly();
			}
		}
	}

	@Test
	void sessionsThatCloseThemselvesDuringTheDrainDoNotHoldItUp() throws Exception {
		// Two sessions over a 10 s drain period: the first is closed at once, the second 5 s
		// later. The second client leaves as soon as the first is closed (as a client told of
		// the shutdown by its application would): nothing is left to spread, so the drain ends.
		Instance doomed = start("doomed-early-leaver", "hub.shutdown.drain-period=10s");
		LocalSessions sessions = doomed.sessions();
		List<HubTestClient> clients = connect(doomed.port(), 2);
		await().atMost(Duration.ofSeconds(5)).until(() -> sessions.getSessionCount() == 2);
		CompletableFuture<Long> closedAfterMillis = new CompletableFuture<>();
		long stopAt = System.nanoTime();
		Thread stopper = new Thread(() -> {
			doomed.close();
			closedAfterMillis.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt));
		});
		stopper.start();
		HubTestClient first = await().atMost(Duration.ofSeconds(5))
			.until(() -> clients.stream().filter(HubTestClient::isClosed).findFirst().orElse(null),
					(client) -> client != null);
		assertThat(first.awaitClose()).isEqualTo(4000);
		HubTestClient second = (first == clients.get(0)) ? clients.get(1) : clients.get(0);
		second.close();
		assertThat(closedAfterMillis.get(30, TimeUnit.SECONDS)).as("drain time (ms)").isLessThan(4000);
		assertThat(sessions.getSessionCount()).isZero();
		assertThat(sessions.getState()).isEqualTo(LocalSessions.State.STOPPED);
	}

	private static void assertEveryClientGotEverythingAcceptedBefore(List<HubTestClient> clients,
			Set<Integer> accepted) {
		assertThat(accepted).as("messages were accepted before the stop").isNotEmpty();
		for (HubTestClient client : clients) {
			assertThat(client.awaitClose()).as("closed with 'shutdown, reconnect'").isEqualTo(4000);
			List<Integer> received = new ArrayList<>();
			JsonNode frame;
			while ((frame = client.poll(Duration.ZERO)) != null) {
				if ("message".equals(HubTestClient.type(frame))) {
					received.add(frame.get("data").asInt());
				}
			}
			assertThat(received).as("in publish order").isSorted();
			assertThat(new TreeSet<>(received)).as("every accepted message").containsAll(accepted);
		}
	}

	private static List<HubTestClient> connect(int port, int count) {
		List<HubTestClient> clients = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			clients.add(HubTestClient.connect(port).subscribe(TOPIC));
		}
		return clients;
	}

	private Instance start(String id, String... extra) {
		List<String> properties = new ArrayList<>(List.of("hub.instance-id=" + id));
		properties.addAll(List.of(extra));
		return TestHubApplication.start(this.stack, redis, properties.toArray(new String[0]));
	}

	/**
	 * Publishes increasing numbers from another instance, one every 2 ms, and remembers when
	 * Redis accepted each one.
	 */
	private static final class Publisher implements AutoCloseable {

		private final ConcurrentSkipListSet<Long> acceptedAt = new ConcurrentSkipListSet<>();

		private final java.util.Map<Integer, Long> acceptedTimes = new java.util.concurrent.ConcurrentHashMap<>();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final AtomicInteger sequence = new AtomicInteger();

		private final Thread thread;

		Publisher(Instance instance) {
			this.thread = new Thread(() -> {
				// Bounded: at most 20,000 messages (40 s).
				while (this.running.get() && this.sequence.get() < 20_000) {
					int seq = this.sequence.incrementAndGet();
					instance.template().publish(TOPIC, seq).thenRun(() -> {
						long now = System.nanoTime();
						this.acceptedTimes.put(seq, now);
						this.acceptedAt.add(now);
					});
					try {
						Thread.sleep(2);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "test-publisher");
			this.thread.start();
		}

		void awaitSomeAccepted() {
			await().atMost(Duration.ofSeconds(10)).until(() -> this.acceptedTimes.size() > 50);
		}

		Set<Integer> acceptedBefore(long nanoTime) {
			Set<Integer> result = new TreeSet<>();
			this.acceptedTimes.forEach((seq, at) -> {
				if (at < nanoTime) {
					result.add(seq);
				}
			});
			return result;
		}

		@Override
		public void close() throws InterruptedException {
			this.running.set(false);
			this.thread.join(5000);
		}

	}

}
