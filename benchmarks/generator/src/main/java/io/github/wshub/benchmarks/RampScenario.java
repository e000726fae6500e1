package io.github.wshub.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ramp scenario: the fan-out setup of {@link FanOutScenario}, published at a rate that
 * doubles step by step until the hub stops keeping up.
 *
 * @author wshub
 */
final class RampScenario {

	private RampScenario() {
	}

	/**
	 * Run the ramp: double the rate from {@code --rate} (500) until p99 exceeds
	 * {@code --p99-limit} (250 ms), anything is lost, or {@code --max-rate} is passed.
	 * @param options the options
	 * @return the report
	 * @throws Exception if the plot cannot be written or the run is interrupted
	 */
	static Report run(Options options) throws Exception {
		Report report = new Report("ramp", options);
		double p99Limit = options.number("p99-limit", 250);
		double stepSeconds = options.number("step-duration", options.number("duration", 15));
		double maxRate = options.number("max-rate", 64_000);
		double factor = options.number("ramp-factor", 2);
		if (factor <= 1) {
			throw new IllegalArgumentException("--ramp-factor must be above 1");
		}
		List<Map<String, Object>> steps = new ArrayList<>();
		List<SvgPlot.Point> points = new ArrayList<>();
		double highestPassing = 0;
		try (FanOutScenario scenario = new FanOutScenario(options, 2000)) {
			scenario.setUp(report);
			CpuMeter meter = new CpuMeter(options.serverPids(), options.redisPids());
			double rate = options.number("rate", 500);
			double warmup = options.number("warmup", 5);
			if (warmup > 0) {
				scenario.publish(rate, warmup, meter);
			}
			while (rate <= maxRate) {
				FanOutScenario.Step step = scenario.publish(rate, stepSeconds, meter);
				boolean passed = step.totals().lost() == 0 && step.latency().p99() <= p99Limit
						&& step.published() == step.planned();
				Map<String, Object> map = step.toMap();
				map.put("passed", passed);
				map.put("closeCodesSoFar", scenario.closeCodes());
				steps.add(map);
				points.add(new SvgPlot.Point(rate, step.latency().p99(), step.deliveredPerSecond(), passed));
				System.out.printf(java.util.Locale.ROOT,
						"ramp step %.0f msgs/s: delivered %.0f/s, p99 %.1f ms, lost %d (on open sessions %d), "
								+ "server %.2f us/delivery, generator CPU %.0f%% -> %s%n",
						rate, step.deliveredPerSecond(), step.latency().p99(), step.totals().lost(),
						step.totals().lostOnOpenSessions(), step.serverMicrosPerDelivery(),
						step.cpu().generatorShare() * 100, passed ? "PASS" : "FAIL");
				if (!passed) {
					break;
				}
				highestPassing = rate;
				rate = Math.round(rate * factor);
			}
			report.metric("steps", steps);
			report.metric("highestPassingRate", highestPassing);
			report.metric("closeCodes", scenario.closeCodes());
			report.metric("errorFrames", scenario.errors());
		}
		long silentLoss = steps.stream().mapToLong((step) -> ((Number) step.get("lostOnOpenSessions")).longValue()).sum();
		report.target("highest passing rate found (p99 <= " + p99Limit + " ms, nothing lost)", highestPassing,
				highestPassing > 0);
		report.target("no silent loss: every lost message belongs to a closed session", silentLoss, silentLoss == 0);
		Path out = options.out();
		Path svg = (out != null) ? out.resolveSibling(out.getFileName().toString().replaceFirst("\\.json$", "") + ".svg")
				: Path.of("ramp.svg");
		if (svg.toAbsolutePath().getParent() != null) {
			Files.createDirectories(svg.toAbsolutePath().getParent());
		}
		Files.writeString(svg, SvgPlot.render("wshub ramp: " + options.integer("connections", 2000) + " subscribers, "
				+ options.integer("topics", 100) + " topics, " + options.urls().size() + " instances", points, p99Limit));
		report.metric("plot", svg.toString());
		return report;
	}

}
