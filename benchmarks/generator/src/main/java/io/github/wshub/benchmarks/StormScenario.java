package io.github.wshub.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

/**
 * Connection storm: open {@code --connections} as fast as the instances accept them, with at
 * most {@code --concurrency} handshakes in flight, and measure handshakes per second and the
 * time from starting a handshake to receiving {@code welcome}. {@code --warmup} connections
 * (1,000 by default) are opened and closed first so the instances' handshake path is compiled.
 *
 * @author wshub
 */
final class StormScenario {

	private StormScenario() {
	}

	static Report run(Options options) throws InterruptedException {
		Report report = new Report("storm", options);
		int count = options.integer("connections", 5000);
		int concurrency = options.integer("concurrency", 256);
		Map<Integer, AtomicLong> closes = new ConcurrentHashMap<>();
		HubConnection.Handler handler = new HubConnection.Handler() {

			@Override
			public void onFrame(HubConnection connection, ServerFrame frame, long receivedNanos) {
			}

			@Override
			public void onClosed(HubConnection connection, int code) {
				closes.computeIfAbsent(code, (key) -> new AtomicLong()).incrementAndGet();
			}

		};
		CpuMeter meter = new CpuMeter(options.serverPids(), options.redisPids());
		int warmup = options.integer("warmup", 1000);
		if (warmup > 0) {
			// Warm the instances' handshake path (JIT) first: a storm usually hits running instances,
			// for example when the clients of a stopped instance reconnect to the others.
			try (ClientPool warm = ClientPool.from(options)) {
				List<HubConnection> opened = warm.openAll(warmup, concurrency, (i) -> handler,
						System.nanoTime() + TimeUnit.SECONDS.toNanos(120));
				report.metric("warmupConnections", opened.size());
				warm.closeAll(Duration.ofSeconds(20));
			}
			closes.clear();
			Thread.sleep(2000);
		}
		try (ClientPool pool = ClientPool.from(options)) {
			meter.start();
			long start = System.nanoTime();
			List<HubConnection> ready = pool.openAll(count, concurrency, (i) -> handler,
					start + TimeUnit.SECONDS.toNanos(180));
			long end = System.nanoTime();
			CpuMeter.Usage cpu = meter.stop();
			Histogram welcome = Latency.newHistogram();
			long lastWelcome = start;
			for (HubConnection connection : ready) {
				long nanos = connection.timeToWelcomeNanos();
				if (nanos >= 0) {
					Latency.record(welcome, nanos / 1000);
				}
			}
			lastWelcome = Math.max(lastWelcome, end);
			double seconds = (lastWelcome - start) / 1e9;
			double perSecond = ready.size() / seconds;
			Latency latency = Latency.of(welcome);
			List<Integer> threads = new ArrayList<>();
			for (Long pid : options.serverPids()) {
				threads.add(ProcStats.isAlive(pid) ? ProcStats.threads(pid) : -1);
			}
			report.metric("connections", count);
			report.metric("concurrency", concurrency);
			report.metric("connectionsReady", ready.size());
			report.metric("failures", pool.failures());
			report.metric("seconds", seconds);
			report.metric("handshakesPerSecond", perSecond);
			report.metric("timeToWelcome", latency.toMap());
			report.metric("instanceThreadsAfter", threads);
			report.metric("cpu", cpu.toMap());
			report.metric("serverCpuMicrosPerHandshake", (ready.isEmpty()) ? Double.NaN
					: cpu.serverSeconds() * 1e6 / ready.size());
			report.metric("closeCodes", IdleScenario.counts(closes));
			report.target("all connections welcomed", ready.size() + " of " + count, ready.size() == count);
			report.target("handshakes/s and p99 time-to-welcome reported (no fixed target)",
					String.format(java.util.Locale.ROOT, "%.0f/s, p99 %.1f ms", perSecond, latency.p99()), true);
			pool.closeAll(Duration.ofSeconds(20));
		}
		return report;
	}

}
