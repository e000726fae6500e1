package io.github.wshub.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.session.LocalTopicRegistry;
import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that declares its own beans in place of the auto-configured ones keeps a
 * working hub: the broker is wired to whichever beans exist, in one named step.
 *
 * @author wshub
 */
class ReplacedBeansIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Test
	void applicationsOwnTopicRegistryStillDelivers() {
		try (Instance a = TestHubApplication.start(redis, "test.own-topic-registry=true", "hub.instance-id=own-a");
				Instance b = TestHubApplication.start(redis, "test.own-topic-registry=true", "hub.instance-id=own-b");
				HubTestClient onA = a.connect(); HubTestClient onB = b.connect()) {
			assertThat(a.context().getBeanNamesForType(LocalTopicRegistry.class)).containsExactly("ownTopicRegistry");
			onA.subscribe("chat.own");
			onB.subscribe("chat.own");
			onB.publish("chat.own", "\"hello\"");
			assertThat(onA.nextMessage().get("data").asString()).isEqualTo("hello");
			assertThat(onB.nextMessage().get("data").asString()).isEqualTo("hello");
		}
	}

}
