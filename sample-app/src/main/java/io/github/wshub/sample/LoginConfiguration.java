package io.github.wshub.sample;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The sample's development login: the token signer, the {@link TokenUserResolver} that makes
 * wshub sessions belong to the logged-in user, and CORS for {@code /api/**} so that a page
 * served by one instance can call another after a failover.
 *
 * @author wshub
 */
@Configuration(proxyBeanMethods = false)
class LoginConfiguration {

	private static final Log logger = LogFactory.getLog(LoginConfiguration.class);

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

	@Bean
	WebMvcConfigurer apiCorsConfigurer(SampleProperties properties) {
		return new WebMvcConfigurer() {

			@Override
			public void addCorsMappings(CorsRegistry registry) {
				registry.addMapping("/api/**")
					.allowedOriginPatterns(properties.getAllowedOriginPatterns().toArray(String[]::new))
					.allowedMethods("POST")
					.allowedHeaders("Authorization", "Content-Type");
			}

		};
	}

}
