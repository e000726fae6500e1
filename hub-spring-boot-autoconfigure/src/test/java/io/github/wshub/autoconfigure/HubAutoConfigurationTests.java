package io.github.wshub.autoconfigure;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.HubTemplate;
import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.BrokerMessageListener;
import io.github.wshub.broker.ControlMessageListener;
import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.memory.InMemoryTopicBroker;
import io.github.wshub.protocol.FrameCodec;
import io.github.wshub.redis.RedisConnectionRegistry;
import io.github.wshub.redis.RedisTopicBroker;
import io.github.wshub.registry.ConnectionRegistry;
import io.github.wshub.memory.InMemoryConnectionRegistry;
import io.github.wshub.security.PatternTopicAuthorizer;
import io.github.wshub.security.SessionIdentity;
import io.github.wshub.security.TopicAuthorizer;
import io.github.wshub.servlet.HubHandshakeInterceptor;
import io.github.wshub.servlet.HubWebSocketHandler;
import io.github.wshub.session.HubProtocolHandler;
import io.github.wshub.session.LocalSessions;
import io.github.wshub.session.LocalTopicRegistry;
import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link HubAutoConfiguration}.
 *
 * @author wshub
 */
class HubAutoConfigurationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, HubAutoConfiguration.class));

	private WebApplicationContextRunner withRedis() {
		return this.contextRunner.withPropertyValues(redis.springProperties());
	}

	@Test
	void runShouldCreateHubBeansWithRedisBrokerByDefault() {
		withRedis().run((context) -> {
			assertThat(context).hasSingleBean(HubWebSocketHandler.class);
			assertThat(context).hasSingleBean(LocalSessions.class);
			assertThat(context).hasSingleBean(HubProtocolHandler.class);
			assertThat(context).hasSingleBean(LocalTopicRegistry.class);
			assertThat(context).hasSingleBean(HubTemplate.class);
			assertThat(context).hasSingleBean(FrameCodec.class);
			assertThat(context).hasSingleBean(DispatchLanes.class);
			assertThat(context).hasSingleBean(PatternTopicAuthorizer.class);
			assertThat(context).hasBean("hubWebSocketHandlerMapping");
			assertThat(context.getBean(ConnectionRegistry.class)).isInstanceOf(RedisConnectionRegistry.class);
			assertThat(context.getBean(TopicBroker.class)).isInstanceOf(RedisTopicBroker.class);
			assertThat(context).hasBean("hubRedisMessageListenerContainer");
			assertThat(context.getBean("hubRedisMessageListenerContainer"))
				.isInstanceOf(RedisMessageListenerContainer.class);
		});
	}

	@Test
	void tomcatSocketBuffersAreLeftAloneByDefault() {
		withRedis().run((context) -> assertThat(context).doesNotHaveBean(TomcatConnectorCustomizer.class));
	}

	@Test
	void tomcatSocketBuffersAreSizedWhenConfigured() {
		withRedis().withPropertyValues("hub.session.tomcat-socket-buffer-size=1KB").run((context) -> {
			assertThat(context).hasSingleBean(TomcatConnectorCustomizer.class);
			Connector connector = new Connector();
			context.getBean(TomcatConnectorCustomizer.class).customize(connector);
			assertThat(connector.getProperty("socket.appReadBufSize")).hasToString("1024");
			assertThat(connector.getProperty("socket.appWriteBufSize")).hasToString("1024");
		});
	}

	@Test
	void tomcatSocketBufferSizeBelowMinimumFails() {
		withRedis().withPropertyValues("hub.session.tomcat-socket-buffer-size=100B")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("'hub.session.tomcat-socket-buffer-size' must be at least 512B"));
	}

	@Test
	void tomcatSocketBufferCustomizerBacksOffWithoutTomcat() {
		withRedis().withPropertyValues("hub.session.tomcat-socket-buffer-size=1KB")
			.withClassLoader(new FilteredClassLoader("org.apache.catalina"))
			.run((context) -> assertThat(context).doesNotHaveBean("hubTomcatSocketBufferCustomizer"));
	}

	@Test
	void hubContainerIsNotADefaultCandidate() {
		withRedis().withUserConfiguration(UserContainerConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(RedisMessageListenerContainer.class))
				.isSameAs(context.getBean("userContainer"));
		});
	}

	@Test
	void memoryBrokerNeedsNoRedis() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.withPropertyValues("hub.broker=memory")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(TopicBroker.class)).isInstanceOf(InMemoryTopicBroker.class);
				assertThat(context.getBean(ConnectionRegistry.class)).isInstanceOf(InMemoryConnectionRegistry.class);
				assertThat(context).doesNotHaveBean("hubRedisMessageListenerContainer");
			});
	}

	@Test
	void redisBrokerWithoutRedisFailsWithAnExplanation() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().isInstanceOf(MissingBrokerException.class);
				org.springframework.boot.diagnostics.FailureAnalysis analysis = new MissingBrokerFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis.getAction()).contains("hub.broker=memory");
			});
	}

	@Test
	void autoConfigurationBacksOffWhenDisabled() {
		withRedis().withPropertyValues("hub.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(HubWebSocketHandler.class);
			assertThat(context).doesNotHaveBean(TopicBroker.class);
			assertThat(context).doesNotHaveBean(WebSocketHandlerMapping.class);
		});
	}

	@Test
	void autoConfigurationIsSkippedOutsideAServletWebApplication() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, HubAutoConfiguration.class))
			.withPropertyValues(redis.springProperties())
			.run((context) -> assertThat(context).doesNotHaveBean(HubWebSocketHandler.class));
	}

	@Test
	void autoConfigurationIsSkippedWithoutSpringWebSocket() {
		withRedis().withClassLoader(new FilteredClassLoader("org.springframework.web.socket"))
			.run((context) -> assertThat(context).doesNotHaveBean(HubWebSocketHandler.class));
	}

	@Test
	void userDefinedBrokerBacksOff() {
		withRedis().withUserConfiguration(UserBrokerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TopicBroker.class);
			assertThat(context.getBean(TopicBroker.class)).isInstanceOf(RecordingBroker.class);
			assertThat(((RecordingBroker) context.getBean(TopicBroker.class)).listener)
				.isSameAs(context.getBean(LocalTopicRegistry.class));
		});
	}

	@Test
	void userDefinedAuthorizerBacksOff() {
		withRedis().withUserConfiguration(UserAuthorizerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TopicAuthorizer.class);
			assertThat(context).doesNotHaveBean(PatternTopicAuthorizer.class);
		});
	}

	@Test
	void propertiesAreBound() {
		withRedis().withPropertyValues("hub.instance-id=node-7", "hub.redis.namespace=app1:")
			.run((context) -> {
				assertThat(context.getBean(HubTemplate.class).getInstanceId()).isEqualTo("node-7");
				assertThat(context.getBean(RedisTopicBroker.class).channelOf("chat")).isEqualTo("app1:topic:chat");
				assertThat(context.getBean(RedisTopicBroker.class).getControlChannel())
					.isEqualTo("app1:instance:node-7");
			});
	}

	@Test
	void anonymousSessionLimitPerAddressIsSixteenByDefault() {
		this.contextRunner.withPropertyValues("hub.broker=memory").run((context) -> {
			assertThat(context.getBean(HubProperties.class).getLimits().getMaxAnonymousSessionsPerAddress())
				.isEqualTo(16);
			HubWebSocketHandler handler = context.getBean(HubWebSocketHandler.class);
			LocalSessions sessions = context.getBean(LocalSessions.class);
			for (int i = 0; i < 15; i++) {
				handler.afterConnectionEstablished(anonymousSession("default-" + i, "198.51.100.7"));
			}
			assertThat(sessions.isAnonymousAddressFull("198.51.100.7")).isFalse();
			handler.afterConnectionEstablished(anonymousSession("default-15", "198.51.100.7"));
			assertThat(sessions.isAnonymousAddressFull("198.51.100.7")).isTrue();
		});
	}

	@Test
	void anonymousSessionLimitPerAddressIsAppliedToTheHandler() {
		this.contextRunner
			.withPropertyValues("hub.broker=memory", "hub.limits.max-anonymous-sessions-per-address=2")
			.run((context) -> {
				HubWebSocketHandler handler = context.getBean(HubWebSocketHandler.class);
				LocalSessions sessions = context.getBean(LocalSessions.class);
				handler.afterConnectionEstablished(anonymousSession("one", "198.51.100.7"));
				assertThat(sessions.isAnonymousAddressFull("198.51.100.7")).isFalse();
				handler.afterConnectionEstablished(anonymousSession("two", "198.51.100.7"));
				assertThat(sessions.isAnonymousAddressFull("198.51.100.7")).isTrue();
				assertThat(sessions.isAnonymousAddressFull("198.51.100.8")).isFalse();
			});
	}

	@Test
	void anonymousSessionLimitPerAddressMustBePositive() {
		this.contextRunner
			.withPropertyValues("hub.broker=memory", "hub.limits.max-anonymous-sessions-per-address=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("'maxAnonymousSessionsPerAddress' must be positive"));
	}

	@Test
	void historyIsOffByDefault() {
		withRedis().run((context) -> {
			HubProperties.History history = context.getBean(HubProperties.class).getHistory();
			assertThat(history.getTopics()).isEmpty();
			assertThat(history.getSize()).isEqualTo(100);
			assertThat(history.getTtl()).isEqualTo(Duration.ofMinutes(10));
			assertThat(history.getMaxRecover()).isEqualTo(1000);
			assertThat(context.getBean(TopicBroker.class).hasHistory("chat.lobby")).isFalse();
		});
	}

	@Test
	void historyTopicsAreAppliedToTheRedisBroker() {
		withRedis().withPropertyValues("hub.history.topics=chat.**,news.*", "hub.history.size=10",
				"hub.history.ttl=1m", "hub.history.max-recover=20")
			.run((context) -> {
				HubProperties.History history = context.getBean(HubProperties.class).getHistory();
				assertThat(history.getSize()).isEqualTo(10);
				assertThat(history.getTtl()).isEqualTo(Duration.ofMinutes(1));
				assertThat(history.getMaxRecover()).isEqualTo(20);
				TopicBroker broker = context.getBean(TopicBroker.class);
				assertThat(broker.hasHistory("chat.lobby.main")).isTrue();
				assertThat(broker.hasHistory("news.sport")).isTrue();
				assertThat(broker.hasHistory("news.sport.football")).isFalse();
				assertThat(broker.hasHistory("other")).isFalse();
			});
	}

	@Test
	void historySizeMustBePositive() {
		withRedis().withPropertyValues("hub.history.topics=chat.**", "hub.history.size=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("'size' must be positive"));
	}

	@Test
	void historyPatternsWithUserPlaceholderFail() {
		withRedis().withPropertyValues("hub.history.topics=user.{user}.**")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("must not contain '{'"));
	}

	private static WebSocketSession anonymousSession(String id, String address) {
		WebSocketSession session = mock(WebSocketSession.class);
		given(session.getId()).willReturn(id);
		given(session.getAttributes())
			.willReturn(new HashMap<>(Map.of(HubHandshakeInterceptor.ADDRESS_ATTRIBUTE, address)));
		return session;
	}

	@Configuration(proxyBeanMethods = false)
	static class UserContainerConfiguration {

		@Bean
		RedisMessageListenerContainer userContainer(
				org.springframework.data.redis.connection.RedisConnectionFactory connectionFactory) {
			RedisMessageListenerContainer container = new RedisMessageListenerContainer();
			container.setConnectionFactory(connectionFactory);
			return container;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserBrokerConfiguration {

		@Bean
		RecordingBroker myBroker() {
			return new RecordingBroker();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserAuthorizerConfiguration {

		@Bean
		TopicAuthorizer myAuthorizer() {
			return new TopicAuthorizer() {

				@Override
				public boolean canSubscribe(SessionIdentity session, String topic) {
					return true;
				}

				@Override
				public boolean canPublish(SessionIdentity session, String topic) {
					return true;
				}

			};
		}

	}

	static class RecordingBroker implements TopicBroker {

		BrokerMessageListener listener;

		@Override
		public void setMessageListener(BrokerMessageListener listener) {
			this.listener = listener;
		}

		@Override
		public CompletableFuture<Void> subscribe(String topic) {
			return CompletableFuture.completedFuture(null);
		}

		@Override
		public void unsubscribe(String topic) {
		}

		@Override
		public CompletableFuture<Void> publish(BrokerMessage message) {
			return CompletableFuture.completedFuture(null);
		}

		@Override
		public void setControlMessageListener(ControlMessageListener listener) {
		}

		@Override
		public CompletableFuture<Boolean> sendToInstance(String instanceId, byte[] payload) {
			return CompletableFuture.completedFuture(false);
		}

		@Override
		public CompletableFuture<Void> roundTrip() {
			return CompletableFuture.completedFuture(null);
		}

		@Override
		public Set<String> subscribedTopics() {
			return Set.of();
		}

		@Override
		public boolean isConnected() {
			return true;
		}

	}

}
