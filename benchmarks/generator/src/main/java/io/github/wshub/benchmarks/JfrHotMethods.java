package io.github.wshub.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A "hot methods" view of a JFR recording for JDK 17, whose {@code jfr} tool has no
 * {@code view} command: counts execution samples by top frame (self time), by package of the
 * top frame, and by any frame on the stack (total time).
 * <p>
 * {@code java -cp benchmarks.jar io.github.wshub.benchmarks.JfrHotMethods recording.jfr [top]}
 *
 * @author wshub
 */
public final class JfrHotMethods {

	private JfrHotMethods() {
	}

	/**
	 * Print the hot methods of a recording.
	 * @param args the recording and optionally how many rows to print (25)
	 * @throws IOException if the recording cannot be read
	 */
	public static void main(String[] args) throws IOException {
		if (args.length == 0) {
			System.err.println("Usage: JfrHotMethods <recording.jfr> [top]");
			System.exit(2);
		}
		int top = (args.length > 1) ? Integer.parseInt(args[1]) : 25;
		Map<String, Long> self = new HashMap<>();
		Map<String, Long> packages = new HashMap<>();
		Map<String, Long> total = new HashMap<>();
		long samples = 0;
		for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
			if (!"jdk.ExecutionSample".equals(event.getEventType().getName())) {
				continue;
			}
			RecordedStackTrace stack = event.getStackTrace();
			if (stack == null || stack.getFrames().isEmpty()) {
				continue;
			}
			samples++;
			List<RecordedFrame> frames = stack.getFrames();
			String first = name(frames.get(0));
			self.merge(first, 1L, Long::sum);
			packages.merge(packageOf(frames.get(0)), 1L, Long::sum);
			frames.stream().map(JfrHotMethods::name).distinct().forEach((name) -> total.merge(name, 1L, Long::sum));
		}
		System.out.println("jdk.ExecutionSample events: " + samples);
		print("Top frames (self)", self, samples, top);
		print("Packages of the top frame", packages, samples, top);
		print("On the stack (total)", total, samples, top);
	}

	private static void print(String title, Map<String, Long> counts, long samples, int top) {
		System.out.println();
		System.out.println("| " + title + " | samples | % |");
		System.out.println("|---|---|---|");
		counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
			.limit(top)
			.forEach((entry) -> System.out.printf(Locale.ROOT, "| `%s` | %d | %.1f |%n", entry.getKey(), entry.getValue(),
					100.0 * entry.getValue() / Math.max(1, samples)));
	}

	private static String name(RecordedFrame frame) {
		return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
	}

	private static String packageOf(RecordedFrame frame) {
		String type = frame.getMethod().getType().getName();
		int dot = type.lastIndexOf('.');
		return (dot > 0) ? type.substring(0, dot) : type;
	}

}
