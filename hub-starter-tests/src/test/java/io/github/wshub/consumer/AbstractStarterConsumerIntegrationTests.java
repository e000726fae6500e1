package io.github.wshub.consumer;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.github.wshub.HubTemplate;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that depends on one of the starters alone, started as a user starts it, on a
 * private Redis: the starter brings a working hub on its web stack. Subclasses name the
 * application and the web server the starter must bring.
 *
 * @author wshub
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AbstractStarterConsumerIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private ConfigurableApplicationContext context;

	/**
	 * Return the application, a {@code @SpringBootApplication} with nothing but a
	 * {@code main} method, in a module whose only compile dependency is the starter.
	 * @return the application class
	 */
	protected abstract Class<?> applicationClass();

	/**
	 * Return the web server the starter must bring.
	 * @return the web server's type
	 */
	protected abstract Class<? extends WebServer> webServerType();

	@BeforeAll
	void start() {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
				"--spring.main.banner-mode=off"));
		for (String property : redis.springProperties()) {
			args.add("--" + property);
		}
		this.context = SpringApplication.run(applicationClass(), args.toArray(new String[0]));
	}

	@AfterAll
	void stop() {
		this.context.close();
	}

	@Test
	void starterBringsWebSocketRedisJacksonAndTheHub() {
		// The test scope adds no web server, Redis client, Jackson 3 or hub: all of these come
		// from the starter's dependencies, so an empty starter fails here (or does not compile).
		assertThat(((WebServerApplicationContext) this.context).getWebServer()).isInstanceOf(webServerType());
		assertThat(this.context.getBean(RedisConnectionFactory.class)).isInstanceOf(LettuceConnectionFactory.class);
		assertThat(this.context.getBeanNamesForType(JsonMapper.class)).isNotEmpty();
		assertThat(this.context.getBeanNamesForType(HubTemplate.class)).isNotEmpty();
	}

	@Test
	void clientPublishReachesASubscriberThroughRedis() {
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		try (HubClient client = HubClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"))) {
			JsonNode welcome = client.next();
			assertThat(type(welcome)).isEqualTo("welcome");
			assertThat(welcome.get("protocol").asInt()).isEqualTo(1);

			client.send("{\"type\":\"subscribe\",\"topic\":\"chat.starter\",\"id\":\"s\"}");
			assertAck(client.next(), "s");
			// Acknowledged once Redis confirmed the subscription: the hub holds the topic's channel.
			assertThat(redis.pubsubNumsub("hub:topic:chat.starter")).containsEntry("hub:topic:chat.starter", 1L);

			client.send("{\"type\":\"publish\",\"topic\":\"chat.starter\",\"data\":{\"text\":\"hello\"},\"id\":\"p\"}");
			// The protocol lets the message arrive before or after the publish's ack.
			List<JsonNode> frames = List.of(client.next(), client.next());
			assertThat(frames).extracting(AbstractStarterConsumerIntegrationTests::type)
				.containsExactlyInAnyOrder("ack", "message");
			assertAck(ofType(frames, "ack"), "p");
			JsonNode message = ofType(frames, "message");
			assertThat(message.get("topic").asString()).isEqualTo("chat.starter");
			assertThat(message.get("data").get("text").asString()).isEqualTo("hello");
		}
	}

	private static void assertAck(JsonNode frame, String id) {
		assertThat(type(frame)).as("%s", frame).isEqualTo("ack");
		assertThat(frame.get("id").asString()).isEqualTo(id);
	}

	private static JsonNode ofType(List<JsonNode> frames, String type) {
		return frames.stream().filter((frame) -> type(frame).equals(type)).findFirst().orElseThrow();
	}

	private static String type(JsonNode frame) {
		return frame.get("type").asString();
	}

}
