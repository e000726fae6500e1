package io.github.wshub.sample;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.github.wshub.testsupport.RedisServer;
import io.github.wshub.testsupport.RespConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app as a real process that started its development Redis, stopped the ways users
 * and machines stop it: SIGTERM (process managers, {@code docker stop}, {@code kill}), SIGINT to
 * its whole process group (Ctrl+C in a terminal) and SIGKILL. Stopped gracefully, it drains its
 * sessions and deregisters through Redis before the development Redis stops, without a Redis
 * error and within a few seconds; killed, it leaves no {@code redis-server} behind.
 *
 * @author wshub
 */
class DevelopmentRedisShutdownIntegrationTests {

	private static final String INSTANCE_ID = "sample-dev-redis";

	private static final Duration EXIT_WITHIN = Duration.ofSeconds(5);

	private static final Pattern STARTED = Pattern.compile("started a development redis-server there \\(pid (\\d+),");

	@Test
	void sigtermDrainsAndDeregistersBeforeTheDevelopmentRedisStops() throws Exception {
		try (SampleProcess app = SampleProcess.start("sigterm", List.of())) {
			assertGracefulStop(app, app.process::destroy);
			assertThat(app.process.exitValue()).as("died of SIGTERM").isEqualTo(143);
		}
	}

	@Test
	void ctrlCInATerminalDrainsAndDeregistersBeforeTheDevelopmentRedisStops() throws Exception {
		assumeThat(succeeds("env", "--default-signal=INT", "setsid", "true"))
			.as("GNU env and setsid, to run the app in a process group of its own with SIGINT handled")
			.isTrue();
		// A terminal sends SIGINT to every process of its foreground group. The test's own group
		// must not receive it, so the app gets a session and group of its own (setsid execs in
		// place: the group id is the app's pid), with SIGINT back to its default in case this JVM
		// was started with it ignored, as background jobs of a non-interactive shell are.
		try (SampleProcess app = SampleProcess.start("sigint", List.of("env", "--default-signal=INT", "setsid"))) {
			long group = app.process.pid();
			assertThat(processGroupOf(group)).as("the app leads a process group of its own")
				.isEqualTo(group)
				.isNotEqualTo(processGroupOf(ProcessHandle.current().pid()));
			assertGracefulStop(app, () -> assertThat(succeeds("kill", "-INT", "--", "-" + group)).isTrue());
			assertThat(app.process.exitValue()).as("died of SIGINT").isEqualTo(130);
		}
	}

	@Test
	void sigkillLeavesNoDevelopmentRedisBehind() throws Exception {
		try (SampleProcess app = SampleProcess.start("sigkill", List.of())) {
			long redis = app.redisPid();
			app.process.destroyForcibly();
			assertThat(app.process.waitFor(EXIT_WITHIN.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			await().atMost(Duration.ofSeconds(5)).until(() -> !isAlive(redis));
			assertThat(answers(app.redisPort)).as("nothing listens on the development Redis port").isFalse();
		}
	}

	private static void assertGracefulStop(SampleProcess app, Runnable signal) throws Exception {
		long redis = app.redisPid();
		awaitRegistered(app.redisPort);
		List<Session> sessions = List.of(new Session(app.httpPort), new Session(app.httpPort));
		for (Session session : sessions) {
			session.subscribe();
		}
		long signalledAt = System.nanoTime();
		signal.run();
		assertThat(app.process.waitFor(EXIT_WITHIN.toMillis(), TimeUnit.MILLISECONDS))
			.as("exited within " + EXIT_WITHIN + "; see " + app.log)
			.isTrue();
		Duration took = Duration.ofNanos(System.nanoTime() - signalledAt);
		for (Session session : sessions) {
			assertThat(session.closeCode()).as("session closed with 'shutdown, reconnect'").isEqualTo(4000);
		}
		assertThat(isAlive(redis)).as("development Redis stopped with the app").isFalse();
		List<String> shutdown = app.shutdownLog();
		assertThat(shutdown).as("shutdown log in %s (exit after %s ms)", app.log, took.toMillis())
			.filteredOn((line) -> line.contains(" WARN ") || line.contains(" ERROR ")
					|| line.contains("Connection refused") || line.contains("Unable to connect"))
			.isEmpty();
		assertThat(indexOf(shutdown, "Drained 2 WebSocket session(s)"))
			.as("drained before deregistering; %s", app.log)
			.isLessThan(indexOf(shutdown, "Instance '" + INSTANCE_ID + "' deregistered from the connection registry"));
		assertThat(indexOf(shutdown, "deregistered from the connection registry"))
			.as("deregistered before the development Redis stops; %s", app.log)
			.isLessThan(indexOf(shutdown, "Stopping the development redis-server"));
	}

	private static int indexOf(List<String> lines, String text) {
		for (int i = 0; i < lines.size(); i++) {
			if (lines.get(i).contains(text)) {
				return i;
			}
		}
		throw new AssertionError("No log line with '" + text + "' in " + String.join("\n", lines));
	}

	private static void awaitRegistered(int redisPort) {
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			try (RespConnection redis = new RespConnection(redisPort)) {
				return Long.valueOf(1).equals(redis.command("SISMEMBER", "hub:instances", INSTANCE_ID));
			}
		});
	}

