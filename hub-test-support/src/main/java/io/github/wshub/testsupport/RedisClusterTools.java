package io.github.wshub.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command-line tools behind {@link RedisCluster}: finding {@code redis-cli}, checking that
 * both binaries are 7.0 or newer, and running a command with a time limit.
 *
 * @author wshub
 */
final class RedisClusterTools {

	private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

	private RedisClusterTools() {
	}

	/**
	 * Say why a cluster cannot be started here: {@code redis-server} or {@code redis-cli} is
	 * missing or older than 7.0.
	 * @return the reason, or empty when a cluster can be started
	 */
	static Optional<String> unavailableReason() {
		String server;
		String cli;
		try {
			server = run(List.of(RedisServer.binary().toString(), "--version"), Duration.ofSeconds(10));
		}
		catch (RuntimeException ex) {
			server = "no usable redis-server (" + ex.getMessage() + ")";
		}
		try {
			cli = run(List.of(redisCli().toString(), "--version"), Duration.ofSeconds(10));
		}
		catch (RuntimeException ex) {
			cli = "no usable redis-cli (" + ex.getMessage() + ")";
		}
		if (majorVersion(server) >= 7 && majorVersion(cli) >= 7) {
			return Optional.empty();
		}
		return Optional.of("Redis Cluster tests need redis-server and redis-cli 7.0+; found " + server.trim() + " ("
				+ RedisServer.binary() + ") and " + cli.trim());
	}

	private static int majorVersion(String versionOutput) {
		Matcher matcher = VERSION.matcher(versionOutput);
		return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
	}

	/**
	 * Return the {@code redis-cli} binary: the {@code wshub.redis-cli} system property or the
	 * {@code WSHUB_REDIS_CLI} environment variable, else the one next to
	 * {@link RedisServer#binary()}, else {@code redis-cli} on the {@code PATH}.
	 * @return the path of the binary (it may not exist)
	 */
	static Path redisCli() {
		String configured = System.getProperty("wshub.redis-cli", System.getenv("WSHUB_REDIS_CLI"));
		if (configured != null && !configured.isBlank()) {
			return Path.of(configured);
		}
		Path sibling = RedisServer.binary().resolveSibling("redis-cli");
		if (Files.isExecutable(sibling)) {
			return sibling;
		}
		String path = System.getenv("PATH");
		if (path != null) {
			for (String dir : path.split(java.io.File.pathSeparator)) {
				Path candidate = Path.of(dir, "redis-cli");
				if (Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		return Path.of("redis-cli");
	}

	static String run(List<String> command, Duration timeout) {
		Path output = null;
		try {
			output = Files.createTempFile("wshub-redis-cli-", ".log");
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			try {
				if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
				}
				String text = Files.readString(output, StandardCharsets.UTF_8);
				if (process.exitValue() != 0) {
					throw new IllegalStateException(String.join(" ", command) + " failed: " + text);
				}
				return text;
			}
			finally {
				process.destroyForcibly();
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run " + command.get(0) + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
		finally {
			if (output != null) {
				output.toFile().delete();
			}
		}
	}

}
