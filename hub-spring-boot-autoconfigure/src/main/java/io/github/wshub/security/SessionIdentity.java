package io.github.wshub.security;

import java.security.Principal;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Who a session is, as a {@link TopicAuthorizer} sees it: the session's id, its user and the
 * principal and attributes of its handshake. Implemented by the hub's sessions.
 *
 * @author wshub
 */
public interface SessionIdentity {

	/**
	 * Return the session id, unique within this instance.
	 * @return the id
	 */
	String getId();

	/**
	 * Return the name of the session's user, or {@code null} for an anonymous session.
	 * @return the user name
	 */
	@Nullable String getUser();

	/**
	 * Return the principal of the handshake, if any.
	 * @return the principal
	 */
	@Nullable Principal getPrincipal();

	/**
	 * Return the attributes copied from the handshake.
	 * @return the attributes
	 */
	Map<String, Object> getAttributes();

}
