package io.github.wshub.protocol;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A validated request from a client.
 *
 * @param type the request type
 * @param topic the topic, already checked against the topic syntax
 * @param id the request id to echo in the reply (a string or number node), or {@code null} when
 * the client wants no acknowledgement
 * @param data the payload of a {@code publish}, or {@code null} for other types
 * @param since the position a {@code subscribe} asks to recover from, or {@code null}
 * @param limit the most messages a {@code history} request asks for, or 0 for as many as the
 * topic keeps
 * @author wshub
 */
public record ClientFrame(Type type, String topic, @Nullable JsonNode id, @Nullable JsonNode data,
		@Nullable Since since, int limit) {

	/**
	 * Create a request without recovery position or limit.
	 * @param type the request type
	 * @param topic the topic
	 * @param id the request id, or {@code null}
	 * @param data the payload of a {@code publish}, or {@code null}
	 */
	public ClientFrame(Type type, String topic, @Nullable JsonNode id, @Nullable JsonNode data) {
		this(type, topic, id, data, null, 0);
	}

	/**
	 * The position a client asks to recover from: the epoch and offset of the last message it
	 * received. A {@code since} that is not an object with a string {@code epoch} and an integer
	 * {@code offset} is {@link #INVALID}, which never recovers.
	 *
	 * @param epoch the epoch
	 * @param offset the offset
	 */
	public record Since(String epoch, long offset) {

		/**
		 * A malformed position; no history has an empty epoch, so it never recovers.
		 */
		public static final Since INVALID = new Since("", -1);

	}

	/**
	 * Client request types of protocol v1.
	 */
	public enum Type {

		/**
		 * Start receiving a topic's messages.
		 */
		SUBSCRIBE,

		/**
		 * Stop receiving a topic's messages.
		 */
		UNSUBSCRIBE,

		/**
		 * Send a message to every subscriber of a topic.
		 */
		PUBLISH,

		/**
		 * Read the last messages of a topic with history.
		 */
		HISTORY

	}

}
