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
 * @param maxTextMessageSize the largest inbound text frame accepted; larger frames close the
 * session with 1009
 * @param pingInterval how often the server pings each session
 * @param pongTimeout how long the server waits for a pong before closing the session
 * @author wshub
 */
public record SessionSettings(Duration sendTimeLimit, int sendBufferSizeLimit, int maxTextMessageSize,
		Duration pingInterval, Duration pongTimeout) {

	/**
	 * Validate the settings.
	 */
	public SessionSettings {
		Assert.isTrue((!sendTimeLimit.isNegative() && !sendTimeLimit.isZero()), "'sendTimeLimit' must be positive");
		Assert.isTrue(sendBufferSizeLimit > 0, "'sendBufferSizeLimit' must be positive");
		Assert.isTrue(maxTextMessageSize > 0, "'maxTextMessageSize' must be positive");
		Assert.isTrue((!pingInterval.isNegative() && !pingInterval.isZero()), "'pingInterval' must be positive");
		Assert.isTrue((!pongTimeout.isNegative() && !pongTimeout.isZero()), "'pongTimeout' must be positive");
	}

}
