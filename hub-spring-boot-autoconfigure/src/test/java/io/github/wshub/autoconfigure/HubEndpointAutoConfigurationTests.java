package io.github.wshub.autoconfigure;

import org.junit.jupiter.api.Test;

import io.github.wshub.actuate.HubEndpoint;
import io.github.wshub.actuate.HubHealthIndicator;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HubEndpointAutoConfiguration} and {@link HubHealthContributorAutoConfiguration}.
 *
 * @author wshub
 */
class HubEndpointAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withPropertyValues("hub.broker=memory")
		.withConfiguration(AutoConfigurations.of(HubAutoConfiguration.class, HubEndpointAutoConfiguration.class,
				HubHealthContributorAutoConfiguration.class, EndpointAutoConfiguration.class,
				HealthContributorAutoConfiguration.class));

	@Test
	void runShouldHaveEndpointBean() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=hub")
			.run((context) -> assertThat(context).hasSingleBean(HubEndpoint.class));
	}

	@Test
	void runWhenNotExposedShouldNotHaveEndpointBean() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(HubEndpoint.class));
	}

	@Test
	void runWhenAccessIsNoneShouldNotHaveEndpointBean() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=hub", "management.endpoint.hub.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(HubEndpoint.class));
	}

	@Test
	void runWhenHubIsDisabledShouldNotHaveEndpointBean() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=hub", "hub.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(HubEndpoint.class));
	}

	@Test
	void runShouldHaveHealthIndicator() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(HubHealthIndicator.class));
	}

	@Test
	void runWhenHealthIndicatorIsDisabledShouldNotHaveIt() {
		this.contextRunner.withPropertyValues("management.health.hub.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(HubHealthIndicator.class));
	}

}
