package io.github.wshub.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * Writes the ramp's plot as a standalone SVG document: publish rate on the x axis (log 2
 * scale, one tick per step), p99 latency on the left axis and delivered messages per second on
 * the right axis.
 *
 * @author wshub
 */
public final class SvgPlot {

	private static final int WIDTH = 760;

	private static final int HEIGHT = 420;

	private static final int LEFT = 80;

	private static final int RIGHT = 90;

	private static final int TOP = 50;

	private static final int BOTTOM = 70;

	private SvgPlot() {
	}

	/**
	 * One step of the ramp.
	 *
	 * @param rate the publish rate, messages per second
	 * @param p99Millis the p99 latency in milliseconds
	 * @param deliveredPerSecond the delivered messages per second
	 * @param passed whether the step met its targets
	 */
	public record Point(double rate, double p99Millis, double deliveredPerSecond, boolean passed) {
	}

	/**
	 * Render the plot.
	 * @param title the title
	 * @param points the steps, in increasing rate
	 * @param p99Limit the p99 limit in milliseconds, drawn as a dashed line
	 * @return the SVG document
	 */
	public static String render(String title, List<Point> points, double p99Limit) {
		StringBuilder svg = new StringBuilder();
		svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
						+ "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
		svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
		text(svg, WIDTH / 2.0, 24, "middle", 15, escape(title));
		double plotWidth = WIDTH - LEFT - RIGHT;
		double plotHeight = HEIGHT - TOP - BOTTOM;
		double bottom = TOP + plotHeight;
		svg.append(String.format(Locale.ROOT,
				"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>%n", LEFT, TOP,
				plotWidth, plotHeight));
		if (points.isEmpty()) {
			text(svg, WIDTH / 2.0, TOP + plotHeight / 2, "middle", 14, "no data");
			return svg.append("</svg>\n").toString();
		}
		double minLog = log2(points.get(0).rate());
		double maxLog = log2(points.get(points.size() - 1).rate());
		double span = Math.max(1e-9, maxLog - minLog);
		double maxP99 = Math.max(p99Limit * 1.1, points.stream().mapToDouble(Point::p99Millis).max().orElse(1));
		double maxDelivered = Math.max(1, points.stream().mapToDouble(Point::deliveredPerSecond).max().orElse(1)) * 1.1;
		double[] xs = new double[points.size()];
		for (int i = 0; i < points.size(); i++) {
			xs[i] = (points.size() == 1) ? LEFT + plotWidth / 2
					: LEFT + (log2(points.get(i).rate()) - minLog) / span * plotWidth;
		}
		// Axes ticks and labels.
		for (int i = 0; i < points.size(); i++) {
			line(svg, xs[i], bottom, xs[i], bottom + 5, "#444", false);
			text(svg, xs[i], bottom + 20, "middle", 12, format(points.get(i).rate()));
		}
		text(svg, LEFT + plotWidth / 2, HEIGHT - 20, "middle", 13, "published msgs/s (log scale)");
		for (int i = 0; i <= 5; i++) {
			double y = bottom - plotHeight * i / 5;
			line(svg, LEFT - 5, y, LEFT, y, "#444", false);
			line(svg, LEFT, y, LEFT + plotWidth, y, "#eee", false);
			text(svg, LEFT - 8, y + 4, "end", 11, format(maxP99 * i / 5));
			line(svg, LEFT + plotWidth, y, LEFT + plotWidth + 5, y, "#444", false);
			text(svg, LEFT + plotWidth + 8, y + 4, "start", 11, format(maxDelivered * i / 5));
		}
		svg.append(String.format(Locale.ROOT,
				"<text x=\"20\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#c0392b\" transform=\"rotate(-90 20 %.1f)\">"
						+ "p99 latency (ms)</text>%n", TOP + plotHeight / 2, TOP + plotHeight / 2));
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#2471a3\" transform=\"rotate(90 %.1f %.1f)\">"
						+ "delivered msgs/s</text>%n", WIDTH - 18.0, TOP + plotHeight / 2, WIDTH - 18.0,
				TOP + plotHeight / 2));
		double limitY = bottom - plotHeight * p99Limit / maxP99;
		line(svg, LEFT, limitY, LEFT + plotWidth, limitY, "#c0392b", true);
		text(svg, LEFT + 4, limitY - 4, "start", 11, "p99 limit " + format(p99Limit) + " ms");
		StringBuilder latency = new StringBuilder();
		StringBuilder delivered = new StringBuilder();
		for (int i = 0; i < points.size(); i++) {
			Point point = points.get(i);
			double yLatency = bottom - plotHeight * Math.min(point.p99Millis(), maxP99) / maxP99;
			double yDelivered = bottom - plotHeight * point.deliveredPerSecond() / maxDelivered;
			latency.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], yLatency));
			delivered.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], yDelivered));
			svg.append(String.format(Locale.ROOT,
					"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#c0392b\"/>%n", xs[i], yLatency,
					point.passed() ? "#c0392b" : "white"));
			svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"#2471a3\"/>%n",
					xs[i] - 3.5, yDelivered - 3.5));
			text(svg, xs[i] + 6, yLatency - 6, "start", 10, format(point.p99Millis()) + " ms");
		}
		svg.append("<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"")
			.append(latency.toString().trim()).append("\"/>\n");
		svg.append("<polyline fill=\"none\" stroke=\"#2471a3\" stroke-width=\"2\" points=\"")
			.append(delivered.toString().trim()).append("\"/>\n");
		text(svg, LEFT + 10, TOP + 16, "start", 11, "red: p99 (hollow = step failed)   blue: delivered msgs/s");
		return svg.append("</svg>\n").toString();
	}

	private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String color,
			boolean dashed) {
		svg.append(String.format(Locale.ROOT,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n", x1, y1, x2, y2, color,
				dashed ? " stroke-dasharray=\"6,4\"" : ""));
	}

	private static void text(StringBuilder svg, double x, double y, String anchor, int size, String content) {
		svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
				x, y, anchor, size, content));
	}

	private static double log2(double value) {
		return Math.log(Math.max(value, 1e-9)) / Math.log(2);
	}

	private static String format(double value) {
		if (value >= 10_000) {
			return String.format(Locale.ROOT, "%.0fk", value / 1000);
		}
		if (value >= 100) {
			return String.format(Locale.ROOT, "%.0f", value);
		}
		return String.format(Locale.ROOT, "%.1f", value);
	}

	static String escape(String value) {
		return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}
