package io.github.wshub.benchmarks;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The load generator's command line:
 * {@code java -jar benchmarks/target/benchmarks.jar <fanout|ramp|idle|churn|storm> [--name value]...}.
 * Prints the result as Markdown and writes it as JSON to {@code --out}. See
 * {@code benchmarks/README.md} for the scenarios and their options.
 *
 * @author wshub
 */
public final class BenchmarkMain {

	private static final Map<String, List<String>> HEADLINES = Map.of("fanout",
			List.of("connectionsReady", "published", "expected", "delivered", "lost", "duplicated", "outOfOrder",
					"deliveredPerSecond", "serverCpuMicrosPerDelivery"),
			"ramp", List.of("connectionsReady", "highestPassingRate", "closeCodes"), "idle",
			List.of("container", "connectionsReady", "openAfterHold", "heapKiBPerConnection", "rssKiBPerConnection"),
			"churn",
			List.of("connectionsReady", "acksPerSecond", "subscribeAcksPerSecond", "refcountTransitions",
					"redisSubscribeCalls", "redisUnsubscribeCalls"),
			"storm", List.of("connectionsReady", "handshakesPerSecond", "seconds", "serverCpuMicrosPerHandshake"));

	private BenchmarkMain() {
	}

	/**
	 * Run a scenario.
	 * @param args the command line
	 * @throws Exception if the scenario fails to run
	 */
	public static void main(String[] args) throws Exception {
		Options options;
		try {
			options = Options.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.println("Usage: java -jar benchmarks.jar <" + String.join("|", Options.SCENARIOS)
					+ "> [--urls ws://127.0.0.1:P1/ws,...] [--server-pids a,b] [--redis-pid r] [--redis-port p]"
					+ " [--connections N] [--topics T] [--publishers K] [--rate R] [--duration S] [--payload B]"
					+ " [--out results/<name>.json]  (see benchmarks/README.md)");
			System.exit(2);
			return;
		}
		Report report = switch (options.scenario()) {
			case "fanout" -> FanOutScenario.runFanOut(options);
			case "ramp" -> RampScenario.run(options);
			case "idle" -> IdleScenario.run(options);
			case "churn" -> ChurnScenario.run(options);
			case "storm" -> StormScenario.run(options);
			default -> throw new IllegalStateException(options.scenario());
		};
		System.out.println();
		System.out.println(report.toMarkdown(HEADLINES.getOrDefault(options.scenario(), List.of())));
		Path out = options.out();
		if (out != null) {
			report.writeJson(out);
			System.out.println("JSON written to " + out);
		}
		System.out.println(report.allPassed() ? "All targets met." : "Some targets were NOT met.");
		// Daemon threads of the JDK's HttpClient may linger: the run is over.
		System.exit(0);
	}

}
