package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisNames}: the names documented in its javadoc and in
 * {@code docs/design.md}, byte for byte.
 *
 * @author wshub
 */
class RedisNamesTests {

	private final RedisNames names = new RedisNames("hub:");

	@Test
	void channels() {
		assertThat(this.names.topicChannel("chat.lobby")).isEqualTo("hub:topic:chat.lobby");
		assertThat(new String(this.names.topicChannelBytes("chat.\u00e9t\u00e9"), StandardCharsets.UTF_8))
			.isEqualTo("hub:topic:chat.\u00e9t\u00e9");
		assertThat(this.names.controlChannel("web-1-3fa9c2d1")).isEqualTo("hub:instance:web-1-3fa9c2d1");
	}

	@Test
	void topicOfChannel() {
		assertThat(this.names.topicOf(bytes("hub:topic:chat.\u00e9t\u00e9"))).isEqualTo("chat.\u00e9t\u00e9");
		assertThat(this.names.topicOf(bytes("hub:topic:"))).isEmpty();
		assertThat(this.names.topicOf(bytes("hub:instance:web-1"))).isNull();
		assertThat(this.names.topicOf(bytes("other:topic:chat"))).isNull();
		assertThat(this.names.topicOf(bytes("hub:top"))).isNull();
	}

	@Test
	void registryKeysOfAnInstanceShareItsHashTag() {
		assertThat(this.names.instancesKey()).isEqualTo("hub:instances");
		assertThat(this.names.sessionsKey()).isEqualTo("hub:sessions");
		assertThat(this.names.userKey("alice")).isEqualTo("hub:user:{alice}");
		assertThat(this.names.heartbeatKey("web-1")).isEqualTo("hub:instance:{web-1}");
		assertThat(this.names.instanceSessionsKey("web-1")).isEqualTo("hub:instance:{web-1}:sessions");
		assertThat(this.names.purgingKey("web-1")).isEqualTo("hub:instance:{web-1}:purging");
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
