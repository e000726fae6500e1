package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.github.wshub.broker.BrokerMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisEnvelope}.
 *
 * @author wshub
 */
class RedisEnvelopeTests {

	@Test
	void roundTrip() {
		byte[] frame = "{\"type\":\"message\",\"topic\":\"t\",\"data\":\"line1\\nline2 \u00e9\"}"
			.getBytes(StandardCharsets.UTF_8);
		BrokerMessage message = new BrokerMessage("t", frame, 1_764_000_000_123_456L, "host-1a2b");
		byte[] payload = RedisEnvelope.encode(message);
		assertThat(new String(payload, StandardCharsets.UTF_8)).startsWith("wshub1 1764000000123456 host-1a2b\n{");
		BrokerMessage decoded = RedisEnvelope.decode("t", payload);
		assertThat(decoded.frame()).isEqualTo(frame);
		assertThat(decoded.publishedAtMicros()).isEqualTo(1_764_000_000_123_456L);
		assertThat(decoded.origin()).isEqualTo("host-1a2b");
	}

	@Test
	void foreignPayloadsAreIgnored() {
		assertThat(RedisEnvelope.decode("t", "hello".getBytes(StandardCharsets.UTF_8))).isNull();
		assertThat(RedisEnvelope.decode("t", "wshub1 notanumber x\n{}".getBytes(StandardCharsets.UTF_8))).isNull();
		assertThat(RedisEnvelope.decode("t", "wshub1 123".getBytes(StandardCharsets.UTF_8))).isNull();
		assertThat(RedisEnvelope.decode("t", new byte[0])).isNull();
	}

	@Test
	void historyHeaderCarriesOffsetAndEpoch() {
		byte[] payload = "wshub1 17 host-1 42 5f0c2a9e\n{\"type\":\"message\",\"offset\":42}"
			.getBytes(StandardCharsets.UTF_8);
		BrokerMessage decoded = RedisEnvelope.decode("t", payload);
		assertThat(decoded.origin()).isEqualTo("host-1");
		assertThat(decoded.offset()).isEqualTo(42);
		assertThat(decoded.epoch()).isEqualTo("5f0c2a9e");
		assertThat(new String(decoded.frame(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"message\",\"offset\":42}");
		BrokerMessage plain = RedisEnvelope.decode("t", "wshub1 17 host-1\n{}".getBytes(StandardCharsets.UTF_8));
		assertThat(plain.offset()).isZero();
		assertThat(plain.epoch()).isNull();
		assertThat(RedisEnvelope.decode("t", "wshub1 17 host-1 x e\n{}".getBytes(StandardCharsets.UTF_8))).isNull();
		assertThat(RedisEnvelope.decode("t", "wshub1 17 host-1 4\n{}".getBytes(StandardCharsets.UTF_8))).isNull();
	}

}
