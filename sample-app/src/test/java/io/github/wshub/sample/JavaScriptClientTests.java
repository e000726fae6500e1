package io.github.wshub.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the JavaScript client's unit tests ({@code src/test/js/*.test.mjs}) with Node's built-in
 * test runner as part of the Maven build. Skipped when {@code node} is not on the {@code PATH}.
 *
 * @author wshub
 */
class JavaScriptClientTests {

	private static final Path TESTS = Path.of("src", "test", "js");

	@Test
	void clientUnitTestsPass() throws Exception {
		Assumptions.assumeTrue(nodeAvailable(), "node not found on PATH: skipping the JavaScript client tests");
		List<String> command = new ArrayList<>(List.of("node", "--test"));
		try (Stream<Path> files = Files.list(TESTS)) {
			files.filter((file) -> file.getFileName().toString().endsWith(".test.mjs"))
				.sorted()
				.forEach((file) -> command.add(file.toString()));
		}
		assertThat(command).as("test files in " + TESTS.toAbsolutePath()).hasSizeGreaterThan(2);
		// Output goes to a file so that a runner that hangs cannot block this test beyond its limit.
		Path log = Files.createTempFile("node-test", ".log");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			boolean exited = process.waitFor(2, TimeUnit.MINUTES);
			if (!exited) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			String output = Files.readString(log, StandardCharsets.UTF_8);
			System.out.println(output);
			assertThat(exited).as("node --test finished within 2 minutes; its output:%n%s", output).isTrue();
			assertThat(process.exitValue()).as("node --test exit code; its output:%n%s", output).isZero();
			assertThat(output).contains("# fail 0");
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	private static boolean nodeAvailable() {
		try {
			Process process = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
