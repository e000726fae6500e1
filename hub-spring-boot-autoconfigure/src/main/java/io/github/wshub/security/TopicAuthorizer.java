package io.github.wshub.security;

/**
 * Decides whether a session may subscribe to or publish on a topic. It sees the session
 * through its {@link SessionIdentity}. Declare a bean of this type
 * to replace the default {@link PatternTopicAuthorizer}. Called on the container thread that
 * handles the request: implementations must be fast and must not block.
 *
 * @author wshub
 */
public interface TopicAuthorizer {

	/**
	 * Whether the session may subscribe to the topic.
	 * @param session the session
	 * @param topic the topic, syntactically valid
	 * @return {@code true} to allow
	 */
	boolean canSubscribe(SessionIdentity session, String topic);

	/**
	 * Whether the session may publish on the topic.
	 * @param session the session
	 * @param topic the topic, syntactically valid
	 * @return {@code true} to allow
	 */
	boolean canPublish(SessionIdentity session, String topic);

}
