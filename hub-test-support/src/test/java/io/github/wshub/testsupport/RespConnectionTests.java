package io.github.wshub.testsupport;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link RespConnection}'s encoding and decoding.
 *
 * @author wshub
 */
class RespConnectionTests {

	@Test
	void encodesCommandsAsBulkStringArrays() {
		assertThat(new String(RespConnection.encode("CONFIG", "RESETSTAT"), StandardCharsets.US_ASCII))
			.isEqualTo("*2\r\n$6\r\nCONFIG\r\n$9\r\nRESETSTAT\r\n");
	}

	@Test
	void decodesEveryReplyType() throws Exception {
		assertThat(RespConnection.read(stream("+OK\r\n"))).isEqualTo("OK");
		assertThat(RespConnection.read(stream(":42\r\n"))).isEqualTo(42L);
		assertThat(RespConnection.read(stream("$5\r\nhello\r\n"))).isEqualTo("hello");
		assertThat(RespConnection.read(stream("$-1\r\n"))).isNull();
		assertThat(RespConnection.read(stream("*2\r\n:1\r\n$1\r\na\r\n"))).isEqualTo(List.of(1L, "a"));
		assertThatExceptionOfType(RedisServerException.class)
			.isThrownBy(() -> RespConnection.read(stream("-ERR nope\r\n")))
			.withMessage("ERR nope");
	}

	private static ByteArrayInputStream stream(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
	}

}
