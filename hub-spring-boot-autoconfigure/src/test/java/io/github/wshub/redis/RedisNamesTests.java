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
	void luaFunctionsNameTheRegistryKeys() {
		assertThat(RedisNames.LUA_FUNCTIONS).contains("return ns .. 'instances' end")
			.contains("return ns .. 'sessions' end")
			.contains("return ns .. 'user:' .. user end")
			.contains("return ns .. 'instance:' .. iid end")
			.contains("return instance_key(ns, iid) .. ':sessions' end");
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
