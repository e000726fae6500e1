package io.github.wshub.sample;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.testsupport.RedisServer;
import io.github.wshub.testsupport.RedisServerExtension;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The rolling-restart proof of history and recovery: three instances of the sample app as real
 * processes sharing one Redis, 30 subscribers using the JavaScript client's reconnect and recovery
 * logic (run by Node, {@code src/test/js/rolling-clients.mjs}) on 5 history topics, 100 messages per
 * second published through all instances, and each instance in turn stopped with a real SIGTERM
 * (its graceful drain closes its sessions with 4000) and started again. Every subscriber must
 * receive every message exactly once and in order: 0 lost, 0 duplicated, 0 reordered, and no
 * recovery answered {@code recovered:false}. {@code benchmarks/run.sh rolling} runs the same
 * clients against the sample app's jar, with the default drain.
 *
 * @author wshub
 */
class RollingRestartIntegrationTests {

	private static final int INSTANCES = 3;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Duration SETTLE_AFTER_RESTART = Duration.ofSeconds(4);

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final List<String> nodeOutput = new CopyOnWriteArrayList<>();

	@Test
	void everySubscriberGetsEveryMessageOnceAndInOrderWhileEachInstanceIsRestartedInTurn() throws Exception {
		List<String> node = nodeWithWebSocket();
		assumeThat(node).as("node 20.10+ (global WebSocket) on the PATH, for the JavaScript client").isNotNull();
		int[] ports = new int[INSTANCES];
		Process[] instances = new Process[INSTANCES];
		Process clients = null;
		try {
			for (int i = 0; i < INSTANCES; i++) {
				ports[i] = RedisServer.freePort();
				instances[i] = startInstance(ports[i], i, 0);
			}
			for (int i = 0; i < INSTANCES; i++) {
				awaitUp(instances[i], ports[i]);
			}
			clients = startClients(node, ports);
			awaitLine(clients, "READY", Duration.ofSeconds(90));
			Thread.sleep(3000);
			for (int i = 0; i < INSTANCES; i++) {
				instances[i].destroy();
				assertThat(instances[i].waitFor(30, TimeUnit.SECONDS)).as("instance %d exits after SIGTERM", i).isTrue();
				assertThat(instances[i].exitValue()).as("instance %d died of SIGTERM after its drain", i).isEqualTo(143);
				instances[i] = startInstance(ports[i], i, 1);
				awaitUp(instances[i], ports[i]);
				Thread.sleep(SETTLE_AFTER_RESTART.toMillis());
			}
			try (Writer stdin = new OutputStreamWriter(clients.getOutputStream(), StandardCharsets.UTF_8)) {
				stdin.write("stop\n");
			}
			assertThat(clients.waitFor(90, TimeUnit.SECONDS)).as("the clients report within 90 s").isTrue();
			JsonNode report = report();
			assertThat(report.get("published").get("acked").asInt()).as("acked publishes; report: %s", report)
				.isGreaterThan(1000);
			assertThat(report.get("reconnects").asInt()).as("every subscriber reconnected at least once; report: %s", report)
				.isGreaterThanOrEqualTo(30);
			assertThat(report.get("recoveries").get("recovered").asInt()).as("recoveries; report: %s", report)
				.isGreaterThan(0);
			assertThat(report.get("recoveries").get("notRecovered").asInt()).as("recovered:false; report: %s", report)
				.isZero();
			assertThat(report.get("lost").asInt()).as("lost; report: %s", report).isZero();
			assertThat(report.get("duplicated").asInt()).as("duplicated; report: %s", report).isZero();
			assertThat(report.get("reordered").asInt()).as("reordered; report: %s", report).isZero();
			assertThat(report.get("epochChanges").asInt()).as("epoch changes; report: %s", report).isZero();
			assertThat(report.get("caughtUp").asBoolean()).as("every subscriber caught up; report: %s", report).isTrue();
			assertThat(report.get("deliveries").asLong()).isEqualTo(report.get("expectedDeliveries").asLong());
			assertThat(clients.exitValue()).as("the clients' exit code").isZero();
		}
		finally {
			if (clients != null) {
				clients.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			for (Process instance : instances) {
				if (instance != null) {
					instance.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
				}
			}
		}
	}

	private Process startInstance(int port, int index, int generation) throws IOException {
		Path log = Path.of("target", "rolling-restart-instance-" + index + "-" + generation + ".log");
		List<String> command = List.of(
				System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-Xmx256m",
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				SampleApplication.class.getName(), "--server.port=" + port, "--server.address=127.0.0.1",
				"--spring.main.banner-mode=off", "--sample.embedded-redis=false",
				"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
				// 36 anonymous clients from 127.0.0.1, up to two thirds of them on one instance.
				"--hub.limits.max-anonymous-sessions-per-address=1000", "--hub.shutdown.drain-period=2s",
				"--logging.level.root=WARN");
		return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
	}

	private static void awaitUp(Process instance, int port) {
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> !instance.isAlive() || isUp(port));
		assertThat(instance.isAlive()).as("instance on port %d running; see target/rolling-restart-instance-*.log", port)
			.isTrue();
	}

