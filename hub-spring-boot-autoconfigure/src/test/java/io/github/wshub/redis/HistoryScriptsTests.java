package io.github.wshub.redis;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.testsupport.RedisServer;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HistoryScripts#PUBLISH} on a real Redis: the keys' TTLs, and that the meta
 * hash, renewed only when needed, always outlives the stream.
 *
 * @author wshub
 */
class HistoryScriptsTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final long HISTORY_TTL_MILLIS = 600_000;

	private static final long META_TTL_SECONDS = RedisTopicHistory.metaTtl(Duration.ofMillis(HISTORY_TTL_MILLIS))
		.toSeconds();

	private static final String STREAM = "hub:history:{renewal}";

	private static final String META = "hub:history-meta:{renewal}";

	@BeforeEach
	void deleteTheTopicsKeys() {
		server().execute("DEL", STREAM, META);
	}

	@Test
	void firstPublishCreatesTheMetaWithItsTtlAndTheStreamWithTheHistoryTtl() {
		List<?> reply = publish();
		assertThat(reply.get(0)).isEqualTo(1L);
		assertThat(reply.get(1)).isEqualTo("00000000000000aa");
		assertThat(ttl(META)).isBetween(META_TTL_SECONDS - 5, META_TTL_SECONDS);
		assertThat(pttl(STREAM)).isBetween(HISTORY_TTL_MILLIS - 5_000, HISTORY_TTL_MILLIS);
	}

	@Test
	void metaTtlIsRenewedOnEveryRenewalIntervalOfOffsetsOnly() {
		publish();
		server().execute("EXPIRE", META, "1000");
		long renewal = HistoryScripts.META_RENEWAL;
		for (long offset = 2; offset < renewal; offset++) {
			assertThat(publish().get(0)).isEqualTo(offset);
			assertThat(ttl(META)).isLessThanOrEqualTo(1000);
			assertThat(pttl(STREAM)).isGreaterThan(HISTORY_TTL_MILLIS - 5_000);
		}
		assertThat(publish().get(0)).isEqualTo(renewal);
		assertThat(ttl(META)).isGreaterThan(META_TTL_SECONDS - 5);
	}

	@Test
	void metaTtlIsRenewedWhenTheStreamWasGone() {
		publish();
		server().execute("EXPIRE", META, "1000");
		server().execute("DEL", STREAM);
		List<?> reply = publish();
		assertThat(reply.get(0)).isEqualTo(2L);
		assertThat(reply.get(1)).isEqualTo("00000000000000aa");
		assertThat(ttl(META)).isGreaterThan(META_TTL_SECONDS - 5);
		assertThat(pttl(STREAM)).isBetween(HISTORY_TTL_MILLIS - 5_000, HISTORY_TTL_MILLIS);
		assertThat(server().execute("XLEN", STREAM)).isEqualTo(1L);
	}

	@Test
	void metaTtlCoversEveryStreamLifetimeBetweenTwoRenewals() {
		assertThat(RedisTopicHistory.metaTtl(Duration.ofMinutes(10))).isEqualTo(RedisTopicHistory.META_TTL);
		Duration day = Duration.ofDays(1);
		assertThat(RedisTopicHistory.metaTtl(day)).isEqualTo(day.multipliedBy(2L * HistoryScripts.META_RENEWAL));
		assertThat(RedisTopicHistory.metaTtl(day)).isGreaterThan(day.multipliedBy(HistoryScripts.META_RENEWAL));
	}

	private static List<?> publish() {
		return (List<?>) server().execute("EVAL", HistoryScripts.PUBLISH.source(), "2", STREAM, META,
				"hub:topic:{renewal}", "T renewal", "{\"type\":\"message\",\"topic\":\"renewal\",\"data\":1}", "100",
				Long.toString(HISTORY_TTL_MILLIS), Long.toString(META_TTL_SECONDS), "00000000000000aa");
	}

	private static long ttl(String key) {
		return (Long) server().execute("TTL", key);
	}

	private static long pttl(String key) {
		return (Long) server().execute("PTTL", key);
	}

	private static RedisServer server() {
		return redis.server();
	}

}
