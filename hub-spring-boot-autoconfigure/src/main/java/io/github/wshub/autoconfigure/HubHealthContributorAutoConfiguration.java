package io.github.wshub.autoconfigure;

import io.github.wshub.actuate.HubHealthIndicator;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.session.LocalSessions;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the hub's health indicator, reported
 * as {@code hub}.
 *
 * @author wshub
 */
@AutoConfiguration(after = HubAutoConfiguration.class)
@ConditionalOnClass({ AbstractHealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(LocalSessions.class)
@ConditionalOnEnabledHealthIndicator("hub")
public final class HubHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "hubHealthIndicator")
	HubHealthIndicator hubHealthIndicator(LocalSessions sessions, TopicBroker broker) {
		return new HubHealthIndicator(sessions, broker);
	}

}
