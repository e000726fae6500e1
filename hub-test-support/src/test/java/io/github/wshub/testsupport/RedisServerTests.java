package io.github.wshub.testsupport;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisServer}.
 *
 * @author wshub
 */
class RedisServerTests {

	@Test
	void startExecuteKillAndRestartOnSamePort() {
		try (RedisServer server = RedisServer.start()) {
			int port = server.port();
			assertThat(server.execute("SET", "k", "v")).isEqualTo("OK");
			assertThat(server.execute("GET", "k")).isEqualTo("v");
			assertThat(server.execute("INCR", "n")).isEqualTo(1L);
			server.kill();
			assertThat(server.isRunning()).isFalse();
			assertThatThrownBy(() -> server.execute("PING")).isInstanceOf(RuntimeException.class);
			server.restart();
			assertThat(server.port()).isEqualTo(port);
			assertThat(server.execute("GET", "k")).as("nothing persisted").isNull();
		}
	}

	@Test
	void errorReplyIsAnException() {
		try (RedisServer server = RedisServer.start()) {
			assertThatThrownBy(() -> server.execute("NOSUCHCOMMAND")).isInstanceOf(RedisServerException.class);
		}
	}

	@Test
	void serverDiesWithAJvmThatWasKilled() throws Exception {
		Process owner = new ProcessBuilder(
				System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-Xmx64m", "-cp",
				System.getProperty("java.class.path"), Owner.class.getName())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		try (BufferedReader out = new BufferedReader(
				new InputStreamReader(owner.getInputStream(), StandardCharsets.US_ASCII))) {
			String[] started = String.valueOf(out.readLine()).split(" ");
			assertThat(started).as("port and pid from the owner").hasSize(2);
			int port = Integer.parseInt(started[0]);
			long pid = Long.parseLong(started[1]);
			assertThat(isAlive(pid)).isTrue();
			owner.destroyForcibly();
			assertThat(owner.waitFor()).isEqualTo(137);
			await().atMost(Duration.ofSeconds(5)).until(() -> !isAlive(pid));
			assertThat(answers(port)).isFalse();
		}
		finally {
			owner.destroyForcibly();
		}
	}

	@Test
	void stoppedOrKilledServerLeavesNoWatchdog() {
		try (RedisServer server = RedisServer.start()) {
			assertThat(watchdogOf(server.pid())).as("watchdog while running").isPresent();
			long stopped = server.pid();
			server.stop();
			await().atMost(Duration.ofSeconds(5)).until(() -> watchdogOf(stopped).isEmpty());
			server.restart();
			long killed = server.pid();
			assertThat(watchdogOf(killed)).as("watchdog after restart").isPresent();
			server.kill();
			await().atMost(Duration.ofSeconds(5)).until(() -> watchdogOf(killed).isEmpty());
		}
	}

	@Test
	void serverRunsInASessionOfItsOwnOutOfReachOfTheTerminal() throws Exception {
		Path stat = Path.of("/proc/self/stat");
		assumeThat(stat).as("Linux /proc").exists();
		assumeThat(System.getenv("PATH").split(File.pathSeparator)).as("setsid on the PATH")
			.anyMatch((dir) -> Files.isExecutable(Path.of(dir, "setsid")));
		try (RedisServer server = RedisServer.start()) {
			assertThat(sessionOf(server.pid())).isEqualTo(server.pid())
				.isNotEqualTo(sessionOf(ProcessHandle.current().pid()));
			assertThat(ProcessHandle.of(server.pid()).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
				.as("still this JVM's child").contains(ProcessHandle.current().pid());
		}
	}

	@Test
	void bundledBinaryRunsWhenNoneIsOnPath() throws Exception {
		java.nio.file.Path binary = RedisServer.extractBundledBinary();
		Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).isZero();
		assertThat(output).contains("Redis server v=");
	}

	private static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	private static boolean answers(int port) {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
			return true;
		}
		catch (java.io.IOException ex) {
			return false;
		}
	}

	private static Optional<ProcessHandle> watchdogOf(long serverPid) {
		return ProcessHandle.current()
			.children()
			.filter((child) -> child.info()
				.arguments()
				.map((arguments) -> Arrays.asList(arguments).contains("wshub-process-watchdog")
						&& Arrays.asList(arguments).contains(Long.toString(serverPid)))
				.orElse(false))
			.findFirst();
	}

	private static long sessionOf(long pid) throws java.io.IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		// pid (comm) state ppid pgrp session ...: comm may hold spaces, so count from its ')'.
		List<String> fields = Arrays.asList(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
		return Long.parseLong(fields.get(3));
	}

	/**
	 * Starts a server, prints its port and pid, and waits to be killed.
	 */
	static final class Owner {

		public static void main(String[] args) throws InterruptedException {
			RedisServer server = RedisServer.start();
			System.out.println(server.port() + " " + server.pid());
			System.out.flush();
			Thread.sleep(Duration.ofMinutes(5).toMillis());
		}

	}

}
