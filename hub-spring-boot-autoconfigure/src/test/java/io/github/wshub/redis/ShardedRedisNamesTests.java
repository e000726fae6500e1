package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the sharded Pub/Sub names of {@link RedisNames} and the history script that
 * publishes on them.
 *
 * @author wshub
 */
class ShardedRedisNamesTests {

	private final RedisNames names = new RedisNames("hub:", true);

	@Test
	void topicChannelsCarryTheTopicAsHashTag() {
		assertThat(this.names.isSharded()).isTrue();
		assertThat(this.names.topicChannel("chat.lobby")).isEqualTo("hub:topic:{chat.lobby}");
		assertThat(new String(this.names.topicChannelBytes("chat.\u00e9t\u00e9"), StandardCharsets.UTF_8))
			.isEqualTo("hub:topic:{chat.\u00e9t\u00e9}");
		assertThat(this.names.controlChannel("web-1")).isEqualTo("hub:instance:web-1");
	}

	@Test
	void topicOfShardedChannel() {
		assertThat(this.names.topicOf(bytes("hub:topic:{chat.\u00e9t\u00e9}"))).isEqualTo("chat.\u00e9t\u00e9");
		assertThat(this.names.topicOf(bytes("hub:topic:chat.lobby"))).isNull();
		assertThat(this.names.topicOf(bytes("hub:topic:{chat.lobby"))).isNull();
		assertThat(this.names.topicOf(bytes("hub:topic:{"))).isNull();
		assertThat(this.names.topicOf(bytes("hub:instance:web-1:probe:{0}"))).isNull();
	}

	@Test
	void topicChannelSharesTheSlotOfTheTopicsHistoryKeys() {
		for (String topic : new String[] { "chat.lobby", "a", "news.sports.eu", "user:alice" }) {
			int slot = SlotHash.getSlot(this.names.topicChannel(topic));
			assertThat(SlotHash.getSlot(this.names.historyKey(topic))).as(topic).isEqualTo(slot);
			assertThat(SlotHash.getSlot(this.names.historyMetaKey(topic))).as(topic).isEqualTo(slot);
		}
	}

	@Test
	void probeChannelsHashByTheirTag() {
		String channel = RedisNames.probeChannel("hub:instance:web-1", "7");
		assertThat(channel).isEqualTo("hub:instance:web-1:probe:{7}");
		assertThat(SlotHash.getSlot(channel)).isEqualTo(SlotHash.getSlot("7"));
	}

	@Test
	void shardedHistoryScriptPublishesWithSpublish() {
		assertThat(HistoryScripts.SPUBLISH.source()).contains("redis.call('SPUBLISH', ARGV[1]")
			.contains("local o = tostring(offset)")
			.doesNotContain("%");
		assertThat(HistoryScripts.PUBLISH.source()).contains("redis.call('PUBLISH', ARGV[1]");
		assertThat(HistoryScripts.SPUBLISH.sha1()).isNotEqualTo(HistoryScripts.PUBLISH.sha1());
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
