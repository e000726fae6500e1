package io.github.wshub.sample;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The sample's development login: the token signer, the {@link TokenUserResolver} that makes
 * wshub sessions belong to the logged-in user, and CORS for {@code /api/**} so that a page
 * served by one instance can call another after a failover: the same rules on Spring MVC and on
 * Spring WebFlux, whichever the application runs on.
 *
 * @author wshub
 */
@Configuration(proxyBeanMethods = false)
class LoginConfiguration {

	private static final Log logger = LogFactory.getLog(LoginConfiguration.class);

	private static final String API_PATTERN = "/api/**";

	@Bean
	LoginTokens loginTokens(SampleProperties properties) {
		String secret = properties.getLogin().getSecret();
		if (!StringUtils.hasText(secret)) {
			logger.info("sample.login.secret is not set: this instance signs login tokens with a random secret, "
					+ "so other instances will not accept them. Give every instance the same secret "
					+ "(SAMPLE_LOGIN_SECRET) to keep users logged in across a failover.");
			byte[] random = new byte[32];
			new SecureRandom().nextBytes(random);
			return new LoginTokens(random);
		}
		byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
		if (bytes.length < LoginTokens.MIN_SECRET_LENGTH) {
			throw new IllegalStateException(
					"sample.login.secret must be at least " + LoginTokens.MIN_SECRET_LENGTH + " bytes long");
		}
		return new LoginTokens(bytes);
	}

	@Bean
	TokenUserResolver tokenUserResolver(LoginTokens loginTokens) {
		return new TokenUserResolver(loginTokens);
	}

	/**
	 * CORS of the {@code /api/**} endpoints, on either stack.
	 * @param properties the sample's properties
	 * @return the configuration
	 */
	static CorsConfiguration apiCors(SampleProperties properties) {
		CorsConfiguration cors = new CorsConfiguration();
		cors.setAllowedOriginPatterns(properties.getAllowedOriginPatterns());
		cors.addAllowedMethod("POST");
		cors.addAllowedHeader("Authorization");
		cors.addAllowedHeader("Content-Type");
		return cors;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass(WebMvcConfigurer.class)
	static class ServletApiCorsConfiguration {

		@Bean
		WebMvcConfigurer apiCorsConfigurer(SampleProperties properties) {
			return new WebMvcConfigurer() {

				@Override
				public void addCorsMappings(org.springframework.web.servlet.config.annotation.CorsRegistry registry) {
					registry.addMapping(API_PATTERN).combine(apiCors(properties));
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.REACTIVE)
	@ConditionalOnClass(WebFluxConfigurer.class)
	static class ReactiveApiCorsConfiguration {

		@Bean
		WebFluxConfigurer apiCorsConfigurer(SampleProperties properties) {
			return new WebFluxConfigurer() {

				@Override
				public void addCorsMappings(org.springframework.web.reactive.config.CorsRegistry registry) {
					registry.addMapping(API_PATTERN).combine(apiCors(properties));
				}

			};
		}

	}

}
