package io.github.wshub.benchmarks;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The generator's command line: {@code <scenario> [--name value]...}. Every address must be a
 * loopback address: the generator never sends traffic anywhere else.
 *
 * @author wshub
 */
public final class Options {

	/**
	 * The scenarios, in the order of the README.
	 */
	public static final List<String> SCENARIOS = List.of("fanout", "ramp", "idle", "churn", "storm");

	private static final Set<String> KNOWN = Set.of("urls", "server-pids", "redis-pid", "redis-port", "connections",
			"topics", "publishers", "rate", "duration", "payload", "out", "warmup", "step-duration", "max-rate",
			"p99-limit", "concurrency", "client-threads", "connections-per-client", "drain", "label", "hold", "client",
			"ramp-factor");

	private final String scenario;

	private final Map<String, String> values;

	private Options(String scenario, Map<String, String> values) {
		this.scenario = scenario;
		this.values = values;
	}

	/**
	 * Parse a command line.
	 * @param args the arguments
	 * @return the options
	 * @throws IllegalArgumentException if they are invalid
	 */
	public static Options parse(String... args) {
		if (args.length == 0 || !SCENARIOS.contains(args[0])) {
			throw new IllegalArgumentException("First argument must be one of " + SCENARIOS + ", got "
					+ ((args.length == 0) ? "nothing" : "'" + args[0] + "'"));
		}
		Map<String, String> values = new LinkedHashMap<>();
		for (int i = 1; i < args.length; i++) {
			String arg = args[i];
			if (!arg.startsWith("--")) {
				throw new IllegalArgumentException("Expected --name, got '" + arg + "'");
			}
			String name = arg.substring(2);
			String value;
			int equals = name.indexOf('=');
			if (equals >= 0) {
				value = name.substring(equals + 1);
				name = name.substring(0, equals);
			}
			else if (i + 1 < args.length) {
				value = args[++i];
			}
			else {
				throw new IllegalArgumentException("Missing value for --" + name);
			}
			if (!KNOWN.contains(name)) {
				throw new IllegalArgumentException("Unknown option --" + name);
			}
			values.put(name, value);
		}
		Options options = new Options(args[0], values);
		options.urls();
		return options;
	}

	/**
	 * Return the scenario.
	 * @return one of {@link #SCENARIOS}
	 */
	public String scenario() {
		return this.scenario;
	}

	/**
	 * Return the instances' WebSocket addresses, all on a loopback address.
	 * @return the addresses, {@code ws://127.0.0.1:8080/ws} by default
	 */
	public List<URI> urls() {
		List<URI> urls = new ArrayList<>();
		for (String url : string("urls", "ws://127.0.0.1:8080/ws").split(",")) {
			if (url.isBlank()) {
				continue;
			}
			URI uri = URI.create(url.trim());
			if (!"ws".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() <= 0) {
				throw new IllegalArgumentException("Expected ws://127.0.0.1:<port>/<path>, got '" + url + "'");
			}
			requireLoopback(uri.getHost());
			urls.add(uri);
		}
		if (urls.isEmpty()) {
			throw new IllegalArgumentException("--urls is empty");
		}
		return urls;
	}

	static void requireLoopback(String host) {
		try {
			for (InetAddress address : InetAddress.getAllByName(host)) {
				if (!address.isLoopbackAddress()) {
					throw new IllegalArgumentException("Only loopback addresses are allowed, got '" + host + "'");
				}
			}
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("Unknown host '" + host + "'", ex);
		}
	}

	/**
	 * Return the process ids of the instances, for CPU and memory measurements.
	 * @return the ids, possibly empty
	 */
	public List<Long> serverPids() {
		return pids("server-pids");
	}

	/**
	 * Return the Redis process ids: {@code --redis-pid}, one id or, for a cluster, every node's.
	 * @return the ids, possibly empty
	 */
	public List<Long> redisPids() {
		return pids("redis-pid");
	}

	private List<Long> pids(String name) {
		String pids = string(name, "");
		return pids.isBlank() ? List.of() : Arrays.stream(pids.split(",")).map(String::trim).map(Long::parseLong).toList();
	}

	/**
	 * Return the Redis port on 127.0.0.1.
	 * @return the port, or 0 if not given
	 */
	public int redisPort() {
		return integer("redis-port", 0);
	}

	/**
	 * Return an integer option.
	 * @param name the option name without {@code --}
	 * @param defaultValue the default
	 * @return the value
	 */
	public int integer(String name, int defaultValue) {
		return (int) number(name, defaultValue);
	}

	/**
	 * Return a numeric option.
	 * @param name the option name without {@code --}
	 * @param defaultValue the default
	 * @return the value
	 */
	public double number(String name, double defaultValue) {
		String value = this.values.get(name);
		if (value == null) {
			return defaultValue;
		}
		try {
			return Double.parseDouble(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("--" + name + " must be a number, got '" + value + "'", ex);
		}
	}

	/**
	 * Return a string option.
	 * @param name the option name without {@code --}
	 * @param defaultValue the default
	 * @return the value
	 */
	public String string(String name, String defaultValue) {
		return this.values.getOrDefault(name, defaultValue);
	}

	/**
	 * Return where to write the JSON result.
	 * @return the file, or {@code null} to write none
	 */
	public @Nullable Path out() {
		String out = this.values.get("out");
		return (out != null) ? Path.of(out) : null;
	}

	/**
	 * Describe the options for the JSON report.
	 * @return the options as given
	 */
	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("scenario", this.scenario);
		map.putAll(this.values);
		return map;
	}

}
