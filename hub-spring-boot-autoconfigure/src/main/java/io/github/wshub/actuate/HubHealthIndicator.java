package io.github.wshub.actuate;

import io.github.wshub.broker.TopicBroker;
import io.github.wshub.session.LocalSessions;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the hub: {@code DOWN} when the broker is disconnected, {@code OUT_OF_SERVICE} while
 * the instance drains or is stopped, {@code UP} otherwise.
 *
 * @author wshub
 */
public class HubHealthIndicator extends AbstractHealthIndicator {

	private final LocalSessions sessions;

	private final TopicBroker broker;

	/**
	 * Create an indicator.
	 * @param sessions this instance's sessions
	 * @param broker the broker
	 */
	public HubHealthIndicator(LocalSessions sessions, TopicBroker broker) {
		super("Hub health check failed");
		this.sessions = sessions;
		this.broker = broker;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		LocalSessions.State state = this.sessions.getState();
		if (state == LocalSessions.State.DRAINING || state == LocalSessions.State.STOPPED) {
			builder.outOfService();
		}
		else if (!this.broker.isConnected()) {
			builder.down();
		}
		else {
			builder.up();
		}
		builder.withDetail("instance", this.sessions.getInstanceId())
			.withDetail("state", state.name().toLowerCase(java.util.Locale.ROOT))
			.withDetail("sessions", this.sessions.getSessionCount())
			.withDetail("brokerConnected", this.broker.isConnected());
		String problem = this.broker.getProblem();
		if (problem != null) {
			builder.withDetail("brokerProblem", problem);
		}
	}

}
