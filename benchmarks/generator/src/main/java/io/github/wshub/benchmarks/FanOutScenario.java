package io.github.wshub.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Fan-out and ramp: subscribers with one topic each, publishers covering every topic round
 * robin at a fixed rate, and the exact accounting of what arrived. The ramp repeats publishing
 * steps on the same connections, doubling the rate, with fresh publisher ids per step so each
 * step's messages are told apart.
 *
 * @author wshub
 */
public final class FanOutScenario implements AutoCloseable {

	private static final int MAX_QUEUED_PER_PUBLISHER = 5_000;

	private final Options options;

	private final List<URI> urls;

	private final int topics;

	private final int publisherCount;

	private final int payload;

	private final int connections;

	private final ClientPool pool;

	private final Recorder latency = new Recorder(Latency.HIGHEST_MICROS, 3);

	/** From a publish's intended send time to its ack: what the publishing client waits. */
	private final Recorder ackLatency = new Recorder(Latency.HIGHEST_MICROS, 3);

	/** The publishers of the running step, by connection, to time their acks. */
	private final Map<HubConnection, Publisher> activePublishers = new ConcurrentHashMap<>();

	private final AtomicLong messages = new AtomicLong();

	private final AtomicLong subscribeAcks = new AtomicLong();

	private final AtomicLong publishAcks = new AtomicLong();

	private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();

	private final Map<Integer, AtomicLong> closeCodes = new ConcurrentHashMap<>();

	private final List<HubConnection> subscribers = new ArrayList<>();

	private final List<HubConnection> publisherConnections = new ArrayList<>();

	private int[] subscribersPerTopic = new int[0];

	private final Map<HubConnection, Integer> subscribedTopic = new LinkedHashMap<>();

	private int nextPublisherId;

	private final HubConnection.Handler handler = new HubConnection.Handler() {

		@Override
		public void onFrame(HubConnection connection, ServerFrame frame, long receivedNanos) {
			switch (frame.kind()) {
				case MESSAGE -> {
					FanOutScenario.this.messages.incrementAndGet();
					if (frame.topic() >= 0 && frame.publisher() >= 0) {
						connection.track(frame.topic(), frame.publisher(), frame.seq());
						long micros = (receivedNanos - frame.sentNanos()) / 1000;
						FanOutScenario.this.latency.recordValue(Math.max(0, Math.min(micros, Latency.HIGHEST_MICROS)));
					}
				}
				case ACK -> {
					if (frame.id() == 0) {
						FanOutScenario.this.subscribeAcks.incrementAndGet();
					}
					else {
						FanOutScenario.this.publishAcks.incrementAndGet();
						Publisher publisher = FanOutScenario.this.activePublishers.get(connection);
						// A late ack of the previous step's publisher is not this step's.
						if (publisher != null && frame.id() <= publisher.sent()) {
							long micros = (receivedNanos - publisher.intendedNanos(frame.id())) / 1000;
							FanOutScenario.this.ackLatency
								.recordValue(Math.max(0, Math.min(micros, Latency.HIGHEST_MICROS)));
						}
					}
				}
				case ERROR -> FanOutScenario.this.errors
					.computeIfAbsent(String.valueOf(frame.code()), (key) -> new AtomicLong())
					.incrementAndGet();
				default -> {
				}
			}
		}

		@Override
		public void onClosed(HubConnection connection, int code) {
			FanOutScenario.this.closeCodes.computeIfAbsent(code, (key) -> new AtomicLong()).incrementAndGet();
		}

	};

	FanOutScenario(Options options, int defaultConnections) {
		this.options = options;
		this.urls = options.urls();
		this.topics = options.integer("topics", 100);
		this.publisherCount = options.integer("publishers", 4);
		this.payload = options.integer("payload", 100);
		this.pool = ClientPool.from(options);
		this.connections = options.integer("connections", defaultConnections);
	}

