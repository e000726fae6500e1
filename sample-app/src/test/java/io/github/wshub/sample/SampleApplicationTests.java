package io.github.wshub.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.testsupport.RedisServer;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app as a user runs it: two instances sharing Redis exchange a chat message, and
 * with no Redis around it starts one for development.
 *
 * @author wshub
 */
class SampleApplicationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@Test
	void chatMessageCrossesInstances() throws Exception {
		try (ConfigurableApplicationContext a = start(redis.port()); ConfigurableApplicationContext b = start(redis.port())) {
			Client alice = new Client(port(a));
			Client bob = new Client(port(b));
			assertThat(alice.next()).contains("\"type\":\"welcome\"");
			assertThat(bob.next()).contains("\"type\":\"welcome\"");
			alice.send("{\"type\":\"subscribe\",\"topic\":\"chat.lobby\",\"id\":1}");
			assertThat(alice.next()).isEqualTo("{\"type\":\"ack\",\"id\":1}");
			bob.send("{\"type\":\"publish\",\"topic\":\"chat.lobby\",\"data\":{\"from\":\"bob\",\"text\":\"hi\"},\"id\":2}");
			// The sample keeps history for chat rooms: the ack and the message carry offset and epoch.
			String ack = bob.next();
			assertThat(ack).matches("\\{\"type\":\"ack\",\"id\":2,\"offset\":1,\"epoch\":\"[0-9a-z]+\"\\}");
			String epoch = ack.substring(ack.indexOf("\"epoch\":\"") + 9, ack.length() - 2);
			assertThat(alice.next()).isEqualTo("{\"type\":\"message\",\"topic\":\"chat.lobby\",\"data\":{\"from\":\"bob\",\"text\":\"hi\"},"
					+ "\"offset\":1,\"epoch\":\"" + epoch + "\"}");
			bob.send("{\"type\":\"publish\",\"topic\":\"admin.x\",\"data\":1,\"id\":3}");
			assertThat(bob.next()).contains("\"code\":\"forbidden\"");
			HttpResponse<String> page = HTTP.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(a) + "/")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.body()).contains("wshub chat");
		}
	}

	@Test
	void startsADevelopmentRedisWhenNoneAnswers() throws Exception {
		int port = RedisServer.freePort();
		try (ConfigurableApplicationContext app = start(port)) {
			Client client = new Client(port(app));
			client.next();
			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.dev\",\"id\":\"s\"}");
			assertThat(client.next()).isEqualTo("{\"type\":\"ack\",\"id\":\"s\"}");
			assertThat(pingRedis(port)).isTrue();
		}
		assertThat(pingRedis(port)).as("development Redis stopped with the app").isFalse();
	}

	private static boolean pingRedis(int port) {
		try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
			return true;
		}
		catch (java.io.IOException ex) {
			return false;
		}
	}

	static ConfigurableApplicationContext start(int redisPort) {
		return SampleApplication.application()
			.run("--server.port=0", "--server.address=127.0.0.1", "--spring.data.redis.host=127.0.0.1",
					"--spring.data.redis.port=" + redisPort);
	}

	static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	static final class Client implements WebSocket.Listener {

		private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();

		private final StringBuilder partial = new StringBuilder();

		private final WebSocket socket;

		Client(int port) {
			this(port, "");
		}

		Client(int port, String query) {
			this.socket = HTTP.newWebSocketBuilder()
				.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + query), this)
				.join();
		}

		void send(String text) {
			this.socket.sendText(text, true).join();
		}

		String next() throws InterruptedException {
			String frame = this.frames.poll(10, TimeUnit.SECONDS);
			assertThat(frame).as("a frame within 10s").isNotNull();
			return frame;
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				this.frames.add(this.partial.toString());
				this.partial.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

	}

}
