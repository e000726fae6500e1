package io.github.wshub.security;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
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
import static org.awaitility.Awaitility.await;

/**
 * Thousands of generated malformed and mutated frames on many sessions, at the WebSocket and
 * JSON level: the instance stays up, well-formed sessions keep receiving every message in order,
 * and sessions, subscriptions, hub threads and heap return to their baseline, on each stack.
 * Seeded, so a failure can be replayed.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class FuzzIntegrationTests {

	private static final long SEED = Long.getLong("wshub.fuzz.seed", 20261127L);

	private static final int FUZZ_SESSIONS = 24;

	private static final int FRAMES_PER_SESSION = 250;

	@Parameter
	Stack stack;

	@Test
	void malformedInputHarmsNobody() throws Exception {
		try (Instance instance = TestHubApplication.start(this.stack, "hub.broker=memory",
				"server.tomcat.threads.max=32", "hub.limits.max-frame-size=16KB", "hub.limits.message-rate=5000",
				"hub.limits.message-burst=5000")) {
			List<HubTestClient> good = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				good.add(instance.connect().subscribe("chat.good"));
			}
			long baselineHeap = usedHeapAfterGc();
			long baselineHubThreads = hubThreads();
			int baselineThreads = Thread.activeCount();

			AtomicBoolean publishing = new AtomicBoolean(true);
			AtomicInteger published = new AtomicInteger();
			Thread publisher = new Thread(() -> {
				while (publishing.get() && published.get() < 5000) {
					instance.template().publish("chat.good", published.incrementAndGet()).join();
					sleep(3);
				}
			}, "fuzz-publisher");
			publisher.start();

			List<CompletableFuture<Integer>> fuzzers = new ArrayList<>();
			for (int i = 0; i < FUZZ_SESSIONS; i++) {
				long seed = SEED + i;
				boolean raw = i % 3 == 0;
				fuzzers.add(CompletableFuture.supplyAsync(() -> raw ? fuzzRaw(instance.port(), seed)
						: fuzzJson(instance.port(), seed)));
			}
			int frames = 0;
			for (CompletableFuture<Integer> fuzzer : fuzzers) {
				frames += fuzzer.join();
			}
			assertThat(frames).as("frames sent").isGreaterThan(4000);
			publishing.set(false);
			publisher.join();

			// Well-formed sessions received every message, in order, despite the fuzzing.
			for (HubTestClient client : good) {
				int expected = 1;
				while (expected <= published.get()) {
					JsonNode message = client.nextMessage();
					assertThat(message.get("data").asInt()).isEqualTo(expected++);
				}
				assertThat(client.isClosed()).isFalse();
			}
			// The instance is up and serves new sessions.
			try (HubTestClient fresh = instance.connect()) {
				fresh.subscribe("chat.after").publish("chat.after", "\"ok\"");
				assertThat(fresh.nextMessage().get("data").asString()).isEqualTo("ok");
			}
			// Everything the fuzzers held is released.
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				assertThat(instance.sessions().getSessionCount()).isEqualTo(good.size());
				assertThat(instance.registry().refCounts()).containsOnlyKeys("chat.good");
				assertThat(hubThreads()).isEqualTo(baselineHubThreads);
				assertThat(Thread.activeCount()).isLessThanOrEqualTo(baselineThreads + 32);
				assertThat(usedHeapAfterGc()).isLessThan(baselineHeap + 32 * 1024 * 1024);
			});
			// Server side: sessions were only closed for what the protocol documents (or by the
			// fuzzing client itself), never for a server error or a slow consumer.
			io.micrometer.core.instrument.MeterRegistry meters = instance.context()
				.getBean(io.micrometer.core.instrument.MeterRegistry.class);
			for (String code : List.of("4002", "4003", "1011", "4502")) {
				io.micrometer.core.instrument.Counter counter = meters.find("hub.sessions.closed").tag("code", code).counter();
				assertThat((counter != null) ? counter.count() : 0).as("sessions closed with %s", code).isZero();
			}
			io.micrometer.core.instrument.Counter tooBig = meters.find("hub.sessions.closed").tag("code", "1009").counter();
			assertThat(tooBig).as("oversized frames were closed with 1009").isNotNull();
			assertThat(meters.find("hub.errors.sent").tag("code", "internal_error").counter().count()).isZero();
			good.forEach(HubTestClient::close);
		}
	}

	/**
	 * JSON-level fuzzing over a well-behaved WebSocket client: mutated and malformed frames.
	 */
	private static int fuzzJson(int port, long seed) {
		Random random = new Random(seed);
		int sent = 0;
		HubTestClient client = HubTestClient.connect(port);
		try {
			for (int i = 0; i < FRAMES_PER_SESSION; i++) {
				if (client.isClosed()) {
					client = HubTestClient.connect(port);
				}
				client.sendAsync(malformedFrame(random));
				sent++;
			}
			// Still usable, unless the documented policy closed it: an oversized frame (1009).
			if (!client.isClosed()) {
				client.sendAsync("{\"type\":\"unsubscribe\",\"topic\":\"chat.none\",\"id\":\"alive\"}");
				try {
					client.next((frame) -> "ack".equals(HubTestClient.type(frame))
							&& "alive".equals(frame.get("id").asString()));
				}
				catch (AssertionError ex) {
					// The JDK client may report its failing in-flight send (1006) before the close frame.
					assertThat(client.awaitClose()).as("only an oversized frame closes a session").isIn(1009, 1006);
				}
			}
		}
		finally {
			client.close();
		}
		return sent;
	}

	/**
	 * WebSocket-level fuzzing: random bytes as text (often invalid UTF-8), reserved opcodes,
	 * binary frames. The container closes such sessions (1002, 1007); a new one is opened.
	 */
	private static int fuzzRaw(int port, long seed) {
		Random random = new Random(seed);
		int sent = 0;
		RawWebSocket socket = null;
		try {
			for (int i = 0; i < FRAMES_PER_SESSION; i++) {
				try {
					if (socket == null) {
						socket = RawWebSocket.connect(port);
					}
					byte[] payload = new byte[random.nextInt(300)];
					random.nextBytes(payload);
					int[] opcodes = { 0x1, 0x1, 0x2, 0x3, 0xB, 0x0 };
					socket.sendFrame(opcodes[random.nextInt(opcodes.length)], payload);
					sent++;
				}
				catch (java.io.IOException ex) {
					closeQuietly(socket);
					socket = null;
				}
			}
		}
		finally {
			closeQuietly(socket);
		}
		return sent;
	}

	private static String malformedFrame(Random random) {
		String valid = "{\"type\":\"publish\",\"topic\":\"chat.fuzz\",\"data\":{\"a\":[1,2,{\"b\":null}]},\"id\":7}";
		return switch (random.nextInt(14)) {
			case 0 -> valid.substring(0, random.nextInt(valid.length()));
			case 1 -> "[".repeat(200 + random.nextInt(200));
			case 2 -> "{\"type\":\"subscribe\",\"topic\":\"" + "x".repeat(300 + random.nextInt(2000)) + "\",\"id\":1}";
			case 3 -> "{\"type\":\"publish\",\"topic\":\"chat.fuzz\",\"data\":\"" + "y".repeat(20_000) + "\"}";
			case 4 -> "{\"type\":" + random.nextInt() + ",\"topic\":[],\"id\":{}}";
			case 5 -> "{\"type\":\"subscribe\",\"topic\":\"chat.fuzz\",\"id\":\"" + "i".repeat(1000) + "\"}";
			case 6 -> "{\"type\":\"" + randomText(random, 20) + "\",\"topic\":\"chat.fuzz\"}";
			case 7 -> randomText(random, 200);
			case 8 -> "null";
			case 9 -> "{\"type\":\"subscribe\",\"topic\":\"chat." + randomText(random, 10) + "\"}";
			case 10 -> "{\"type\":\"unsubscribe\",\"topic\":\"chat.fuzz\",\"id\":1e999999}";
			case 11 -> "{\"type\":\"publish\",\"topic\":\"chat.fuzz\",\"data\":" + "{\"k\":".repeat(100) + "1"
					+ "}".repeat(100) + "}";
			case 12 -> "{\"type\":\"subscribe\",\"topic\":\"chat.fuzz\",\"id\":1}{\"type\":\"x\"}";
			default -> mutate(valid, random);
		};
	}

	private static String mutate(String valid, Random random) {
		char[] chars = valid.toCharArray();
		for (int i = 0; i < 1 + random.nextInt(5); i++) {
			chars[random.nextInt(chars.length)] = (char) (32 + random.nextInt(95));
		}
		return new String(chars);
	}

	private static String randomText(Random random, int maxLength) {
		byte[] bytes = new byte[1 + random.nextInt(maxLength)];
		random.nextBytes(bytes);
		return new String(bytes, StandardCharsets.ISO_8859_1).replace('"', '\'').replace('\\', '/');
	}

	private static long usedHeapAfterGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
			sleep(100);
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static long hubThreads() {
		return Thread.getAllStackTraces().keySet().stream().filter((thread) -> thread.getName().startsWith("hub-")).count();
	}

	private static void closeQuietly(RawWebSocket socket) {
		if (socket != null) {
			try {
				socket.close();
			}
			catch (java.io.IOException ex) {
				// Gone already.
			}
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
