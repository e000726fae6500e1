package io.github.wshub.benchmarks;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a local JVM, through {@code jcmd}, for its heap use after a full GC.
 *
 * @author wshub
 */
public final class JvmProbe {

	private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");

	private JvmProbe() {
	}

	/**
	 * Run a full GC in the process ({@code jcmd <pid> GC.run}), then read the used heap
	 * ({@code jcmd <pid> GC.heap_info}).
	 * @param pid the JVM's process id
	 * @return the used heap in bytes after the GC
	 */
	public static long heapUsedAfterGc(long pid) {
		jcmd(pid, "GC.run");
		return parseHeapUsed(jcmd(pid, "GC.heap_info"));
	}

	/**
	 * Run a full GC in the process, then read the used and the committed heap.
	 * @param pid the JVM's process id
	 * @return {@code [used, committed]} in bytes after the GC
	 */
	public static long[] heapAfterGc(long pid) {
		jcmd(pid, "GC.run");
		String info = jcmd(pid, "GC.heap_info");
		return new long[] { parseHeapUsed(info), parseHeapCommitted(info) };
	}

	/**
	 * Parse the committed heap ({@code total}) from {@code GC.heap_info} output.
	 * @param heapInfo the output
	 * @return the committed heap in bytes
	 */
	public static long parseHeapCommitted(String heapInfo) {
		Matcher matcher = HEAP_USED.matcher(heapInfo);
		if (!matcher.find()) {
			throw new IllegalArgumentException("No heap line in: " + heapInfo);
		}
		return Long.parseLong(matcher.group(1)) * 1024;
	}

	/**
	 * Parse the used heap from {@code GC.heap_info} output, for example
	 * {@code garbage-first heap   total 262144K, used 23456K [0x...}.
	 * @param heapInfo the output
	 * @return the used heap in bytes
	 */
	public static long parseHeapUsed(String heapInfo) {
		Matcher matcher = HEAP_USED.matcher(heapInfo);
		if (!matcher.find()) {
			throw new IllegalArgumentException("No heap line in: " + heapInfo);
		}
		return Long.parseLong(matcher.group(2)) * 1024;
	}

	private static String jcmd(long pid, String command) {
		try {
			Process process = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
			String out = new String(process.getInputStream().readAllBytes());
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("jcmd " + pid + " " + command + " timed out");
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
			}
			return out;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run jcmd", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

}
