package io.github.wshub.testsupport;

/**
 * An error reply from Redis to a command run with {@link RedisServer#execute(String...)}.
 *
 * @author wshub
 */
public class RedisServerException extends RuntimeException {

	RedisServerException(String message) {
		super(message);
	}

}