	/**
	 * Open the subscribers, subscribe each to one topic ({@code i mod topics}) and wait for the
	 * acks, then open the publishers.
	 * @param report receives the setup metrics
	 * @throws InterruptedException if interrupted
	 */
	void setUp(Report report) throws InterruptedException {
		long start = System.nanoTime();
		long deadline = start + TimeUnit.SECONDS.toNanos(120);
		List<HubConnection> ready = this.pool.openAll(this.connections, options.integer("concurrency", 256),
				(i) -> this.handler, deadline);
		long connected = System.nanoTime();
		report.metric("connectionsReady", ready.size());
		report.metric("connectSeconds", (connected - start) / 1e9);
		if (!this.pool.failures().isEmpty()) {
			report.metric("connectFailures", this.pool.failures());
		}
		// Subscribe with id 0: acks with id 0 are subscribe acks, publishes use ids from 1.
		this.subscribersPerTopic = new int[this.topics];
		long subscribeStart = System.nanoTime();
		for (int i = 0; i < ready.size(); i++) {
			HubConnection connection = ready.get(i);
			int topic = i % this.topics;
			connection.send("{\"type\":\"subscribe\",\"topic\":\"" + ServerFrame.TOPIC_PREFIX + topic + "\",\"id\":0}");
			this.subscribers.add(connection);
			this.subscribedTopic.put(connection, topic);
		}
		long subscribeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (this.subscribeAcks.get() + errorCount() < ready.size() && System.nanoTime() < subscribeDeadline) {
			Thread.sleep(20);
		}
		long subscribed = System.nanoTime();
		report.metric("subscribeAcks", this.subscribeAcks.get());
		report.metric("subscribeSeconds", (subscribed - subscribeStart) / 1e9);
		// Every subscriber that got its ack counts in the subscription map. Errors (there
		// should be none) leave the subscriber out; it is then reported as unexpected traffic.
		if (errorCount() == 0) {
			for (Map.Entry<HubConnection, Integer> entry : this.subscribedTopic.entrySet()) {
				this.subscribersPerTopic[entry.getValue()]++;
			}
		}
		else {
			throw new IllegalStateException("Subscribe errors: " + this.errors);
		}
		List<HubConnection> publishers = this.pool.openAll(this.publisherCount, this.publisherCount, (i) -> this.handler,
				System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
		if (publishers.size() < this.publisherCount) {
			throw new IllegalStateException("Only " + publishers.size() + " of " + this.publisherCount
					+ " publishers connected: " + this.pool.failures());
		}
		this.publisherConnections.addAll(publishers);
	}

	private long errorCount() {
		return this.errors.values().stream().mapToLong(AtomicLong::get).sum();
	}

	/**
	 * Publish at {@code rate} for {@code seconds}, wait for the deliveries, and account for
	 * them.
	 * @param rate messages per second, all publishers together
	 * @param seconds how long to publish
	 * @param meter the CPU meter
	 * @return the step's result
	 * @throws InterruptedException if interrupted
	 */
	Step publish(double rate, double seconds, CpuMeter meter) throws InterruptedException {
		List<Publisher> publishers = new ArrayList<>();
		long quota = Math.round(rate / this.publisherCount * seconds);
		for (int i = 0; i < this.publisherCount; i++) {
			publishers.add(new Publisher(this.nextPublisherId++, this.publisherConnections.get(i), this.topics,
					i * this.topics / this.publisherCount, rate / this.publisherCount, quota, this.payload));
		}
		Map<String, Double> metricsBefore = scrapeAll();
		this.latency.getIntervalHistogram();
		this.ackLatency.getIntervalHistogram();
		long messagesBefore = this.messages.get();
		meter.start();
		long start = System.nanoTime();
		CompletableFuture<Void> done = new CompletableFuture<>();
		ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "publisher-clock");
			thread.setDaemon(true);
			return thread;
		});
		this.activePublishers.clear();
		for (int i = 0; i < publishers.size(); i++) {
			publishers.get(i).start(start);
			this.activePublishers.put(this.publisherConnections.get(i), publishers.get(i));
		}
		ScheduledFuture<?> ticks = clock.scheduleAtFixedRate(() -> {
			long now = System.nanoTime();
			boolean all = true;
			for (Publisher publisher : publishers) {
				all &= publisher.sendDue(now, MAX_QUEUED_PER_PUBLISHER);
			}
			if (all) {
				done.complete(null);
			}
		}, 0, 1, TimeUnit.MILLISECONDS);
		// Bounded: publishers that fall behind get ten more seconds, then the step ends.
		try {
			done.get((long) (seconds * 1000) + 10_000, TimeUnit.MILLISECONDS);
		}
		catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
			// Reported as a publish shortfall.
		}
		finally {
			ticks.cancel(false);
			clock.shutdownNow();
		}
		long publishEnd = System.nanoTime();
		long expected = DeliveryAccounting.expected(publishers, this.subscribersPerTopic);
		long drainDeadline = publishEnd + (long) (this.options.number("drain", 10) * 1e9);
		long lastCount = -1;
		long lastProgress = System.nanoTime();
		while (System.nanoTime() < drainDeadline) {
			long count = this.messages.get() - messagesBefore;
			if (count >= expected) {
				break;
			}
			if (count != lastCount) {
				lastCount = count;
				lastProgress = System.nanoTime();
			}
			else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(2)) {
				break;
			}
			Thread.sleep(20);
		}
		CpuMeter.Usage cpu = meter.stop();
		Histogram histogram = this.latency.getIntervalHistogram();
		Histogram ackHistogram = this.ackLatency.getIntervalHistogram();
		List<DeliveryAccounting.SubscriberView> views = new ArrayList<>();
		for (HubConnection subscriber : this.subscribers) {
			views.add(new DeliveryAccounting.SubscriberView(this.subscribedTopic.get(subscriber), subscriber.isOpen(),
					subscriber.trackers()));
		}
		DeliveryAccounting.Totals totals = DeliveryAccounting.tally(views, publishers, this.subscribersPerTopic);
		long published = publishers.stream().mapToLong(Publisher::sent).sum();
		long planned = publishers.stream().mapToLong(Publisher::quota).sum();
		double publishSeconds = (publishEnd - start) / 1e9;
		Map<String, Double> metricsAfter = scrapeAll();
		List<Long> rss = new ArrayList<>();
		for (Long pid : this.options.serverPids()) {
			rss.add(ProcStats.isAlive(pid) ? ProcStats.rssBytes(pid) / (1024 * 1024) : -1);
		}
		return new Step(rate, seconds, published, planned, publishSeconds, totals, Latency.of(histogram),
				Latency.of(ackHistogram), cpu, delta(metricsBefore, metricsAfter), rss);
	}

	private Map<String, Double> scrapeAll() {
		Map<String, Double> all = new TreeMap<>();
		for (int i = 0; i < this.urls.size(); i++) {
			int instance = i;
			ServerMetrics.scrape(this.urls.get(i)).forEach((key, value) -> all.put("i" + instance + ":" + key, value));
		}
		return all;
	}

	private static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
		Map<String, Double> delta = new TreeMap<>();
		after.forEach((key, value) -> {
			String name = key.substring(key.indexOf(':') + 1);
			if (name.startsWith("hub_messages_dropped") || name.startsWith("hub_sessions_closed")
					|| name.startsWith("hub_messages_refused") || name.startsWith("hub_errors_sent")) {
				double change = value - before.getOrDefault(key, 0.0);
				if (change != 0) {
					delta.put(key, change);
				}
			}
			else if (name.startsWith("hub_dispatch_queued") && value != 0) {
				delta.put(key, value);
			}
		});
		return delta;
	}

	/**
	 * Return the close codes received so far.
	 * @return counts by code
	 */
	Map<Integer, Long> closeCodes() {
		Map<Integer, Long> codes = new TreeMap<>();
		this.closeCodes.forEach((code, count) -> codes.put(code, count.get()));
		return codes;
	}

	/**
	 * Return the error frames received so far.
	 * @return counts by error code
	 */
	Map<String, Long> errors() {
		Map<String, Long> counts = new TreeMap<>();
		this.errors.forEach((code, count) -> counts.put(code, count.get()));
		return counts;
	}

	@Override
	public void close() {
		this.pool.closeAll(Duration.ofSeconds(10));
		this.pool.close();
	}

	/**
	 * The result of one publishing step.
	 *
	 * @param rate the publish rate asked for
	 * @param seconds the publishing time asked for
	 * @param published the messages sent
	 * @param planned the messages that should have been sent
	 * @param publishSeconds how long publishing took
	 * @param totals the delivery accounting
	 * @param latency the latency percentiles, from a publish's intended send time to its delivery
	 * @param ackLatency the latency percentiles from a publish's intended send time to its ack
	 * @param cpu the CPU used
	 * @param serverCounters changes of the servers' drop, close and error counters
	 * @param rssMiB the instances' resident memory at the end, MiB
	 */
	record Step(double rate, double seconds, long published, long planned, double publishSeconds,
			DeliveryAccounting.Totals totals, Latency latency, Latency ackLatency, CpuMeter.Usage cpu,
			Map<String, Double> serverCounters,
			List<Long> rssMiB) {

		double deliveredPerSecond() {
			return this.totals.delivered() / this.publishSeconds;
		}

		double serverMicrosPerDelivery() {
			return this.cpu.serverMicrosPer(this.totals.delivered());
		}

		Map<String, Object> toMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("rate", this.rate);
			map.put("published", this.published);
			map.put("publishShortfall", this.planned - this.published);
			map.put("publishSeconds", Report.round(this.publishSeconds, 3));
			map.putAll(this.totals.toMap());
			map.put("deliveredPerSecond", Report.round(deliveredPerSecond(), 1));
			map.put("latency", this.latency.toMap());
			map.put("publishAckLatency", this.ackLatency.toMap());
			map.put("serverCpuMicrosPerDelivery", Report.round(serverMicrosPerDelivery(), 2));
			map.put("cpu", this.cpu.toMap());
			map.put("serverCounters", this.serverCounters);
			map.put("instanceRssMiB", this.rssMiB);
			return map;
		}

	}

	/**
	 * Run the fan-out scenario: a warm-up, then one measured step.
	 * @param options the options
	 * @return the report
	 * @throws InterruptedException if interrupted
	 */
	static Report runFanOut(Options options) throws InterruptedException {
		Report report = new Report("fanout", options);
		try (FanOutScenario scenario = new FanOutScenario(options, 2000)) {
			scenario.setUp(report);
			CpuMeter meter = new CpuMeter(options.serverPids(), options.redisPids());
			double rate = options.number("rate", 2000);
			double warmup = options.number("warmup", 5);
			if (warmup > 0) {
				Step warm = scenario.publish(rate, warmup, meter);
				report.metric("warmup", Map.of("seconds", warmup, "delivered", warm.totals().delivered(), "lost",
						warm.totals().lost(), "p99Ms", warm.latency().p99()));
			}
			Step step = scenario.publish(rate, options.number("duration", 30), meter);
			Map<String, Object> result = step.toMap();
			result.forEach(report::metric);
			report.metric("closeCodes", scenario.closeCodes());
			report.metric("errorFrames", scenario.errors());
			DeliveryAccounting.Totals totals = step.totals();
			report.target("lost == 0", totals.lost(), totals.lost() == 0);
			report.target("duplicated == 0", totals.duplicated(), totals.duplicated() == 0);
			report.target("out-of-order == 0", totals.outOfOrder(), totals.outOfOrder() == 0);
			report.target("p99 <= 20 ms", step.latency().p99(), step.latency().p99() <= 20);
			if (!options.serverPids().isEmpty() && !options.redisPids().isEmpty()) {
				double micros = step.serverMicrosPerDelivery();
				report.target("server CPU <= 12 us per delivered message", micros, micros <= 12);
			}
			report.target("published the planned rate", step.published() + " of " + step.planned(),
					step.published() == step.planned());
		}
		return report;
	}

}
