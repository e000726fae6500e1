package io.github.wshub.servlet;

import org.jspecify.annotations.Nullable;

import org.springframework.http.server.ServerHttpRequest;

/**
 * Decides which user a new session belongs to, during the WebSocket handshake. The default uses
 * the name of the request's {@link java.security.Principal} (set by Spring Security, for
 * example); declare a bean of this type to take the user from elsewhere, such as a token
 * verified from the handshake's query string or headers.
 * <p>
 * With {@code hub.security.require-user=true} a handshake for which the resolver returns
 * {@code null} is refused with 401.
 *
 * @author wshub
 */
@FunctionalInterface
public interface HubUserResolver {

	/**
	 * Resolves the user from the handshake request's principal.
	 */
	HubUserResolver PRINCIPAL = (request) -> (request.getPrincipal() != null) ? request.getPrincipal().getName()
			: null;

	/**
	 * Return the user of a handshake request.
	 * @param request the handshake request, with its principal, URI and headers
	 * @return the user name, or {@code null} for an anonymous session
	 */
	@Nullable String resolveUser(ServerHttpRequest request);

}
