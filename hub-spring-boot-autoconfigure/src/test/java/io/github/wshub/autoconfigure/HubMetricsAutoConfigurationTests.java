package io.github.wshub.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.metrics.HubMeterBinder;
import io.github.wshub.metrics.MicrometerHubInstrumentation;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HubMetricsAutoConfiguration}.
 *
 * @author wshub
 */
class HubMetricsAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withPropertyValues("hub.broker=memory")
		.withConfiguration(AutoConfigurations.of(HubAutoConfiguration.class, HubMetricsAutoConfiguration.class));

	@Test
	void runShouldRegisterHubMeters() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(MicrometerHubInstrumentation.class);
				assertThat(context).hasSingleBean(HubMeterBinder.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.find("hub.sessions").gauge()).isNotNull();
				assertThat(registry.find("hub.topics").gauge()).isNotNull();
				assertThat(registry.find("hub.messages.published").tag("source", "client").counter()).isNotNull();
				assertThat(registry.find("hub.delivery.latency").timer()).isNotNull();
			});
	}

	@Test
	void metricsBackOffWithoutAMeterRegistry() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(HubInstrumentation.class);
			assertThat(context).doesNotHaveBean(HubMeterBinder.class);
		});
	}

	@Test
	void userDefinedInstrumentationBacksOff() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.withUserConfiguration(UserInstrumentationConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(HubInstrumentation.class);
				assertThat(context).doesNotHaveBean(MicrometerHubInstrumentation.class);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserInstrumentationConfiguration {

		@Bean
		HubInstrumentation myInstrumentation() {
			return new HubInstrumentation() {
			};
		}

	}

}
