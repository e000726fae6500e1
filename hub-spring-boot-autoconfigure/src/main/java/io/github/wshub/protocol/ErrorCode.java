package io.github.wshub.protocol;

/**
 * The {@code code} of an {@code error} frame. The wire values are stable: clients may switch on
 * them. An error frame never closes the session by itself.
 *
 * @author wshub
 */
public enum ErrorCode {

	/**
	 * The frame is not a JSON object, is a binary frame, or a field has the wrong type.
	 */
	INVALID_FRAME("invalid_frame"),

	/**
	 * The {@code type} is missing or not one the server knows.
	 */
	UNKNOWN_TYPE("unknown_type"),

	/**
	 * The {@code topic} is missing, too long, or uses characters outside the allowed set.
	 */
	INVALID_TOPIC("invalid_topic"),

	/**
	 * The {@code id} is neither a string nor a number, or is longer than allowed.
	 */
	INVALID_ID("invalid_id"),

	/**
	 * The topic policy does not allow this session to subscribe to or publish on the topic.
	 */
	FORBIDDEN("forbidden"),

	/**
	 * The session already holds {@code hub.limits.max-subscriptions-per-session} subscriptions.
	 */
	TOO_MANY_SUBSCRIPTIONS("too_many_subscriptions"),

	/**
	 * The session sent more frames than {@code hub.limits.message-rate} allows; the frame was
	 * not processed. A session that keeps sending while limited is closed with 4502.
	 */
	RATE_LIMITED("rate_limited"),

	/**
	 * The broker (Redis) could not confirm the subscription or accept the publish.
	 */
	BROKER_UNAVAILABLE("broker_unavailable"),

	/**
	 * A {@code history} request named a topic that keeps no history.
	 */
	NO_HISTORY("no_history"),

	/**
	 * An unexpected server-side failure; the request may be retried.
	 */
	INTERNAL_ERROR("internal_error");

	private final String code;

	ErrorCode(String code) {
		this.code = code;
	}

	/**
	 * Return the value sent in the {@code code} field.
	 * @return the wire code
	 */
	public String code() {
		return this.code;
	}

}
