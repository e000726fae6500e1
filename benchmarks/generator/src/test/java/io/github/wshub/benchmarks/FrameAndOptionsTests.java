package io.github.wshub.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ServerFrame} and {@link Options}.
 *
 * @author wshub
 */
class FrameAndOptionsTests {

	@Test
	void messageFramesAreScannedWithoutJackson() {
		ServerFrame frame = new ServerFrame();
		assertThat(frame.parse("{\"type\":\"message\",\"topic\":\"bench.t12\",\"data\":{\"p\":3,\"s\":41,\"t\":987654321,\"x\":\"xx\"}}"))
			.isEqualTo(ServerFrame.Kind.MESSAGE);
		assertThat(frame.topic()).isEqualTo(12);
		assertThat(frame.publisher()).isEqualTo(3);
		assertThat(frame.seq()).isEqualTo(41);
		assertThat(frame.sentNanos()).isEqualTo(987654321L);
	}

	@Test
	void otherFramesGoThroughJackson() {
		ServerFrame frame = new ServerFrame();
		assertThat(frame.parse("{\"type\":\"ack\",\"id\":17}")).isEqualTo(ServerFrame.Kind.ACK);
		assertThat(frame.id()).isEqualTo(17);
		assertThat(frame.parse("{\"type\":\"error\",\"id\":2,\"code\":\"forbidden\",\"message\":\"no\"}"))
			.isEqualTo(ServerFrame.Kind.ERROR);
		assertThat(frame.code()).isEqualTo("forbidden");
		assertThat(frame.id()).isEqualTo(2);
		assertThat(frame.parse("{\"type\":\"welcome\",\"session\":\"s-1\",\"instance\":\"a\",\"protocol\":1}"))
			.isEqualTo(ServerFrame.Kind.WELCOME);
		assertThat(frame.session()).isEqualTo("s-1");
		assertThat(frame.parse("{\"type\":\"ack\",\"id\":\"text\"}")).isEqualTo(ServerFrame.Kind.ACK);
		assertThat(frame.parse("{\"topic\":\"bench.t1\",\"type\":\"message\",\"data\":{\"s\":2,\"p\":1,\"t\":5}}"))
			.isEqualTo(ServerFrame.Kind.MESSAGE);
		assertThat(frame.topic()).isEqualTo(1);
		assertThat(frame.seq()).isEqualTo(2);
		assertThat(frame.parse("not json")).isEqualTo(ServerFrame.Kind.OTHER);
	}

	@Test
	void optionsParseAndOnlyAllowLoopback() {
		Options options = Options.parse("fanout", "--urls", "ws://127.0.0.1:8080/ws,ws://127.0.0.1:8081/ws",
				"--server-pids", "10,11", "--rate=500");
		assertThat(options.urls()).hasSize(2);
		assertThat(options.serverPids()).containsExactly(10L, 11L);
		assertThat(options.number("rate", 0)).isEqualTo(500);
		assertThat(options.integer("topics", 100)).isEqualTo(100);
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("fanout", "--urls", "ws://10.1.2.3:80/ws"));
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("nope"));
		assertThatIllegalArgumentException().isThrownBy(() -> Options.parse("idle", "--bogus", "1"));
	}

}
