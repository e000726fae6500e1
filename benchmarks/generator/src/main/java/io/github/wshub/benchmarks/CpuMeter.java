package io.github.wshub.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures CPU time over a window: of the server processes (hub instances and Redis, from
 * {@code /proc}) and of this generator (from the JVM), so every result can say how much of the
 * machine each side used.
 *
 * @author wshub
 */
public final class CpuMeter {

	private final List<Long> serverPids;

	private final List<Long> redisPids;

	private final long[] serverStart;

	private final long[] redisStart;

	private long generatorStart;

	private long wallStart;

	/**
	 * Create a meter.
	 * @param serverPids the hub instances' process ids (may be empty)
	 * @param redisPids the Redis process ids (one, or every node of a cluster; may be empty)
	 */
	public CpuMeter(List<Long> serverPids, List<Long> redisPids) {
		this.serverPids = List.copyOf(serverPids);
		this.redisPids = List.copyOf(redisPids);
		this.serverStart = new long[serverPids.size()];
		this.redisStart = new long[redisPids.size()];
	}

	/**
	 * Start (or restart) the window.
	 * @return this meter
	 */
	public CpuMeter start() {
		for (int i = 0; i < this.serverPids.size(); i++) {
			this.serverStart[i] = cpu(this.serverPids.get(i));
		}
		for (int i = 0; i < this.redisPids.size(); i++) {
			this.redisStart[i] = cpu(this.redisPids.get(i));
		}
		this.generatorStart = generatorCpuNanos();
		this.wallStart = System.nanoTime();
		return this;
	}

	/**
	 * Read the CPU used since {@link #start()}.
	 * @return the usage
	 */
	public Usage stop() {
		long wall = System.nanoTime() - this.wallStart;
		List<Long> instances = new ArrayList<>();
		long servers = 0;
		for (int i = 0; i < this.serverPids.size(); i++) {
			long used = cpu(this.serverPids.get(i)) - this.serverStart[i];
			instances.add(used);
			servers += used;
		}
		List<Long> redis = new ArrayList<>();
		for (int i = 0; i < this.redisPids.size(); i++) {
			redis.add(cpu(this.redisPids.get(i)) - this.redisStart[i]);
		}
		long generator = generatorCpuNanos() - this.generatorStart;
		return new Usage(wall, instances, redis, generator, Runtime.getRuntime().availableProcessors());
	}

	/**
	 * Return the CPU time this JVM has used.
	 * @return nanoseconds of CPU time
	 */
	public static long generatorCpuNanos() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			return os.getProcessCpuTime();
		}
		return 0;
	}

	private static long cpu(long pid) {
		return ProcStats.isAlive(pid) ? ProcStats.cpuNanos(pid) : 0;
	}

	/**
	 * CPU used over a window.
	 *
	 * @param wallNanos the window's length
	 * @param instanceNanos CPU time of each hub instance
	 * @param redisNodeNanos CPU time of each Redis process (one, or every node of a cluster)
	 * @param generatorNanos CPU time of this generator
	 * @param cores the number of cores
	 */
	public record Usage(long wallNanos, List<Long> instanceNanos, List<Long> redisNodeNanos, long generatorNanos,
			int cores) {

		/**
		 * Return the CPU time of Redis, every node together.
		 * @return nanoseconds
		 */
		public long redisNanos() {
			return this.redisNodeNanos.stream().mapToLong(Long::longValue).sum();
		}

		/**
		 * Return the CPU seconds of the instances and Redis together.
		 * @return seconds of server CPU
		 */
		public double serverSeconds() {
			return (this.instanceNanos.stream().mapToLong(Long::longValue).sum() + redisNanos()) / 1e9;
		}

		/**
		 * Return the generator's share of the machine: its CPU seconds over wall seconds times
		 * cores.
		 * @return the share, from 0 to 1
		 */
		public double generatorShare() {
			return share(this.generatorNanos);
		}

		/**
		 * Return the servers' share of the machine.
		 * @return the share, from 0 to 1
		 */
		public double serverShare() {
			return share((long) (serverSeconds() * 1e9));
		}

		private double share(long cpuNanos) {
			return (this.wallNanos > 0) ? cpuNanos / ((double) this.wallNanos * this.cores) : 0;
		}

		/**
		 * Return server CPU microseconds per delivered message.
		 * @param delivered the messages delivered in the window
		 * @return microseconds per message, or {@code NaN} if none was delivered
		 */
		public double serverMicrosPer(long delivered) {
			return (delivered > 0) ? serverSeconds() * 1e6 / delivered : Double.NaN;
		}

		/**
		 * Describe the usage for the JSON report.
		 * @return the fields
		 */
		public Map<String, Object> toMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("wallSeconds", Report.round(this.wallNanos / 1e9, 3));
			map.put("cores", this.cores);
			map.put("instanceCpuSeconds", this.instanceNanos.stream().map((n) -> Report.round(n / 1e9, 3)).toList());
			map.put("redisCpuSeconds", Report.round(redisNanos() / 1e9, 3));
			if (this.redisNodeNanos.size() > 1) {
				map.put("redisNodeCpuSeconds",
						this.redisNodeNanos.stream().map((n) -> Report.round(n / 1e9, 3)).toList());
			}
			map.put("serverCpuSeconds", Report.round(serverSeconds(), 3));
			map.put("serverCpuShare", Report.round(serverShare(), 3));
			map.put("generatorCpuSeconds", Report.round(this.generatorNanos / 1e9, 3));
			map.put("generatorCpuShare", Report.round(generatorShare(), 3));
			return map;
		}

	}

}
