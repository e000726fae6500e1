package io.github.wshub.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Recorder;

/**
 * Subscribe churn: every session subscribes to a random topic until it holds {@code --hold}
 * topics (1 by default), then unsubscribes from a random one of them, and so on, sending each
 * request once the previous one is acknowledged. The
 * generator counts, per instance and topic, how often the local refcount went 0 to 1 or 1 to
 * 0: a hub that subscribes lazily needs at most that many Redis SUBSCRIBE and UNSUBSCRIBE
 * commands, which are read from {@code INFO commandstats} every second.
 *
 * @author wshub
 */
final class ChurnScenario {

	private final int topics;

	private final int hold;

	private final AtomicIntegerArray[] refCounts;

	private final AtomicLong transitions = new AtomicLong();

	private final AtomicLong subscribeAcks = new AtomicLong();

	private final AtomicLong unsubscribeAcks = new AtomicLong();

	private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();

	private final Map<Integer, AtomicLong> closes = new ConcurrentHashMap<>();

	private final Recorder subscribeLatency = new Recorder(Latency.HIGHEST_MICROS, 3);

	private volatile long deadline;

	private volatile boolean running;

	private ChurnScenario(int instances, int topics, int hold) {
		this.topics = topics;
		this.hold = Math.max(1, Math.min(hold, topics));
		this.refCounts = new AtomicIntegerArray[instances];
		for (int i = 0; i < instances; i++) {
			this.refCounts[i] = new AtomicIntegerArray(topics);
		}
	}

	/**
	 * One churning session: at most one request in flight.
	 */
	private final class Session implements HubConnection.Handler {

		private final BitSet subscribed = new BitSet();

		private long nextId = 1;

		private long sentAt;

		private boolean pendingSubscribe;

		private volatile boolean idle = true;

		void next(HubConnection connection) {
			if (!ChurnScenario.this.running || System.nanoTime() >= ChurnScenario.this.deadline || !connection.isOpen()) {
				this.idle = true;
				return;
			}
			this.idle = false;
			AtomicIntegerArray counts = ChurnScenario.this.refCounts[connection.instance()];
			ThreadLocalRandom random = ThreadLocalRandom.current();
			String type;
			int topic;
			if (this.subscribed.cardinality() >= ChurnScenario.this.hold) {
				// Unsubscribe one of the held topics, at random.
				int skip = random.nextInt(this.subscribed.cardinality());
				topic = this.subscribed.nextSetBit(0);
				for (int i = 0; i < skip; i++) {
					topic = this.subscribed.nextSetBit(topic + 1);
				}
				this.subscribed.clear(topic);
				if (counts.decrementAndGet(topic) == 0) {
					ChurnScenario.this.transitions.incrementAndGet();
				}
				type = "unsubscribe";
				this.pendingSubscribe = false;
			}
			else {
				do {
					topic = random.nextInt(ChurnScenario.this.topics);
				}
				while (this.subscribed.get(topic));
				this.subscribed.set(topic);
				if (counts.incrementAndGet(topic) == 1) {
					ChurnScenario.this.transitions.incrementAndGet();
				}
				type = "subscribe";
				this.pendingSubscribe = true;
			}
			this.sentAt = System.nanoTime();
			connection.send("{\"type\":\"" + type + "\",\"topic\":\"" + ServerFrame.TOPIC_PREFIX + topic + "\",\"id\":"
					+ (this.nextId++) + "}");
		}

		@Override
		public void onFrame(HubConnection connection, ServerFrame frame, long receivedNanos) {
			if (frame.kind() == ServerFrame.Kind.ACK) {
				if (this.pendingSubscribe) {
					ChurnScenario.this.subscribeAcks.incrementAndGet();
					long micros = (receivedNanos - this.sentAt) / 1000;
					ChurnScenario.this.subscribeLatency.recordValue(Math.max(0, Math.min(micros, Latency.HIGHEST_MICROS)));
				}
				else {
					ChurnScenario.this.unsubscribeAcks.incrementAndGet();
				}
				next(connection);
			}
			else if (frame.kind() == ServerFrame.Kind.ERROR) {
				ChurnScenario.this.errors.computeIfAbsent(String.valueOf(frame.code()), (key) -> new AtomicLong())
					.incrementAndGet();
				next(connection);
			}
		}

		@Override
		public void onClosed(HubConnection connection, int code) {
			ChurnScenario.this.closes.computeIfAbsent(code, (key) -> new AtomicLong()).incrementAndGet();
			this.idle = true;
		}

	}

