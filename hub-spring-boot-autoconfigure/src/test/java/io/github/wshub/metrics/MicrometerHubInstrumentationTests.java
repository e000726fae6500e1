package io.github.wshub.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.github.wshub.protocol.HubCloseStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the history meters of {@link MicrometerHubInstrumentation}.
 *
 * @author wshub
 */
class MicrometerHubInstrumentationTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final MicrometerHubInstrumentation instrumentation = new MicrometerHubInstrumentation(this.registry);

	@Test
	void historyMetersAppearOnlyWithTheirFirstEvent() {
		assertThat(this.registry.find("hub.recoveries").counters()).isEmpty();
		assertThat(this.registry.find("hub.history.gaps").counters()).isEmpty();
	}

	@Test
	void recoveriesAreCountedByResult() {
		this.instrumentation.recoveryAnswered(true);
		this.instrumentation.recoveryAnswered(true);
		this.instrumentation.recoveryAnswered(false);
		assertThat(this.registry.get("hub.recoveries").tag("result", "recovered").counter().count()).isEqualTo(2);
		assertThat(this.registry.get("hub.recoveries").tag("result", "not_recovered").counter().count()).isEqualTo(1);
	}

	@Test
	void historyGapsAreCountedByResult() {
		this.instrumentation.historyGap(true);
		this.instrumentation.historyGap(false);
		assertThat(this.registry.get("hub.history.gaps").tag("result", "repaired").counter().count()).isEqualTo(1);
		assertThat(this.registry.get("hub.history.gaps").tag("result", "state_lost").counter().count()).isEqualTo(1);
	}

	@Test
	void stateLostClosesHaveTheirOwnReason() {
		this.instrumentation.sessionClosed(HubCloseStatus.STATE_LOST);
		assertThat(this.registry.get("hub.sessions.closed").tag("code", "4005").tag("reason", "state_lost").counter()
			.count()).isEqualTo(1);
	}

}
