package io.github.wshub.protocol;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A client frame that cannot be served; becomes an {@code error} frame and leaves the session
 * open.
 *
 * @author wshub
 */
public class ProtocolException extends RuntimeException {

	private final ErrorCode errorCode;

	private final transient @Nullable JsonNode id;

	/**
	 * Create a new exception.
	 * @param errorCode the code sent to the client
	 * @param message the human readable message sent to the client
	 * @param id the request id to echo, if the frame carried a valid one
	 */
	public ProtocolException(ErrorCode errorCode, String message, @Nullable JsonNode id) {
		super(message, null, false, false);
		this.errorCode = errorCode;
		this.id = id;
	}

	/**
	 * Return the error code.
	 * @return the code
	 */
	public ErrorCode getErrorCode() {
		return this.errorCode;
	}

	/**
	 * Return the request id to echo.
	 * @return the id or {@code null}
	 */
	public @Nullable JsonNode getId() {
		return this.id;
	}

}