	private static boolean isUp(int port) {
		try {
			HttpResponse<String> health = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
						HttpResponse.BodyHandlers.ofString());
			return health.statusCode() == 200
					&& "UP".equals(JSON.readTree(health.body()).path("status").asString(""));
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private Process startClients(List<String> node, int[] ports) throws IOException {
		List<String> command = new ArrayList<>(node);
		command.addAll(List.of(Path.of("src", "test", "js", "rolling-clients.mjs").toString(), "--urls",
				java.util.Arrays.stream(ports).mapToObj((port) -> "ws://127.0.0.1:" + port + "/ws")
					.collect(Collectors.joining(",")),
				"--clients", "30", "--topics", "5", "--rate", "100", "--publishers", "6", "--duration", "300",
				"--out", Path.of("target", "rolling-restart-report.json").toString()));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		Thread reader = new Thread(() -> {
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				lines.lines().forEach((line) -> {
					this.nodeOutput.add(line);
					System.out.println("[rolling-clients] " + line);
				});
			}
			catch (IOException ex) {
				this.nodeOutput.add("(output unreadable: " + ex + ")");
			}
		}, "rolling-clients-output");
		reader.setDaemon(true);
		reader.start();
		return process;
	}

	private void awaitLine(Process process, String prefix, Duration within) {
		await().atMost(within)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> !process.isAlive() || this.nodeOutput.stream().anyMatch((line) -> line.startsWith(prefix)));
		assertThat(this.nodeOutput).as("the clients' output").anyMatch((line) -> line.startsWith(prefix));
	}

	private JsonNode report() {
		// The process has exited; its last lines may still be on their way through the reader.
		await().atMost(Duration.ofSeconds(5)).until(() -> this.nodeOutput.stream().anyMatch((line) -> line.startsWith("REPORT ")));
		String line = this.nodeOutput.stream()
			.filter((candidate) -> candidate.startsWith("REPORT "))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no REPORT line in the clients' output: " + this.nodeOutput));
		return JSON.readTree(line.substring("REPORT ".length()));
	}

	/**
	 * The command that runs Node with a global {@code WebSocket}: Node 22+ as it is, Node 20.10+
	 * with {@code --experimental-websocket}.
	 * @return the command, or {@code null} when no such Node is on the PATH
	 */
	private static List<String> nodeWithWebSocket() {
		String check = "process.exit(typeof WebSocket === 'function' ? 0 : 1)";
		for (List<String> candidate : List.of(List.of("node"), List.of("node", "--experimental-websocket"))) {
			List<String> command = new ArrayList<>(candidate);
			command.addAll(List.of("-e", check));
			try {
				Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
				process.getInputStream().readAllBytes();
				if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0) {
					return candidate;
				}
			}
			catch (IOException ex) {
				return null;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return null;
			}
		}
		return null;
	}

}
