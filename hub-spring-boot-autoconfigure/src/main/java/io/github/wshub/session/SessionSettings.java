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

}