	private static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	private static boolean answers(int port) {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static boolean succeeds(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static long processGroupOf(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		// pid (comm) state ppid pgrp ...: comm may hold spaces, so count from its ')'.
		return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
	}

	/**
	 * The sample app in a JVM of its own, with no Redis on its port so that it starts its
	 * development Redis.
	 */
	private static final class SampleProcess implements AutoCloseable {

		final Process process;

		final int httpPort;

		final int redisPort;

		final Path log;

		private SampleProcess(Process process, int httpPort, int redisPort, Path log) {
			this.process = process;
			this.httpPort = httpPort;
			this.redisPort = redisPort;
			this.log = log;
		}

		static SampleProcess start(String name, List<String> prefix) throws IOException {
			int httpPort = RedisServer.freePort();
			int redisPort = RedisServer.freePort();
			Path log = Path.of("target", "development-redis-" + name + ".log");
			List<String> command = new ArrayList<>(prefix);
			command.addAll(List.of(
					System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-Xmx256m",
					"-cp", System.getProperty("java.class.path"), SampleApplication.class.getName(),
					"--server.port=" + httpPort, "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
					"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redisPort,
					"--hub.instance-id=" + INSTANCE_ID,
					// Two sessions closed 1 s apart: the drain outlasts a Redis that the signal
					// itself would stop (Redis exits about 0.5 s after a SIGINT or SIGTERM), so
					// deregistration would find it gone.
					"--hub.shutdown.drain-period=2s"));
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			SampleProcess app = new SampleProcess(process, httpPort, redisPort, log);
			try {
				await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive() || app.isUp());
				assertThat(process.isAlive()).as("app running; see " + log).isTrue();
				return app;
			}
			catch (RuntimeException | AssertionError ex) {
				app.close();
				throw ex;
			}
		}

		private boolean isUp() {
			try {
				return HttpClient.newHttpClient()
					.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.httpPort + "/")).build(),
							HttpResponse.BodyHandlers.discarding())
					.statusCode() == 200;
			}
			catch (IOException ex) {
				return false;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

		/**
		 * Return the pid of the development Redis, as the app logged it.
		 */
		long redisPid() throws IOException {
			Matcher matcher = STARTED.matcher(Files.readString(this.log));
			assertThat(matcher.find()).as("development Redis started; see " + this.log).isTrue();
			long pid = Long.parseLong(matcher.group(1));
			assertThat(ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
				.as("development Redis is the app's child").contains(this.process.pid());
			return pid;
		}

		/**
		 * Return the log lines from the drain's start on.
		 */
		List<String> shutdownLog() throws IOException {
			List<String> lines = Files.readAllLines(this.log);
			return lines.subList(indexOf(lines, "Draining "), lines.size());
		}

		@Override
		public void close() {
			this.process.destroyForcibly();
		}

	}

	/**
	 * A WebSocket client with one subscription, remembering the close code it got.
	 */
	private static final class Session implements WebSocket.Listener {

		private final CompletableFuture<String> ack = new CompletableFuture<>();

		private final CompletableFuture<Integer> closed = new CompletableFuture<>();

		private final StringBuilder partial = new StringBuilder();

		private final WebSocket socket;

		Session(int port) {
			this.socket = HttpClient.newHttpClient()
				.newWebSocketBuilder()
				.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), this)
				.join();
		}

		void subscribe() throws Exception {
			this.socket.sendText("{\"type\":\"subscribe\",\"topic\":\"chat.lobby\",\"id\":\"s\"}", true).join();
			assertThat(this.ack.get(10, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"ack\",\"id\":\"s\"}");
		}

		int closeCode() throws Exception {
			return this.closed.get(5, TimeUnit.SECONDS);
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				String frame = this.partial.toString();
				this.partial.setLength(0);
				if (frame.contains("\"type\":\"ack\"")) {
					this.ack.complete(frame);
				}
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closed.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.closed.completeExceptionally(error);
		}

	}

}
