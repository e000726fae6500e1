package io.github.wshub.registry;

import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketSession;

/**
 * Decides which user a new session belongs to. The default uses the name of the handshake's
 * {@link java.security.Principal} (set by Spring Security, for example); declare a bean of this
 * type to take the user from elsewhere, such as a token verified during the handshake.
 *
 * @author wshub
 */
@FunctionalInterface
public interface HubUserResolver {

	/**
	 * Resolves the user from the handshake's principal.
	 */
	HubUserResolver PRINCIPAL = (session) -> (session.getPrincipal() != null) ? session.getPrincipal().getName()
			: null;

	/**
	 * Return the user of a session that just opened.
	 * @param session the session, with its handshake principal, URI, headers and attributes
	 * @return the user name, or {@code null} for an anonymous session
	 */
	@Nullable String resolveUser(WebSocketSession session);

}
