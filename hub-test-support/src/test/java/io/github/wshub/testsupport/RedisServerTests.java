package io.github.wshub.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link RedisServer}.
 *
 * @author wshub
 */
class RedisServerTests {

	@Test
	void startExecuteKillAndRestartOnSamePort() {
		try (RedisServer server = RedisServer.start()) {
			int port = server.port();
			assertThat(server.execute("SET", "k", "v")).isEqualTo("OK");
			assertThat(server.execute("GET", "k")).isEqualTo("v");
			assertThat(server.execute("INCR", "n")).isEqualTo(1L);
			server.kill();
			assertThat(server.isRunning()).isFalse();
			assertThatThrownBy(() -> server.execute("PING")).isInstanceOf(RuntimeException.class);
			server.restart();
			assertThat(server.port()).isEqualTo(port);
			assertThat(server.execute("GET", "k")).as("nothing persisted").isNull();
		}
	}

	@Test
	void errorReplyIsAnException() {
		try (RedisServer server = RedisServer.start()) {
			assertThatThrownBy(() -> server.execute("NOSUCHCOMMAND")).isInstanceOf(RedisServerException.class);
		}
	}

	@Test
	void bundledBinaryRunsWhenNoneIsOnPath() throws Exception {
		java.nio.file.Path binary = RedisServer.extractBundledBinary();
		Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).isZero();
		assertThat(output).contains("Redis server v=");
	}

}
