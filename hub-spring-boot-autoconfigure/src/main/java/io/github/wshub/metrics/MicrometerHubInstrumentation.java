package io.github.wshub.metrics;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.protocol.ErrorCode;
import io.github.wshub.protocol.HubCloseStatus;

/**
 * {@link HubInstrumentation} that records counters and timers in a Micrometer
 * {@link MeterRegistry}. Every meter is created up front (or once per close code), so recording
 * is a lock-free increment. Tags only carry bounded values: never a topic, user or session.
 * <p>
 * Meters: {@code hub.messages.published} (tag {@code source}), {@code hub.messages.refused}
 * ({@code reason}), {@code hub.messages.delivered}, {@code hub.messages.dropped}
 * ({@code reason}), {@code hub.sessions.closed} ({@code code}, {@code reason}),
 * {@code hub.errors.sent} ({@code code}), {@code hub.messages.direct} ({@code result}),
 * {@code hub.broker.reconnects}, and the timers {@code hub.delivery.latency},
 * {@code hub.subscribe.latency} and {@code hub.fanout.duration}.
 *
 * @author wshub
 */
public class MicrometerHubInstrumentation implements HubInstrumentation {

	private static final Map<Integer, String> CLOSE_REASONS = Map.ofEntries(Map.entry(1000, "normal"),
			Map.entry(1001, "going_away"), Map.entry(1002, "protocol_error"), Map.entry(1003, "not_acceptable"),
			Map.entry(1005, "no_status"), Map.entry(1006, "abnormal"), Map.entry(1007, "bad_data"),
			Map.entry(1008, "policy_violation"), Map.entry(1009, "too_big"), Map.entry(1011, "server_error"),
			Map.entry(1012, "service_restart"), Map.entry(1013, "try_again_later"), Map.entry(1014, "bad_gateway"),
			Map.entry(4000, "shutdown"), Map.entry(4004, "instance_full"), Map.entry(4503, "too_many_sessions"),
			Map.entry(4001, "ping_timeout"), Map.entry(4002, "slow_consumer"), Map.entry(4003, "server_error"),
			Map.entry(4500, "session_not_reliable"), Map.entry(4501, "disconnected"),
			Map.entry(4502, "policy_violation"), Map.entry(4005, "state_lost"));

	private final MeterRegistry registry;

	private final Map<PublishSource, Counter> published = new EnumMap<>(PublishSource.class);

	private final Map<RefusalReason, Counter> refused = new EnumMap<>(RefusalReason.class);

	private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);

	private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);

	private final Map<DirectOutcome, Counter> direct = new EnumMap<>(DirectOutcome.class);

	private final Map<Integer, Counter> closed = new ConcurrentHashMap<>();

	private final Counter delivered;

	private final Counter reconnects;

	private final Timer deliveryLatency;

	private final Timer subscribeLatency;

	private final Timer fanOutDuration;

	/**
	 * Create the instrumentation and register its meters.
	 * @param registry the registry
	 */
	public MicrometerHubInstrumentation(MeterRegistry registry) {
		this.registry = registry;
		for (PublishSource source : PublishSource.values()) {
			this.published.put(source, Counter.builder("hub.messages.published")
				.description("Messages accepted by the broker")
				.tag("source", tagValue(source))
				.register(registry));
		}
		for (RefusalReason reason : RefusalReason.values()) {
			this.refused.put(reason, Counter.builder("hub.messages.refused")
				.description("Publishes refused, reaching nobody")
				.tag("reason", tagValue(reason))
				.register(registry));
		}
		for (DropReason reason : DropReason.values()) {
			this.dropped.put(reason, Counter.builder("hub.messages.dropped")
				.description("Deliveries to local sessions that were lost")
				.tag("reason", tagValue(reason))
				.register(registry));
		}
		for (ErrorCode code : ErrorCode.values()) {
			this.errors.put(code, Counter.builder("hub.errors.sent")
				.description("Error frames sent to clients")
				.tag("code", code.code())
				.register(registry));
		}
		for (DirectOutcome outcome : DirectOutcome.values()) {
			this.direct.put(outcome, Counter.builder("hub.messages.direct")
				.description("Targeted sends to a user or session from application code, by outcome")
				.tag("result", tagValue(outcome))
				.register(registry));
		}
		this.delivered = Counter.builder("hub.messages.delivered")
			.description("Messages handed to local sessions (one per session)")
			.register(registry);
		this.reconnects = Counter.builder("hub.broker.reconnects")
			.description("Recoveries of the broker after it was unreachable")
			.register(registry);
		this.deliveryLatency = Timer.builder("hub.delivery.latency")
			.description("Time from publish to being handed to every local subscriber")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(registry);
		this.subscribeLatency = Timer.builder("hub.subscribe.latency")
			.description("Time for the broker to confirm a topic's first local subscription")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofSeconds(10))
			.register(registry);
		this.fanOutDuration = Timer.builder("hub.fanout.duration")
			.description("Time to hand one message to all its local subscribers")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofNanos(10_000))
			.maximumExpectedValue(Duration.ofSeconds(1))
			.register(registry);
	}

	@Override
	public void messagePublished(PublishSource source) {
		this.published.get(source).increment();
	}

	@Override
	public void messageRefused(RefusalReason reason) {
		this.refused.get(reason).increment();
	}

	@Override
	public void messageDelivered(BrokerMessage message, int sessions, long fanOutNanos) {
		if (sessions > 0) {
			this.delivered.increment(sessions);
		}
		this.fanOutDuration.record(fanOutNanos, TimeUnit.NANOSECONDS);
		long latencyMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) - message.publishedAtMicros();
		if (latencyMicros >= 0) {
			this.deliveryLatency.record(latencyMicros, TimeUnit.MICROSECONDS);
		}
	}

	@Override
	public void messageDropped(DropReason reason, int count) {
		if (count > 0) {
			this.dropped.get(reason).increment(count);
		}
	}

	@Override
	public void sessionClosed(HubCloseStatus status) {
		int code = CLOSE_REASONS.containsKey(status.code()) ? status.code() : 0;
		this.closed.computeIfAbsent(code, (key) -> Counter.builder("hub.sessions.closed")
			.description("Sessions closed, by close code")
			.tag("code", (key != 0) ? Integer.toString(key) : "other")
			.tag("reason", CLOSE_REASONS.getOrDefault(key, "other"))
			.register(this.registry)).increment();
	}

	@Override
	public void errorSent(ErrorCode code) {
		this.errors.get(code).increment();
	}

	@Override
	public void directSent(DirectOutcome outcome) {
		this.direct.get(outcome).increment();
	}

	@Override
	public void brokerReconnected() {
		this.reconnects.increment();
	}

	// Registered at the first event: applications without history get no such series.
	@Override
	public void recoveryAnswered(boolean recovered) {
		this.registry.counter("hub.recoveries", "result", recovered ? "recovered" : "not_recovered").increment();
	}

	@Override
	public void historyGap(boolean repaired) {
		this.registry.counter("hub.history.gaps", "result", repaired ? "repaired" : "state_lost").increment();
	}

	@Override
	public void subscribeConfirmed(long nanos) {
		this.subscribeLatency.record(nanos, TimeUnit.NANOSECONDS);
	}

	private static String tagValue(Enum<?> value) {
		return value.name().toLowerCase(java.util.Locale.ROOT);
	}

}
