package io.github.wshub.sample;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sample app ({@code sample.*}).
 *
 * @author wshub
 */
@ConfigurationProperties("sample")
public class SampleProperties {

	/**
	 * Whether to start a development redis-server when none answers at the configured local
	 * address. Read from the environment before the application context exists.
	 */
	private boolean embeddedRedis = true;

	/**
	 * Origin patterns whose pages may call this instance's /api and actuator endpoints, so that
	 * a page served by one instance keeps working after it failed over to another.
	 */
	private List<String> allowedOriginPatterns = new ArrayList<>(
			List.of("http://localhost:[*]", "http://127.0.0.1:[*]"));

	private final Login login = new Login();

	public boolean isEmbeddedRedis() {
		return this.embeddedRedis;
	}

	public void setEmbeddedRedis(boolean embeddedRedis) {
		this.embeddedRedis = embeddedRedis;
	}

	public List<String> getAllowedOriginPatterns() {
		return this.allowedOriginPatterns;
	}

	public void setAllowedOriginPatterns(List<String> allowedOriginPatterns) {
		this.allowedOriginPatterns = allowedOriginPatterns;
	}

	public Login getLogin() {
		return this.login;
	}

	/**
	 * Development login.
	 */
	public static class Login {

		/**
		 * Secret that signs login tokens, at least 16 characters. Instances must share it for a
		 * token issued by one to be accepted by another (after a failover). When not set, each
		 * instance generates a random one at startup.
		 */
		private @Nullable String secret;

		public @Nullable String getSecret() {
			return this.secret;
		}

		public void setSecret(@Nullable String secret) {
			this.secret = secret;
		}

	}

}
