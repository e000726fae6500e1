package io.github.wshub.autoconfigure;

import io.github.wshub.HubTemplate;
import io.github.wshub.actuate.HubEndpoint;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.registry.ConnectionRegistry;
import io.github.wshub.session.LocalSessions;
import io.github.wshub.session.LocalTopicRegistry;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@link HubEndpoint hub endpoint}.
 *
 * @author wshub
 */
@AutoConfiguration(after = HubAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnAvailableEndpoint(HubEndpoint.class)
@ConditionalOnBean(LocalSessions.class)
public final class HubEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HubEndpoint hubEndpoint(LocalSessions sessions, LocalTopicRegistry registry, TopicBroker broker,
			ConnectionRegistry connections, HubTemplate template) {
		return new HubEndpoint(sessions, registry, broker, connections, template);
	}

}
