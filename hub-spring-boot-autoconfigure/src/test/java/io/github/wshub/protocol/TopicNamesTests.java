package io.github.wshub.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TopicNames}.
 *
 * @author wshub
 */
class TopicNamesTests {

	private final TopicNames names = new TopicNames(32);

	@Test
	void validTopics() {
		assertThat(this.names.isValid("chat")).isTrue();
		assertThat(this.names.isValid("chat.room-1.sub_2")).isTrue();
		assertThat(this.names.isValid("user.alice@example:inbox")).isTrue();
	}

	@Test
	void invalidTopics() {
		assertThat(this.names.problem("")).contains("empty");
		assertThat(this.names.problem(".chat")).contains("empty segments");
		assertThat(this.names.problem("chat.")).contains("empty segments");
		assertThat(this.names.problem("chat..room")).contains("empty segments");
		assertThat(this.names.problem("chat.*")).contains("only contain");
		assertThat(this.names.problem("chat room")).contains("only contain");
		assertThat(this.names.problem("caf\u00e9")).contains("only contain");
		assertThat(this.names.problem("x".repeat(33))).contains("at most 32");
	}

	@Test
	void shouldReconnectFollowsTheDocumentedRanges() {
		assertThat(HubCloseStatus.shouldReconnect(HubCloseStatus.SHUTDOWN.code())).isTrue();
		assertThat(HubCloseStatus.shouldReconnect(HubCloseStatus.SLOW_CONSUMER.code())).isTrue();
		assertThat(HubCloseStatus.shouldReconnect(HubCloseStatus.PING_TIMEOUT.code())).isTrue();
		assertThat(HubCloseStatus.shouldReconnect(1006)).isTrue();
		assertThat(HubCloseStatus.shouldReconnect(HubCloseStatus.DISCONNECTED.code())).isFalse();
		assertThat(HubCloseStatus.shouldReconnect(HubCloseStatus.POLICY_VIOLATION.code())).isFalse();
		assertThat(HubCloseStatus.shouldReconnect(1009)).isFalse();
		assertThat(HubCloseStatus.shouldReconnect(1000)).isFalse();
	}

}
