package io.github.wshub.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * One scenario's result: its settings, every metric, and each target with PASS or FAIL.
 * Written as JSON, and printed as Markdown tables.
 *
 * @author wshub
 */
public final class Report {

	private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	private final Map<String, Object> root = new LinkedHashMap<>();

	private final Map<String, Object> metrics = new LinkedHashMap<>();

	private final List<Map<String, Object>> targets = new ArrayList<>();

	/**
	 * Start a report.
	 * @param scenario the scenario name
	 * @param options the options it ran with
	 */
	public Report(String scenario, Options options) {
		this.root.put("scenario", scenario);
		this.root.put("date", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
		this.root.put("commit", command("git", "rev-parse", "--short", "HEAD"));
		this.root.put("machine", machine());
		this.root.put("options", options.toMap());
		this.root.put("metrics", this.metrics);
		this.root.put("targets", this.targets);
	}

	private static Map<String, Object> machine() {
		Map<String, Object> machine = new LinkedHashMap<>();
		machine.put("cores", Runtime.getRuntime().availableProcessors());
		try {
			for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
				if (line.startsWith("MemTotal:")) {
					long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
					machine.put("memoryGiB", round(kib / 1048576.0, 1));
				}
			}
			// Other work on the machine skews every number: say how busy it was.
			machine.put("loadAverageAtStart", Files.readString(Path.of("/proc/loadavg")).trim());
		}
		catch (IOException ex) {
			// Not Linux: leave it out.
		}
		machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
		return machine;
	}

	private static String command(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String out = new String(process.getInputStream().readAllBytes()).trim();
			return (process.waitFor() == 0) ? out : "unknown";
		}
		catch (IOException ex) {
			return "unknown";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "unknown";
		}
	}

	/**
	 * Add a metric.
	 * @param name the name
	 * @param value the value: a number, string, list or map
	 * @return this report
	 */
	public Report metric(String name, Object value) {
		this.metrics.put(name, (value instanceof Double d) ? round(d, 3) : value);
		return this;
	}

	/**
	 * Return a metric added earlier.
	 * @param name the name
	 * @return the value, or {@code null}
	 */
	public Object metric(String name) {
		return this.metrics.get(name);
	}

	/**
	 * Check a target.
	 * @param name what is checked, for example {@code "p99 <= 20 ms"}
	 * @param value the measured value
	 * @param passed whether the target is met
	 * @return whether it passed
	 */
	public boolean target(String name, Object value, boolean passed) {
		Map<String, Object> target = new LinkedHashMap<>();
		target.put("target", name);
		target.put("measured", (value instanceof Double d) ? round(d, 3) : value);
		target.put("result", passed ? "PASS" : "FAIL");
		this.targets.add(target);
		return passed;
	}

	/**
	 * Whether every target passed.
	 * @return {@code true} if no target failed
	 */
	public boolean allPassed() {
		return this.targets.stream().allMatch((target) -> "PASS".equals(target.get("result")));
	}

	/**
	 * Write the JSON document.
	 * @param file the file; its folder is created
	 */
	public void writeJson(Path file) {
		try {
			if (file.toAbsolutePath().getParent() != null) {
				Files.createDirectories(file.toAbsolutePath().getParent());
			}
			Files.writeString(file, toJson());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Return the JSON document.
	 * @return the JSON text
	 */
	public String toJson() {
		return JSON.writeValueAsString(this.root) + "\n";
	}

	/**
	 * Return the report as Markdown: one table row of the headline metrics (for the README's
	 * results table), every metric, and the targets.
	 * @param headline the metrics to put in the one-row table, in order
	 * @return the Markdown text
	 */
	public String toMarkdown(List<String> headline) {
		StringBuilder md = new StringBuilder();
		List<String> present = headline.stream().filter(this.metrics::containsKey).toList();
		md.append("| scenario | ").append(String.join(" | ", present)).append(" |\n");
		md.append("|---|").append("---|".repeat(present.size())).append("\n");
		md.append("| ").append(this.root.get("scenario"));
		for (String name : present) {
			md.append(" | ").append(cell(this.metrics.get(name)));
		}
		md.append(" |\n\n| metric | value |\n|---|---|\n");
		this.metrics.forEach((name, value) -> md.append("| ").append(name).append(" | ").append(cell(value)).append(" |\n"));
		md.append("\n| target | measured | result |\n|---|---|---|\n");
		for (Map<String, Object> target : this.targets) {
			md.append("| ").append(target.get("target")).append(" | ").append(cell(target.get("measured")))
				.append(" | **").append(target.get("result")).append("** |\n");
		}
		return md.toString();
	}

	private static String cell(Object value) {
		if (value instanceof Map<?, ?> || value instanceof List<?>) {
			return JSON.writeValueAsString(value).replace("\n", " ").replaceAll("\\s+", " ").replace("|", "\\|");
		}
		return String.valueOf(value);
	}

	/**
	 * Round a value for display.
	 * @param value the value
	 * @param digits the decimal digits to keep
	 * @return the rounded value ({@code NaN} and infinities unchanged)
	 */
	public static double round(double value, int digits) {
		if (Double.isNaN(value) || Double.isInfinite(value)) {
			return value;
		}
		return BigDecimal.valueOf(value).setScale(digits, RoundingMode.HALF_UP).doubleValue();
	}

}
