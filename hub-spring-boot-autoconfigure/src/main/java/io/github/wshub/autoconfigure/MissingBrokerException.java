package io.github.wshub.autoconfigure;

/**
 * Thrown at startup when the hub has no broker to use: the Redis broker is selected (the
 * default) but there is no {@code RedisConnectionFactory}.
 *
 * @author wshub
 */
public class MissingBrokerException extends IllegalStateException {

	MissingBrokerException() {
		super("hub.broker=redis (the default) needs a RedisConnectionFactory, and there is none");
	}

}
