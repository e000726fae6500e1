package io.github.wshub.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram recorded in microseconds.
 *
 * @param count the number of values
 * @param p50 the median, in milliseconds
 * @param p90 the 90th percentile, in milliseconds
 * @param p99 the 99th percentile, in milliseconds
 * @param p999 the 99.9th percentile, in milliseconds
 * @param max the maximum, in milliseconds
 * @param mean the mean, in milliseconds
 * @author wshub
 */
public record Latency(long count, double p50, double p90, double p99, double p999, double max, double mean) {

	/**
	 * The longest latency recorded, in microseconds: a minute.
	 */
	public static final long HIGHEST_MICROS = 60_000_000L;

	/**
	 * Create a histogram for latencies in microseconds, with three significant digits.
	 * @return the histogram
	 */
	public static Histogram newHistogram() {
		return new Histogram(HIGHEST_MICROS, 3);
	}

	/**
	 * Summarize a histogram of microseconds.
	 * @param histogram the histogram
	 * @return the percentiles in milliseconds (all 0 when the histogram is empty)
	 */
	public static Latency of(Histogram histogram) {
		if (histogram.getTotalCount() == 0) {
			return new Latency(0, 0, 0, 0, 0, 0, 0);
		}
		return new Latency(histogram.getTotalCount(), millis(histogram.getValueAtPercentile(50)),
				millis(histogram.getValueAtPercentile(90)), millis(histogram.getValueAtPercentile(99)),
				millis(histogram.getValueAtPercentile(99.9)), millis(histogram.getMaxValue()),
				Report.round(histogram.getMean() / 1000.0, 3));
	}

	/**
	 * Record a latency, clamped to the histogram's range.
	 * @param histogram the histogram
	 * @param micros the latency in microseconds
	 */
	public static void record(Histogram histogram, long micros) {
		histogram.recordValue(Math.max(0, Math.min(micros, HIGHEST_MICROS)));
	}

	private static double millis(long micros) {
		return Report.round(micros / 1000.0, 3);
	}

	/**
	 * Describe the percentiles for the JSON report.
	 * @return the fields, in milliseconds
	 */
	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("count", this.count);
		map.put("p50Ms", this.p50);
		map.put("p90Ms", this.p90);
		map.put("p99Ms", this.p99);
		map.put("p999Ms", this.p999);
		map.put("maxMs", this.max);
		map.put("meanMs", this.mean);
		return map;
	}

}
