package io.github.wshub.actuate;

import io.github.wshub.broker.TopicBroker;
import io.github.wshub.session.HubWebSocketHandler;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the hub: {@code DOWN} when the broker is disconnected, {@code OUT_OF_SERVICE} while
 * the instance drains or is stopped, {@code UP} otherwise.
 *
 * @author wshub
 */
public class HubHealthIndicator extends AbstractHealthIndicator {

	private final HubWebSocketHandler handler;

	private final TopicBroker broker;

	/**
	 * Create an indicator.
	 * @param handler the handler
	 * @param broker the broker
	 */
	public HubHealthIndicator(HubWebSocketHandler handler, TopicBroker broker) {
		super("Hub health check failed");
		this.handler = handler;
		this.broker = broker;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		HubWebSocketHandler.State state = this.handler.getState();
		if (state == HubWebSocketHandler.State.DRAINING || state == HubWebSocketHandler.State.STOPPED) {
			builder.outOfService();
		}
		else if (!this.broker.isConnected()) {
			builder.down();
		}
		else {
			builder.up();
		}
		builder.withDetail("instance", this.handler.getInstanceId())
			.withDetail("state", state.name().toLowerCase(java.util.Locale.ROOT))
			.withDetail("sessions", this.handler.getSessionCount())
			.withDetail("brokerConnected", this.broker.isConnected());
		String problem = this.broker.getProblem();
		if (problem != null) {
			builder.withDetail("brokerProblem", problem);
		}
	}

}
