package io.github.wshub.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} process on a free loopback port, owned by the caller: it can be
 * stopped, killed and restarted on the same port to test faults. It never touches a Redis it
 * did not start.
 * <p>
 * The binary is taken from, in order: the {@code wshub.redis-server} system property or the
 * {@code WSHUB_REDIS_SERVER} environment variable, {@code redis-server} on the {@code PATH},
 * and finally the binary shipped in the {@code com.github.codemonstur:embedded-redis} artifact,
 * so that tests pass on a machine with only a JDK.
 * <p>
 * The server keeps nothing on disk ({@code --save ""}, {@code --appendonly no}) and listens on
 * 127.0.0.1 only.
 * <p>
 * Its lifetime is its owner's business, and nothing else's: no JVM shutdown hook touches it,
 * since such a hook runs concurrently with the owner's own shutdown (Spring's, which may still
 * need Redis to drain) and would pull the server away from under it. Where {@code setsid} is on
 * the {@code PATH} (Linux), the server runs in a session of its own, so that the Ctrl+C, Ctrl+\
 * or hang-up a terminal sends to its foreground process group reaches the JVM only. A server the
 * owner did not stop is killed once the JVM process has ended, however it ended, SIGKILL
 * included, by a {@link ProcessWatchdog} outside the JVM.
 *
 * @author wshub
 */
