package io.github.wshub.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Idle connections: the memory an open, subscribed, silent connection costs the server. Heap
 * after a full GC and resident memory are read from every instance before connecting and after
 * holding the connections for {@code --duration}.
 *
 * @author wshub
 */
final class IdleScenario {

	private IdleScenario() {
	}

	static Report run(Options options) throws InterruptedException {
		Report report = new Report("idle", options);
		List<Long> pids = options.serverPids();
		if (pids.isEmpty()) {
			throw new IllegalArgumentException("idle needs --server-pids to measure memory");
		}
		int count = options.integer("connections", 5000);
		int topics = options.integer("topics", 100);
		double holdSeconds = options.number("duration", 60);
		report.metric("container", options.string("label", "unknown"));
		long[] heapBefore = new long[pids.size()];
		long[] committedBefore = new long[pids.size()];
		long[] rssBefore = new long[pids.size()];
		for (int i = 0; i < pids.size(); i++) {
			long[] heap = JvmProbe.heapAfterGc(pids.get(i));
			heapBefore[i] = heap[0];
			committedBefore[i] = heap[1];
			rssBefore[i] = ProcStats.rssBytes(pids.get(i));
		}
		AtomicLong acks = new AtomicLong();
		Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
		Map<Integer, AtomicLong> closes = new ConcurrentHashMap<>();
		HubConnection.Handler handler = new HubConnection.Handler() {

			@Override
			public void onFrame(HubConnection connection, ServerFrame frame, long receivedNanos) {
				if (frame.kind() == ServerFrame.Kind.ACK) {
					acks.incrementAndGet();
				}
				else if (frame.kind() == ServerFrame.Kind.ERROR) {
					errors.computeIfAbsent(String.valueOf(frame.code()), (key) -> new AtomicLong()).incrementAndGet();
				}
			}

			@Override
			public void onClosed(HubConnection connection, int code) {
				closes.computeIfAbsent(code, (key) -> new AtomicLong()).incrementAndGet();
			}

		};
		CpuMeter meter = new CpuMeter(pids, options.redisPids());
		try (ClientPool pool = ClientPool.from(options)) {
			long start = System.nanoTime();
			List<HubConnection> ready = pool.openAll(count, options.integer("concurrency", 256), (i) -> handler,
					start + TimeUnit.SECONDS.toNanos(180));
			report.metric("connectionsReady", ready.size());
			report.metric("connectSeconds", (System.nanoTime() - start) / 1e9);
			if (!pool.failures().isEmpty()) {
				report.metric("connectFailures", pool.failures());
			}
			long subscribeStart = System.nanoTime();
			for (int i = 0; i < ready.size(); i++) {
				ready.get(i).send("{\"type\":\"subscribe\",\"topic\":\"" + ServerFrame.TOPIC_PREFIX + (i % topics)
						+ "\",\"id\":" + (i + 1) + "}");
			}
			long subscribeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (acks.get() + errors.size() < ready.size() && System.nanoTime() < subscribeDeadline) {
				Thread.sleep(20);
			}
			report.metric("subscribeAcks", acks.get());
			report.metric("subscribeSeconds", (System.nanoTime() - subscribeStart) / 1e9);
			meter.start();
			long holdEnd = System.nanoTime() + (long) (holdSeconds * 1e9);
			while (System.nanoTime() < holdEnd) {
				Thread.sleep(Math.min(1000, Math.max(1, (holdEnd - System.nanoTime()) / 1_000_000)));
			}
			CpuMeter.Usage cpu = meter.stop();
			long open = ready.stream().filter(HubConnection::isOpen).count();
			report.metric("openAfterHold", open);
			long[] heapAfter = new long[pids.size()];
			long[] committedAfter = new long[pids.size()];
			long[] rssAfter = new long[pids.size()];
			List<Integer> threads = new ArrayList<>();
			for (int i = 0; i < pids.size(); i++) {
				long[] heap = JvmProbe.heapAfterGc(pids.get(i));
				heapAfter[i] = heap[0];
				committedAfter[i] = heap[1];
				rssAfter[i] = ProcStats.rssBytes(pids.get(i));
				threads.add(ProcStats.threads(pids.get(i)));
			}
			long heapGrowth = 0;
			long committedGrowth = 0;
			long rssGrowth = 0;
			List<String> perInstance = new ArrayList<>();
			for (int i = 0; i < pids.size(); i++) {
				heapGrowth += heapAfter[i] - heapBefore[i];
				committedGrowth += committedAfter[i] - committedBefore[i];
				rssGrowth += rssAfter[i] - rssBefore[i];
				perInstance.add(String.format(java.util.Locale.ROOT,
						"heap used %.1f -> %.1f MiB, heap committed %.1f -> %.1f MiB, RSS %.1f -> %.1f MiB",
						heapBefore[i] / 1048576.0, heapAfter[i] / 1048576.0, committedBefore[i] / 1048576.0,
						committedAfter[i] / 1048576.0, rssBefore[i] / 1048576.0, rssAfter[i] / 1048576.0));
			}
			report.metric("instances", perInstance);
			report.metric("instanceThreads", threads);
			double heapPerConnection = (open > 0) ? heapGrowth / 1024.0 / open : Double.NaN;
			double rssPerConnection = (open > 0) ? rssGrowth / 1024.0 / open : Double.NaN;
			report.metric("heapKiBPerConnection", heapPerConnection);
			report.metric("rssKiBPerConnection", rssPerConnection);
			// RSS growth is partly the heap the JVM committed (and keeps) during the burst.
			report.metric("heapCommittedKiBPerConnection", (open > 0) ? committedGrowth / 1024.0 / open : Double.NaN);
			report.metric("cpuWhileIdle", cpu.toMap());
			report.metric("errorFrames", counts(errors));
			report.metric("closeCodes", counts(closes));
			report.target("all connections open after the hold", open + " of " + count, open == count);
			report.target("heap after GC <= 16 KiB per connection", heapPerConnection, heapPerConnection <= 16);
			report.target("RSS growth <= 20 KiB per connection", rssPerConnection, rssPerConnection <= 20);
			pool.closeAll(Duration.ofSeconds(15));
		}
		return report;
	}

	static <K> Map<K, Long> counts(Map<K, AtomicLong> counters) {
		Map<K, Long> counts = new TreeMap<>();
		counters.forEach((key, value) -> counts.put(key, value.get()));
		return counts;
	}

}
