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

}