	static Report run(Options options) throws Exception {
		Report report = new Report("churn", options);
		int redisPort = options.redisPort();
		if (redisPort <= 0) {
			throw new IllegalArgumentException("churn needs --redis-port to read INFO commandstats");
		}
		List<URI> urls = options.urls();
		int count = options.integer("connections", 1000);
		int topics = options.integer("topics", 100);
		double seconds = options.number("duration", 30);
		ChurnScenario churn = new ChurnScenario(urls.size(), topics, options.integer("hold", 1));
		List<Session> sessions = new ArrayList<>();
		CpuMeter meter = new CpuMeter(options.serverPids(), options.redisPids());
		try (ClientPool pool = ClientPool.from(options); RespClient redis = new RespClient(redisPort)) {
			List<HubConnection> ready = pool.openAll(count, options.integer("concurrency", 256), (i) -> {
				Session session = churn.new Session();
				synchronized (sessions) {
					sessions.add(session);
				}
				return session;
			}, System.nanoTime() + TimeUnit.SECONDS.toNanos(120));
			report.metric("connectionsReady", ready.size());
			double zeroToOneBefore = serverFirstSubscribes(urls);
			redis.command("CONFIG", "RESETSTAT");
			churn.subscribeLatency.getIntervalHistogram();
			meter.start();
			long start = System.nanoTime();
			churn.deadline = start + (long) (seconds * 1e9);
			churn.running = true;
			for (HubConnection connection : ready) {
				Session session = sessionOf(sessions, connection);
				session.next(connection);
			}
			List<Map<String, Object>> samples = new ArrayList<>();
			long violations = 0;
			long maxCommands = 0;
			// Sample once a second: the commands must never exceed the transitions so far.
			while (System.nanoTime() < churn.deadline) {
				Thread.sleep(Math.min(1000, Math.max(1, (churn.deadline - System.nanoTime()) / 1_000_000)));
				long transitionsSoFar = churn.transitions.get();
				long commands = subscribeCommands(redis);
				maxCommands = Math.max(maxCommands, commands);
				if (commands > transitionsSoFar) {
					violations++;
				}
				Map<String, Object> sample = new LinkedHashMap<>();
				sample.put("second", Report.round((System.nanoTime() - start) / 1e9, 1));
				sample.put("transitions", transitionsSoFar);
				sample.put("redisSubscribeCommands", commands);
				samples.add(sample);
			}
			churn.running = false;
			long elapsed = System.nanoTime() - start;
			// Let the requests in flight finish (bounded), then take the final reading.
			long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			while (System.nanoTime() < settle && sessions.stream().anyMatch((s) -> !s.idle)) {
				Thread.sleep(20);
			}
			CpuMeter.Usage cpu = meter.stop();
			Map<String, Long> calls = redis.commandCalls();
			long subscribeCalls = calls.getOrDefault("subscribe", 0L);
			long unsubscribeCalls = calls.getOrDefault("unsubscribe", 0L);
			long transitions = churn.transitions.get();
			double zeroToOne = serverFirstSubscribes(urls) - zeroToOneBefore;
			Latency latency = Latency.of(churn.subscribeLatency.getIntervalHistogram());
			double windowSeconds = elapsed / 1e9;
			long acks = churn.subscribeAcks.get() + churn.unsubscribeAcks.get();
			report.metric("seconds", windowSeconds);
			report.metric("subscribeAcks", churn.subscribeAcks.get());
			report.metric("unsubscribeAcks", churn.unsubscribeAcks.get());
			report.metric("acksPerSecond", acks / windowSeconds);
			report.metric("subscribeAcksPerSecond", churn.subscribeAcks.get() / windowSeconds);
			report.metric("subscribeLatency", latency.toMap());
			report.metric("refcountTransitions", transitions);
			report.metric("serverZeroToOneTransitions", (long) zeroToOne);
			report.metric("redisSubscribeCalls", subscribeCalls);
			report.metric("redisUnsubscribeCalls", unsubscribeCalls);
			report.metric("redisCommandsPerTransition", (transitions > 0)
					? (subscribeCalls + unsubscribeCalls) / (double) transitions : Double.NaN);
			report.metric("samplesOverLimit", violations);
			report.metric("samples", samples);
			report.metric("cpu", cpu.toMap());
			report.metric("errorFrames", IdleScenario.counts(churn.errors));
			report.metric("closeCodes", IdleScenario.counts(churn.closes));
			report.target("Redis SUBSCRIBE + UNSUBSCRIBE <= refcount 0<->1 transitions (at every 1 s sample and at the end)",
					(subscribeCalls + unsubscribeCalls) + " <= " + transitions,
					subscribeCalls + unsubscribeCalls <= transitions && violations == 0);
			report.target("no error frames", churn.errors.size(), churn.errors.isEmpty());
			pool.closeAll(Duration.ofSeconds(10));
		}
		return report;
	}

	// The pool numbers connections in the order the handlers were made, from 0.
	private static Session sessionOf(List<Session> sessions, HubConnection connection) {
		synchronized (sessions) {
			return sessions.get(connection.index());
		}
	}

	private static long subscribeCommands(RespClient redis) throws IOException {
		Map<String, Long> calls = redis.commandCalls();
		return calls.getOrDefault("subscribe", 0L) + calls.getOrDefault("unsubscribe", 0L);
	}

	// Each instance records a subscribe-confirmation time only when a topic's refcount went 0 -> 1.
	private static double serverFirstSubscribes(List<URI> urls) {
		double sum = 0;
		for (URI url : urls) {
			sum += ServerMetrics.sum(ServerMetrics.scrape(url), "hub_subscribe_latency_seconds_count");
		}
		return sum;
	}

}
