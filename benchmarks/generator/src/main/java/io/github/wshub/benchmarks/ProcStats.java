package io.github.wshub.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reads CPU time and resident memory of processes from {@code /proc}.
 *
 * @author wshub
 */
public final class ProcStats {

	private static volatile long clockTicks;

	private ProcStats() {
	}

	/**
	 * Return the CPU time (user plus system) a process has used, from {@code /proc/<pid>/stat}.
	 * @param pid the process id
	 * @return the CPU time in nanoseconds
	 */
	public static long cpuNanos(long pid) {
		return ticksToNanos(cpuTicks(readString(Path.of("/proc", Long.toString(pid), "stat"))), clockTicks());
	}

	/**
	 * Return {@code utime + stime} from the content of a {@code /proc/<pid>/stat} file. The
	 * command name (field 2) may contain spaces and parentheses, so fields are counted from the
	 * last {@code ')'}.
	 * @param stat the file's content
	 * @return the CPU time in clock ticks
	 */
	public static long cpuTicks(String stat) {
		int end = stat.lastIndexOf(')');
		if (end < 0) {
			throw new IllegalArgumentException("Not a /proc/<pid>/stat line: " + stat);
		}
		// After ") " comes field 3 (state); utime and stime are fields 14 and 15.
		String[] fields = stat.substring(end + 2).trim().split("\\s+");
		return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
	}

	/**
	 * Convert clock ticks to nanoseconds.
	 * @param ticks the ticks
	 * @param ticksPerSecond {@code CLK_TCK}
	 * @return the nanoseconds
	 */
	public static long ticksToNanos(long ticks, long ticksPerSecond) {
		return ticks * (1_000_000_000L / ticksPerSecond);
	}

	/**
	 * Return a process's resident set size, from {@code VmRSS} in {@code /proc/<pid>/status}.
	 * @param pid the process id
	 * @return the resident size in bytes
	 */
	public static long rssBytes(long pid) {
		return rssBytes(readString(Path.of("/proc", Long.toString(pid), "status")));
	}

	/**
	 * Return {@code VmRSS} from the content of a {@code /proc/<pid>/status} file.
	 * @param status the file's content
	 * @return the resident size in bytes
	 */
	public static long rssBytes(String status) {
		for (String line : status.split("\n")) {
			if (line.startsWith("VmRSS:")) {
				String[] parts = line.substring(6).trim().split("\\s+");
				return Long.parseLong(parts[0]) * 1024;
			}
		}
		throw new IllegalArgumentException("No VmRSS line");
	}

	/**
	 * Return a process's thread count, from {@code Threads} in {@code /proc/<pid>/status}.
	 * @param pid the process id
	 * @return the number of threads, or -1 if unknown
	 */
	public static int threads(long pid) {
		for (String line : readString(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
			if (line.startsWith("Threads:")) {
				return Integer.parseInt(line.substring(8).trim());
			}
		}
		return -1;
	}

	/**
	 * Whether a process is alive.
	 * @param pid the process id
	 * @return {@code true} if {@code /proc/<pid>} exists
	 */
	public static boolean isAlive(long pid) {
		return Files.isDirectory(Path.of("/proc", Long.toString(pid)));
	}

	/**
	 * Return {@code CLK_TCK}, from {@code getconf CLK_TCK} (100 if it cannot be run).
	 * @return the clock ticks per second
	 */
	public static long clockTicks() {
		long ticks = clockTicks;
		if (ticks == 0) {
			ticks = 100;
			try {
				Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
				String out = new String(process.getInputStream().readAllBytes()).trim();
				if (process.waitFor(5, TimeUnit.SECONDS) && process.exitValue() == 0) {
					ticks = Long.parseLong(out);
				}
			}
			catch (IOException | NumberFormatException ex) {
				// Keep the Linux default.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			clockTicks = ticks;
		}
		return ticks;
	}

	private static String readString(Path path) {
		try {
			return Files.readString(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
