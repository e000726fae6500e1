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
 * @author wshub
 */
public record ClientFrame(Type type, String topic, @Nullable JsonNode id, @Nullable JsonNode data) {

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
		PUBLISH

	}

}
