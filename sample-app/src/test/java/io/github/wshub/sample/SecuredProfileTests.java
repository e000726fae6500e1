package io.github.wshub.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The {@code secured} profile of the sample app: handshakes without a user are refused.
 *
 * @author wshub
 */
class SecuredProfileTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@Test
	void anonymousHandshakeIsRefusedAndALoggedInUserConnects() throws IOException {
		try (ConfigurableApplicationContext app = SampleApplication.application()
			.run("--spring.profiles.active=secured", "--server.port=0", "--server.address=127.0.0.1",
					"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
					"--sample.login.secret=0123456789abcdef0123456789abcdef")) {
			int port = ((WebServerApplicationContext) app).getWebServer().getPort();
			WebSocket.Listener listener = new WebSocket.Listener() {
			};
			assertThatExceptionOfType(CompletionException.class)
				.isThrownBy(() -> HTTP.newWebSocketBuilder()
					.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), listener)
					.join())
				.withStackTraceContaining("401");
			String token = app.getBean(LoginTokens.class).issue("grace");
			WebSocket socket = HTTP.newWebSocketBuilder()
				.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token), listener)
				.join();
			assertThat(socket.isInputClosed()).isFalse();
			socket.abort();
		}
	}

}
