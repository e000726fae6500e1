package io.github.wshub.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.metrics.HubMeterBinder;
import io.github.wshub.metrics.MicrometerHubInstrumentation;
import io.github.wshub.session.LocalSessions;
import io.github.wshub.session.LocalTopicRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the hub's Micrometer metrics. Backs off
 * without a {@link MeterRegistry}.
 *
 * @author wshub
 */
@AutoConfiguration(after = HubAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, LocalSessions.class })
public final class HubMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(HubInstrumentation.class)
	MicrometerHubInstrumentation hubInstrumentation(MeterRegistry meterRegistry) {
		return new MicrometerHubInstrumentation(meterRegistry);
	}

	@Bean
	@ConditionalOnMissingBean
	HubMeterBinder hubMeterBinder(LocalSessions sessions, LocalTopicRegistry registry, TopicBroker broker,
			DispatchLanes lanes) {
		return new HubMeterBinder(sessions, registry, broker, lanes);
	}

}
