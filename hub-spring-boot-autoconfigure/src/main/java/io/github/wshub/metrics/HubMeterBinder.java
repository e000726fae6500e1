package io.github.wshub.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.session.LocalSessions;
import io.github.wshub.session.LocalTopicRegistry;

/**
 * Gauges of the hub's current state on this instance: {@code hub.sessions}, {@code hub.users},
 * {@code hub.topics} (topics with local subscribers), {@code hub.broker.subscriptions} (topic
 * subscriptions held in the broker), {@code hub.broker.connected} (1 or 0) and
 * {@code hub.dispatch.queued} (tasks waiting in the dispatch lanes).
 *
 * @author wshub
 */
public class HubMeterBinder implements MeterBinder {

	private final LocalSessions sessions;

	private final LocalTopicRegistry registry;

	private final TopicBroker broker;

	private final DispatchLanes lanes;

	/**
	 * Create a binder.
	 * @param sessions this instance's sessions
	 * @param registry the local topic registry
	 * @param broker the broker
	 * @param lanes the dispatch lanes
	 */
	public HubMeterBinder(LocalSessions sessions, LocalTopicRegistry registry, TopicBroker broker,
			DispatchLanes lanes) {
		this.sessions = sessions;
		this.registry = registry;
		this.broker = broker;
		this.lanes = lanes;
	}

	@Override
	public void bindTo(MeterRegistry meterRegistry) {
		Gauge.builder("hub.sessions", this.sessions, LocalSessions::getSessionCount)
			.description("Open WebSocket sessions on this instance")
			.register(meterRegistry);
		Gauge.builder("hub.users", this.sessions, LocalSessions::getUserCount)
			.description("Distinct users with an open session on this instance")
			.register(meterRegistry);
		Gauge.builder("hub.topics", this.registry, LocalTopicRegistry::topicCount)
			.description("Topics with at least one local subscriber")
			.register(meterRegistry);
		Gauge.builder("hub.broker.subscriptions", this.broker, (broker) -> broker.subscribedTopics().size())
			.description("Topic subscriptions this instance holds in the broker (Redis channels)")
			.register(meterRegistry);
		Gauge.builder("hub.broker.connected", this.broker, (broker) -> broker.isConnected() ? 1 : 0)
			.description("Whether the broker is connected (1) or not (0)")
			.register(meterRegistry);
		Gauge.builder("hub.dispatch.queued", this.lanes, DispatchLanes::queuedTasks)
			.description("Deliveries and replies waiting in the dispatch lanes")
			.register(meterRegistry);
	}

}
