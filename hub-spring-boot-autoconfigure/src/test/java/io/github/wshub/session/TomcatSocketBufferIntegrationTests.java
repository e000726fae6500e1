package io.github.wshub.session;

import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code hub.session.tomcat-socket-buffer-size} reaches the running Tomcat connector, and
 * messages several times larger than those buffers still travel whole in both directions.
 *
 * @author wshub
 */
class TomcatSocketBufferIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Test
	void smallSocketBuffersCarryLargerMessages() {
		try (Instance instance = TestHubApplication.start(redis, "hub.instance-id=small-buffers",
				"hub.session.tomcat-socket-buffer-size=1KB");
				HubTestClient subscriber = instance.connect(); HubTestClient publisher = instance.connect()) {
			TomcatWebServer server = (TomcatWebServer) ((WebServerApplicationContext) instance.context())
				.getWebServer();
			Connector connector = server.getTomcat().getConnector();
			assertThat(connector.getProperty("socket.appReadBufSize")).hasToString("1024");
			assertThat(connector.getProperty("socket.appWriteBufSize")).hasToString("1024");

			subscriber.subscribe("chat.large");
			String text = "x".repeat(20_000);
			publisher.publish("chat.large", "\"" + text + "\"");
			assertThat(subscriber.nextMessage().get("data").asString()).isEqualTo(text);
			instance.template().publish("chat.large", text + "!").join();
			assertThat(subscriber.nextMessage().get("data").asString()).isEqualTo(text + "!");
		}
	}

}
