package io.github.wshub.autoconfigure;

import java.util.Map;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.HubTemplate;
import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.broker.HistorySettings;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.memory.InMemoryTopicBroker;
import io.github.wshub.protocol.FrameCodec;
import io.github.wshub.protocol.TopicNames;
import io.github.wshub.redis.RedisConnectionRegistry;
import io.github.wshub.redis.RedisTopicBroker;
import io.github.wshub.reactive.ReactiveHubHandshakeHandler;
import io.github.wshub.reactive.ReactiveHubUserResolver;
import io.github.wshub.reactive.ReactiveHubWebSocketHandler;
import io.github.wshub.registry.ConnectionRegistry;
import io.github.wshub.servlet.HubUserResolver;
import io.github.wshub.memory.InMemoryConnectionRegistry;
import io.github.wshub.security.PatternTopicAuthorizer;
import io.github.wshub.security.TopicAuthorizer;
import io.github.wshub.servlet.HubHandshakeInterceptor;
import io.github.wshub.servlet.HubWebSocketHandler;
import io.github.wshub.session.HubGracefulShutdown;
import io.github.wshub.session.HubProtocolHandler;
import io.github.wshub.session.LocalSessions;
import io.github.wshub.session.LocalTopicRegistry;
import io.github.wshub.session.QuietTopicCheck;
import io.github.wshub.session.SessionSettings;
import io.github.wshub.session.TargetedDelivery;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the wshub WebSocket hub: the endpoint
 * at {@code hub.path} (on Spring's servlet WebSocket support in a servlet web application, on
 * Spring WebFlux in a reactive one), the local sessions, the protocol handler, the local topic
 * registry, the topic broker (Redis by default, with classic or, on a Redis Cluster, sharded
 * Pub/Sub ({@code hub.redis.pubsub}); in memory with {@code hub.broker=memory}) and
 * {@link HubTemplate}.
 *
 * @author wshub
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@Conditional(HubAutoConfiguration.OnTransportCondition.class)
@ConditionalOnBooleanProperty(name = "hub.enabled", matchIfMissing = true)
@EnableConfigurationProperties(HubProperties.class)
public final class HubAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	FrameCodec hubFrameCodec(HubProperties properties) {
		HubProperties.Limits limits = properties.getLimits();
		return new FrameCodec(new TopicNames(limits.getMaxTopicLength()), limits.getMaxIdLength(),
				limits.getMaxNestingDepth());
	}

	@Bean
	@ConditionalOnMissingBean(TopicAuthorizer.class)
	PatternTopicAuthorizer hubTopicAuthorizer(HubProperties properties) {
		return new PatternTopicAuthorizer(properties.getTopics().getSubscribePatterns(),
				properties.getTopics().getPublishPatterns(), properties.getTopics().getUserTopicPattern());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	DispatchLanes hubDispatchLanes(HubProperties properties) {
		int lanes = properties.getDispatch().getLanes();
		return new DispatchLanes((lanes > 0) ? lanes : Runtime.getRuntime().availableProcessors(),
				properties.getDispatch().getQueueCapacity(), "hub-dispatch-");
	}

	@Bean
	@ConditionalOnMissingBean
	LocalTopicRegistry hubLocalTopicRegistry(TopicBroker broker, DispatchLanes lanes, HubProperties properties,
			ObjectProvider<HubInstrumentation> instrumentation) {
		LocalTopicRegistry registry = new LocalTopicRegistry(broker, lanes);
		registry.setInstrumentation(orNone(instrumentation));
		registry.setHistorySettings(historySettings(properties));
		return registry;
	}

	@Bean
	@ConditionalOnMissingBean
	QuietTopicCheck hubQuietTopicCheck(LocalTopicRegistry registry, HubProperties properties) {
		HubProperties.History history = properties.getHistory();
		return new QuietTopicCheck(registry, history.getQuietCheck(), !history.getTopics().isEmpty());
	}

	@Bean
	@ConditionalOnMissingBean
	LocalSessions hubLocalSessions(HubProperties properties, LocalTopicRegistry registry, DispatchLanes lanes,
			ConnectionRegistry connectionRegistry, ObjectProvider<HubInstrumentation> instrumentation) {
		HubProperties.Session session = properties.getSession();
		HubProperties.Limits limits = properties.getLimits();
		SessionSettings settings = SessionSettings.builder()
			.sendTimeLimit(session.getSendTimeLimit())
			.sendBufferSizeLimit((int) session.getSendBufferSizeLimit().toBytes())
			.maxTextMessageSize((int) limits.getMaxFrameSize().toBytes())
			.messageBufferSize((int) session.getMessageBufferSize().toBytes())
			.pingInterval(session.getPingInterval())
			.pongTimeout(session.getPongTimeout())
			.maxSessions(limits.getMaxSessions())
			.maxSessionsPerUser(limits.getMaxSessionsPerUser())
			.maxSubscriptionsPerSession(limits.getMaxSubscriptionsPerSession())
			.messageRate(limits.getMessageRate())
			.messageBurst(limits.getMessageBurst())
			.maxRateViolations(limits.getMaxRateViolations())
			.maxAnonymousSessionsPerAddress(limits.getMaxAnonymousSessionsPerAddress())
			.build();
		LocalSessions sessions = new LocalSessions(properties.getInstanceId(), settings, registry, lanes);
		sessions.setInstrumentation(orNone(instrumentation));
		sessions.setConnectionRegistry(connectionRegistry);
		return sessions;
	}

	@Bean
	@ConditionalOnMissingBean
	HubProtocolHandler hubProtocolHandler(FrameCodec codec, LocalSessions sessions, LocalTopicRegistry registry,
			TopicBroker broker, TopicAuthorizer authorizer, HubProperties properties,
			ObjectProvider<HubInstrumentation> instrumentation) {
		HubProtocolHandler protocol = new HubProtocolHandler(codec, sessions, registry, broker, authorizer);
		protocol.setInstrumentation(orNone(instrumentation));
		protocol.setHistorySettings(historySettings(properties));
		return protocol;
	}

	@Bean
	@ConditionalOnMissingBean
	TargetedDelivery hubTargetedDelivery(LocalSessions sessions, ConnectionRegistry connectionRegistry,
			TopicBroker broker, DispatchLanes lanes, HubProperties properties,
			ObjectProvider<HubInstrumentation> instrumentation) {
		TargetedDelivery delivery = new TargetedDelivery(sessions, connectionRegistry, broker, lanes,
				properties.getInstanceId());
		delivery.setInstrumentation(orNone(instrumentation));
		return delivery;
	}

	@Bean
	BrokerListenerWiring hubBrokerListenerWiring(TopicBroker broker, LocalTopicRegistry registry,
			TargetedDelivery delivery) {
		return new BrokerListenerWiring(broker, registry, delivery);
	}

	@Bean
	@ConditionalOnMissingBean
	HubGracefulShutdown hubGracefulShutdown(LocalSessions sessions, TopicBroker broker, DispatchLanes lanes,
			ApplicationEventPublisher eventPublisher, HubProperties properties) {
		// Readiness is Spring Boot's: load balancers stop sending new clients while sessions drain.
		Runnable refuseTraffic = () -> AvailabilityChangeEvent.publish(eventPublisher, sessions,
				ReadinessState.REFUSING_TRAFFIC);
		return new HubGracefulShutdown(sessions, broker, lanes, refuseTraffic,
				properties.getShutdown().getDrainPeriod(), properties.getShutdown().getTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	HubTemplate hubTemplate(TopicBroker broker, FrameCodec codec, HubProperties properties,
			TargetedDelivery targetedDelivery, ConnectionRegistry connectionRegistry,
			ObjectProvider<HubInstrumentation> instrumentation) {
		HubTemplate template = new HubTemplate(broker, codec, properties.getInstanceId(), targetedDelivery,
				connectionRegistry);
		template.setInstrumentation(orNone(instrumentation));
		return template;
	}

	private static HistorySettings historySettings(HubProperties properties) {
		HubProperties.History history = properties.getHistory();
		if (history.getTopics().isEmpty()) {
			return HistorySettings.NONE;
		}
		return new HistorySettings(history.getTopics(), history.getSize(), history.getTtl(), history.getMaxRecover());
	}

	private static HubInstrumentation orNone(ObjectProvider<HubInstrumentation> instrumentation) {
		return instrumentation.getIfAvailable(() -> HubInstrumentation.NONE);
	}

	/**
	 * The servlet transport: Spring's servlet WebSocket support serves the endpoint at
	 * {@code hub.path}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass({ WebSocketHandler.class, WebSocketHandlerMapping.class })
	static class ServletTransportConfiguration {

		@Bean
		@ConditionalOnMissingBean
		HubWebSocketHandler hubWebSocketHandler(HubProtocolHandler protocol, LocalSessions sessions) {
			return new HubWebSocketHandler(protocol, sessions.getSettings());
		}

		@Bean
		@ConditionalOnMissingBean(name = "hubWebSocketHandlerMapping")
		WebSocketHandlerMapping hubWebSocketHandlerMapping(HubProperties properties, HubWebSocketHandler handler,
				LocalSessions sessions, ObjectProvider<HubUserResolver> userResolver) {
			WebSocketHttpRequestHandler requestHandler = new WebSocketHttpRequestHandler(handler,
					new DefaultHandshakeHandler());
			OriginHandshakeInterceptor origins = new OriginHandshakeInterceptor(properties.getAllowedOrigins());
			origins.setAllowedOriginPatterns(properties.getAllowedOriginPatterns());
			requestHandler.getHandshakeInterceptors().add(origins);
			requestHandler.getHandshakeInterceptors()
				.add(new HubHandshakeInterceptor(sessions,
						userResolver.getIfAvailable(() -> HubUserResolver.PRINCIPAL),
						properties.getSecurity().isRequireUser()));
			WebSocketHandlerMapping mapping = new WebSocketHandlerMapping();
			mapping.setUrlMap(Map.of(properties.getPath(), requestHandler));
			mapping.setOrder(1);
			return mapping;
		}

	}

	/**
	 * The reactive transport: Spring WebFlux serves the endpoint at {@code hub.path}, on Reactor
	 * Netty.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.REACTIVE)
	@ConditionalOnClass({ org.springframework.web.reactive.socket.WebSocketHandler.class,
			HandshakeWebSocketService.class })
	static class ReactiveTransportConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ReactiveHubWebSocketHandler hubReactiveWebSocketHandler(HubProtocolHandler protocol, LocalSessions sessions) {
			return new ReactiveHubWebSocketHandler(protocol, sessions.getSettings());
		}

		@Bean
		@ConditionalOnMissingBean
		ReactiveHubHandshakeHandler hubReactiveHandshakeHandler(HubProperties properties,
				ReactiveHubWebSocketHandler handler, LocalSessions sessions,
				ObjectProvider<ReactiveHubUserResolver> userResolver) {
			ReactiveHubHandshakeHandler handshakeHandler = new ReactiveHubHandshakeHandler(handler, sessions,
					userResolver.getIfAvailable(() -> ReactiveHubUserResolver.PRINCIPAL),
					properties.getSecurity().isRequireUser());
			handshakeHandler.setAllowedOrigins(properties.getAllowedOrigins());
			handshakeHandler.setAllowedOriginPatterns(properties.getAllowedOriginPatterns());
			return handshakeHandler;
		}

		@Bean
		@ConditionalOnMissingBean(name = "hubWebSocketHandlerMapping")
		SimpleUrlHandlerMapping hubWebSocketHandlerMapping(HubProperties properties,
				ReactiveHubHandshakeHandler handshakeHandler) {
			return new SimpleUrlHandlerMapping(Map.of(properties.getPath(), handshakeHandler), 1);
		}

	}

	/**
	 * Matches where one of the transports can serve the endpoint: a servlet web application
	 * with Spring's servlet WebSocket support, or a reactive one with Spring WebFlux.
	 */
	static final class OnTransportCondition extends AnyNestedCondition {

		OnTransportCondition() {
			super(ConfigurationPhase.PARSE_CONFIGURATION);
		}

		@ConditionalOnWebApplication(type = Type.SERVLET)
		@ConditionalOnClass({ WebSocketHandler.class, WebSocketHandlerMapping.class })
		static final class Servlet {

		}

		@ConditionalOnWebApplication(type = Type.REACTIVE)
		@ConditionalOnClass({ org.springframework.web.reactive.socket.WebSocketHandler.class,
				HandshakeWebSocketService.class })
		static final class Reactive {

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.apache.catalina.connector.Connector",
			"org.springframework.boot.tomcat.TomcatConnectorCustomizer" })
	@ConditionalOnProperty(name = "hub.session.tomcat-socket-buffer-size")
	static class TomcatSocketBufferConfiguration {

		@Bean
		TomcatConnectorCustomizer hubTomcatSocketBufferCustomizer(HubProperties properties) {
			DataSize size = properties.getSession().getTomcatSocketBufferSize();
			Assert.state(size != null, "'hub.session.tomcat-socket-buffer-size' must be set");
			long bytes = size.toBytes();
			Assert.state(bytes >= 512 && bytes <= Integer.MAX_VALUE,
					"'hub.session.tomcat-socket-buffer-size' must be at least 512B");
			String value = Long.toString(bytes);
			return (connector) -> {
				connector.setProperty("socket.appReadBufSize", value);
				connector.setProperty("socket.appWriteBufSize", value);
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "hub.broker", havingValue = "memory")
	static class InMemoryBrokerConfiguration {

		@Bean
		@ConditionalOnMissingBean(TopicBroker.class)
		InMemoryTopicBroker hubTopicBroker(HubProperties properties) {
			InMemoryTopicBroker broker = new InMemoryTopicBroker(properties.getInstanceId());
			broker.setHistorySettings(historySettings(properties));
			return broker;
		}

		@Bean
		@ConditionalOnMissingBean(ConnectionRegistry.class)
		InMemoryConnectionRegistry hubConnectionRegistry(HubProperties properties) {
			return new InMemoryConnectionRegistry(properties.getInstanceId());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedisMessageListenerContainer.class)
	@ConditionalOnProperty(name = "hub.broker", havingValue = "redis", matchIfMissing = true)
	@ConditionalOnBean(RedisConnectionFactory.class)
	static class RedisBrokerConfiguration {

		/**
		 * Phase of the listener container: started before the broker and stopped after it.
		 */
		private static final int CONTAINER_PHASE = Integer.MAX_VALUE - 8192;

		@Bean(defaultCandidate = false)
		RedisMessageListenerContainer hubRedisMessageListenerContainer(RedisConnectionFactory connectionFactory) {
			RedisMessageListenerContainer container = new RedisMessageListenerContainer();
			container.setConnectionFactory(connectionFactory);
			// Messages are handed to the broker on the connection's thread, in Redis order; the
			// broker queues them to per-topic lanes without blocking.
			container.setTaskExecutor(new SyncTaskExecutor());
			container.setPhase(CONTAINER_PHASE);
			container.setBeanName("hubRedisMessageListenerContainer");
			return container;
		}

		@Bean
		@ConditionalOnMissingBean(TopicBroker.class)
		RedisTopicBroker hubTopicBroker(
				@Qualifier("hubRedisMessageListenerContainer") RedisMessageListenerContainer container,
				RedisConnectionFactory connectionFactory, HubProperties properties,
				ObjectProvider<HubInstrumentation> instrumentation) {
			HubProperties.Redis redis = properties.getRedis();
			RedisTopicBroker broker = RedisPubSubSelection.isSharded(redis.getPubsub(), connectionFactory)
					? RedisTopicBroker.sharded((LettuceConnectionFactory) connectionFactory, redis.getNamespace(),
							properties.getInstanceId(), redis.getUnsubscribeGrace(), redis.getSubscribeTimeout())
					: new RedisTopicBroker(container, connectionFactory, redis.getNamespace(), properties.getInstanceId(),
							redis.getUnsubscribeGrace(), redis.getSubscribeTimeout());
			broker.setPublishTimeout(redis.getPublishTimeout());
			broker.setProbeInterval(redis.getProbeInterval());
			broker.setProbeTimeout(redis.getProbeTimeout());
			broker.setResubscribeWait(redis.getResubscribeWait());
			broker.setHistorySettings(historySettings(properties));
			broker.setInstrumentation(orNone(instrumentation));
			return broker;
		}

		@Bean
		@ConditionalOnMissingBean(ConnectionRegistry.class)
		RedisConnectionRegistry hubConnectionRegistry(RedisConnectionFactory connectionFactory,
				HubProperties properties) {
			StringRedisTemplate template = new StringRedisTemplate(connectionFactory);
			template.afterPropertiesSet();
			return new RedisConnectionRegistry(template, properties.getRedis().getNamespace(), properties.getInstanceId(),
					properties.getRegistry().getHeartbeatInterval(), properties.getRegistry().getInstanceTtl());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "hub.broker", havingValue = "redis", matchIfMissing = true)
	@ConditionalOnMissingBean(type = { "io.github.wshub.broker.TopicBroker",
			"org.springframework.data.redis.connection.RedisConnectionFactory" })
	static class MissingBrokerConfiguration {

		@Bean
		TopicBroker hubTopicBroker() {
			throw new MissingBrokerException();
		}

	}

}
