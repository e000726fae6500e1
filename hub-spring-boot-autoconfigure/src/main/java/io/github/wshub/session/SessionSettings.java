package io.github.wshub.session;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * Per-session limits and heartbeat timing.
 *
 * @param sendTimeLimit how long one send to a session may take before the session is closed as
 * a slow consumer
 * @param sendBufferSizeLimit how many bytes may queue for a session before it is closed as a
 * slow consumer
 * @param maxTextMessageSize the largest inbound text message accepted, in characters; larger
 * ones close the session with 1009
 * @param messageBufferSize the container's per-session buffer for inbound messages, in bytes
 * or characters; larger messages arrive in parts
 * @param pingInterval how often the server pings each session
 * @param pongTimeout how long the server waits for a pong before closing the session
 * @param maxSessions most sessions on this instance
 * @param maxSessionsPerUser most sessions of one user on this instance
 * @param maxSubscriptionsPerSession most topics one session may subscribe to
 * @param messageRate frames per second a session may send, on average
 * @param messageBurst frames a session may send at once before the rate applies
 * @param maxRateViolations frames refused in a row for the rate after which the session is
 * closed with 4502
 * @param maxAnonymousSessionsPerAddress most anonymous sessions of one client address on this
 * instance
 * @author wshub
 */
public record SessionSettings(Duration sendTimeLimit, int sendBufferSizeLimit, int maxTextMessageSize,
		int messageBufferSize, Duration pingInterval, Duration pongTimeout, int maxSessions, int maxSessionsPerUser,
		int maxSubscriptionsPerSession, double messageRate, int messageBurst, int maxRateViolations,
		int maxAnonymousSessionsPerAddress) {

	/**
	 * Validate the settings.
	 */
	public SessionSettings {
		Assert.isTrue((!sendTimeLimit.isNegative() && !sendTimeLimit.isZero()), "'sendTimeLimit' must be positive");
		Assert.isTrue(sendBufferSizeLimit > 0, "'sendBufferSizeLimit' must be positive");
		Assert.isTrue(maxTextMessageSize > 0, "'maxTextMessageSize' must be positive");
		Assert.isTrue(messageBufferSize > 0, "'messageBufferSize' must be positive");
		Assert.isTrue((!pingInterval.isNegative() && !pingInterval.isZero()), "'pingInterval' must be positive");
		Assert.isTrue((!pongTimeout.isNegative() && !pongTimeout.isZero()), "'pongTimeout' must be positive");
		Assert.isTrue(maxSessions > 0, "'maxSessions' must be positive");
		Assert.isTrue(maxSessionsPerUser > 0, "'maxSessionsPerUser' must be positive");
		Assert.isTrue(maxSubscriptionsPerSession > 0, "'maxSubscriptionsPerSession' must be positive");
		Assert.isTrue(messageRate > 0, "'messageRate' must be positive");
		Assert.isTrue(messageBurst > 0, "'messageBurst' must be positive");
		Assert.isTrue(maxRateViolations > 0, "'maxRateViolations' must be positive");
		Assert.isTrue(maxAnonymousSessionsPerAddress > 0, "'maxAnonymousSessionsPerAddress' must be positive");
	}

	/**
	 * Return a builder that starts from the defaults of the {@code hub.session.*} and
	 * {@code hub.limits.*} properties.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Builds {@link SessionSettings} by name.
	 */
	public static final class Builder {

		private Duration sendTimeLimit = Duration.ofSeconds(10);

		private int sendBufferSizeLimit = 512 * 1024;

		private int maxTextMessageSize = 64 * 1024;

		private int messageBufferSize = 1024;

		private Duration pingInterval = Duration.ofSeconds(25);

		private Duration pongTimeout = Duration.ofSeconds(10);

		private int maxSessions = 10_000;

		private int maxSessionsPerUser = 16;

		private int maxSubscriptionsPerSession = 100;

		private double messageRate = 50;

		private int messageBurst = 100;

		private int maxRateViolations = 100;

		private int maxAnonymousSessionsPerAddress = 16;

		private Builder() {
		}

		/**
		 * Set sendTimeLimit: see {@link SessionSettings}.
		 * @param sendTimeLimit the value
		 * @return this builder
		 */
		public Builder sendTimeLimit(Duration sendTimeLimit) {
			this.sendTimeLimit = sendTimeLimit;
			return this;
		}

		/**
		 * Set sendBufferSizeLimit: see {@link SessionSettings}.
		 * @param sendBufferSizeLimit the value
		 * @return this builder
		 */
		public Builder sendBufferSizeLimit(int sendBufferSizeLimit) {
			this.sendBufferSizeLimit = sendBufferSizeLimit;
			return this;
		}

		/**
		 * Set maxTextMessageSize: see {@link SessionSettings}.
		 * @param maxTextMessageSize the value
		 * @return this builder
		 */
		public Builder maxTextMessageSize(int maxTextMessageSize) {
			this.maxTextMessageSize = maxTextMessageSize;
			return this;
		}

		/**
		 * Set messageBufferSize: see {@link SessionSettings}.
		 * @param messageBufferSize the value
		 * @return this builder
		 */
		public Builder messageBufferSize(int messageBufferSize) {
			this.messageBufferSize = messageBufferSize;
			return this;
		}

		/**
		 * Set pingInterval: see {@link SessionSettings}.
		 * @param pingInterval the value
		 * @return this builder
		 */
		public Builder pingInterval(Duration pingInterval) {
			this.pingInterval = pingInterval;
			return this;
		}

		/**
		 * Set pongTimeout: see {@link SessionSettings}.
		 * @param pongTimeout the value
		 * @return this builder
		 */
		public Builder pongTimeout(Duration pongTimeout) {
			this.pongTimeout = pongTimeout;
			return this;
		}

		/**
		 * Set maxSessions: see {@link SessionSettings}.
		 * @param maxSessions the value
		 * @return this builder
		 */
		public Builder maxSessions(int maxSessions) {
			this.maxSessions = maxSessions;
			return this;
		}

		/**
		 * Set maxSessionsPerUser: see {@link SessionSettings}.
		 * @param maxSessionsPerUser the value
		 * @return this builder
		 */
		public Builder maxSessionsPerUser(int maxSessionsPerUser) {
			this.maxSessionsPerUser = maxSessionsPerUser;
			return this;
		}

		/**
		 * Set maxSubscriptionsPerSession: see {@link SessionSettings}.
		 * @param maxSubscriptionsPerSession the value
		 * @return this builder
		 */
		public Builder maxSubscriptionsPerSession(int maxSubscriptionsPerSession) {
			this.maxSubscriptionsPerSession = maxSubscriptionsPerSession;
			return this;
		}

		/**
		 * Set messageRate: see {@link SessionSettings}.
		 * @param messageRate the value
		 * @return this builder
		 */
		public Builder messageRate(double messageRate) {
			this.messageRate = messageRate;
			return this;
		}

		/**
		 * Set messageBurst: see {@link SessionSettings}.
		 * @param messageBurst the value
		 * @return this builder
		 */
		public Builder messageBurst(int messageBurst) {
			this.messageBurst = messageBurst;
			return this;
		}

		/**
		 * Set maxRateViolations: see {@link SessionSettings}.
		 * @param maxRateViolations the value
		 * @return this builder
		 */
		public Builder maxRateViolations(int maxRateViolations) {
			this.maxRateViolations = maxRateViolations;
			return this;
		}

		/**
		 * Set maxAnonymousSessionsPerAddress: see {@link SessionSettings}.
		 * @param maxAnonymousSessionsPerAddress the value
		 * @return this builder
		 */
		public Builder maxAnonymousSessionsPerAddress(int maxAnonymousSessionsPerAddress) {
			this.maxAnonymousSessionsPerAddress = maxAnonymousSessionsPerAddress;
			return this;
		}

		/**
		 * Build and validate the settings.
		 * @return the settings
		 */
		public SessionSettings build() {
			return new SessionSettings(this.sendTimeLimit, this.sendBufferSizeLimit, this.maxTextMessageSize, this.messageBufferSize, this.pingInterval, this.pongTimeout, this.maxSessions, this.maxSessionsPerUser, this.maxSubscriptionsPerSession, this.messageRate, this.messageBurst, this.maxRateViolations, this.maxAnonymousSessionsPerAddress);
		}

	}

}
