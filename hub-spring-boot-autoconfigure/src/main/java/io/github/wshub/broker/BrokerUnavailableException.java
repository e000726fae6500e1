package io.github.wshub.broker;

import org.jspecify.annotations.Nullable;

/**
 * The broker could not accept a publish or confirm a subscription.
 *
 * @author wshub
 */
public class BrokerUnavailableException extends RuntimeException {

	/**
	 * Create a new exception.
	 * @param message the detail message
	 * @param cause the cause, may be {@code null}
	 */
	public BrokerUnavailableException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