public final class RedisServer implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);

	private static volatile @Nullable Path resolvedBinary;

	/**
	 * Starts each server in a session of its own; {@code null} where there is none (macOS). A
	 * process this JVM starts is no process group leader, so {@code setsid} needs no fork: it execs
	 * the server in place, which stays this JVM's child with the same pid.
	 */
	private static final @Nullable Path SETSID = onPath("setsid").orElse(null);

	private final Path binary;

	private final int port;

	private final Path workDir;

	private final List<String> extraArgs;

	private volatile @Nullable Process process;

	private volatile @Nullable ProcessWatchdog watchdog;

	private RedisServer(Path binary, int port, Path workDir, List<String> extraArgs) {
		this.binary = binary;
		this.port = port;
		this.workDir = workDir;
		this.extraArgs = extraArgs;
	}

	/**
	 * Start a new server on a free loopback port.
	 * @param extraArgs additional {@code redis-server} arguments, for example
	 * {@code "--client-output-buffer-limit", "pubsub 1mb 1mb 0"}
	 * @return the running server
	 */
	public static RedisServer start(String... extraArgs) {
		IllegalStateException last = null;
		for (int attempt = 0; attempt < 5; attempt++) {
			RedisServer server = create(freePort(), extraArgs);
			try {
				server.startProcess();
				return server;
			}
			catch (IllegalStateException ex) {
				// Another process may have taken the port between probing and binding.
				last = ex;
			}
		}
		throw (last != null) ? last : new IllegalStateException("Could not start redis-server");
	}

	/**
	 * Start a new server on the given loopback port.
	 * @param port the port
	 * @param extraArgs additional {@code redis-server} arguments
	 * @return the running server
	 */
	public static RedisServer startOnPort(int port, String... extraArgs) {
		RedisServer server = create(port, extraArgs);
		server.startProcess();
		return server;
	}

	private static RedisServer create(int port, String... extraArgs) {
		try {
			Path dir = Files.createTempDirectory("wshub-redis-" + port + "-");
			dir.toFile().deleteOnExit();
			return new RedisServer(binary(), port, dir, List.of(extraArgs));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Return the host to connect to.
	 * @return always {@code 127.0.0.1}
	 */
	public String host() {
		return "127.0.0.1";
	}

	/**
	 * Return the port the server listens on; stays the same across {@link #restart()}.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Return the operating system process id of the running server.
	 * @return the pid, or {@code -1} when the server is not running
	 */
	public long pid() {
		Process current = this.process;
		return (current != null && current.isAlive()) ? current.pid() : -1;
	}

	/**
	 * Whether the server process is alive.
	 * @return {@code true} when running
	 */
	public boolean isRunning() {
		Process current = this.process;
		return current != null && current.isAlive();
	}

	/**
	 * Stop the server gracefully (SIGTERM) and wait for the process to exit.
	 */
	public void stop() {
		Process current = this.process;
		if (current != null) {
			current.destroy();
			awaitExit(current);
			standDown();
		}
	}

	/**
	 * Kill the server abruptly (SIGKILL), as a crash or a lost host would.
	 */
	public void kill() {
		Process current = this.process;
		if (current != null) {
			current.destroyForcibly();
			awaitExit(current);
			standDown();
		}
	}

	private void standDown() {
		ProcessWatchdog current = this.watchdog;
		if (current != null) {
			current.standDown();
		}
	}

	/**
	 * Start the server again on the same port after {@link #stop()} or {@link #kill()}. The new
	 * server is empty: nothing is persisted.
	 */
	public void restart() {
		if (isRunning()) {
			stop();
		}
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (true) {
			try {
				startProcess();
				return;
			}
			catch (IllegalStateException ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
				sleep(100);
			}
		}
	}

	/**
	 * Run one command on this server over a fresh connection and return its reply: a
	 * {@link String}, a {@link Long}, a {@link List} of replies, or {@code null}.
	 * @param args the command and its arguments
	 * @return the decoded reply
	 * @throws RedisServerException when Redis answers with an error
	 */
	public @Nullable Object execute(String... args) {
		try (RespConnection connection = new RespConnection(this.port)) {
			return connection.command(args);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis command " + args[0] + " failed on port " + this.port, ex);
		}
	}

	/**
	 * Return how often this server ran a command since it started or since
	 * {@code CONFIG RESETSTAT}, read from {@code INFO commandstats}.
	 * @param command the command name, for example {@code subscribe}
	 * @return the number of calls
	 */
	public long commandCalls(String command) {
		String info = (String) execute("INFO", "commandstats");
		String prefix = "cmdstat_" + command.toLowerCase(Locale.ROOT) + ":calls=";
		if (info == null) {
			return 0;
		}
		for (String line : info.split("\r\n")) {
			if (line.startsWith(prefix)) {
				String rest = line.substring(prefix.length());
				int comma = rest.indexOf(',');
				return Long.parseLong((comma >= 0) ? rest.substring(0, comma) : rest);
			}
		}
		return 0;
	}

	@Override
	public void close() {
		kill();
	}

	@Override
	public String toString() {
		return "redis-server[127.0.0.1:" + this.port + ", pid=" + pid() + "]";
	}

	private synchronized void startProcess() {
		List<String> command = new ArrayList<>();
		if (SETSID != null) {
			command.add(SETSID.toString());
		}
		command.addAll(List.of(this.binary.toString(), "--port", Integer.toString(this.port),
				"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize",
				"no", "--dir", this.workDir.toString()));
		command.addAll(this.extraArgs);
		Path log = this.workDir.resolve("redis.log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		Process started;
		try {
			started = builder.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run " + this.binary, ex);
		}
		ProcessWatchdog startedWatchdog;
		try {
			startedWatchdog = ProcessWatchdog.watch(started);
		}
		catch (IllegalStateException ex) {
			started.destroyForcibly();
			throw ex;
		}
		// Also when the server exits on its own: the watchdog must never signal a reused pid.
		started.onExit().thenRun(startedWatchdog::standDown);
		this.process = started;
		this.watchdog = startedWatchdog;
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!started.isAlive()) {
				throw new IllegalStateException("redis-server exited on port " + this.port + ": " + tail(log));
			}
			try {
				if ("PONG".equals(execute("PING"))) {
					return;
				}
			}
			catch (RuntimeException ex) {
				// Not listening yet.
			}
			sleep(20);
		}
		started.destroyForcibly();
		throw new IllegalStateException("redis-server did not answer on port " + this.port + ": " + tail(log));
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
		}
		catch (IOException ex) {
			return "(no log)";
		}
	}

	private static void awaitExit(Process process) {
		try {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Sleep, turning an interruption into an unchecked exception (with the flag restored).
	 * @param millis how long
	 */
	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	/**
	 * Return a port that is free on the loopback interface right now.
	 * @return the port
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Return the {@code redis-server} binary this class starts.
	 * @return the path of the binary
	 */
	public static synchronized Path binary() {
		Path binary = resolvedBinary;
		if (binary == null) {
			binary = resolveBinary();
			resolvedBinary = binary;
		}
		return binary;
	}

	private static Path resolveBinary() {
		String configured = System.getProperty("wshub.redis-server", System.getenv("WSHUB_REDIS_SERVER"));
		if (configured != null && !configured.isBlank()) {
			return Path.of(configured);
		}
		return onPath("redis-server").orElseGet(RedisServer::extractBundledBinary);
	}

	private static Optional<Path> onPath(String command) {
		String path = System.getenv("PATH");
		if (path != null) {
			for (String dir : path.split(java.io.File.pathSeparator)) {
				Path candidate = Path.of(dir, command);
				if (Files.isExecutable(candidate)) {
					return Optional.of(candidate);
				}
			}
		}
		return Optional.empty();
	}

	static Path extractBundledBinary() {
		String resource = bundledResourceName();
		try (InputStream in = RedisServer.class.getResourceAsStream("/" + resource)) {
			if (in == null) {
				throw new IllegalStateException("No redis-server on PATH and no bundled binary '" + resource
						+ "' on the classpath (com.github.codemonstur:embedded-redis)");
			}
			Path target = Files.createTempFile("wshub-redis-server-", "");
			target.toFile().deleteOnExit();
			Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
			Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String bundledResourceName() {
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		boolean arm = arch.contains("aarch64") || arch.contains("arm");
		if (os.contains("mac")) {
			return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
		}
		if (arm) {
			return "redis-server-6.2.7-linux-arm64";
		}
		return arch.contains("64") ? "redis-server-6.2.6-v5-linux-amd64" : "redis-server-6.2.7-linux-386";
	}

}
