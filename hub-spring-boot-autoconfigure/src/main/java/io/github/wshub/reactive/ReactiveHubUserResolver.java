package io.github.wshub.reactive;

import java.security.Principal;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * Decides which user a new session belongs to, during the WebSocket handshake of the reactive
 * transport. The default uses the name of the exchange's {@link Principal} (set by Spring
 * Security's WebFlux support, for example); declare a bean of this type to take the user from
 * elsewhere, such as a token verified from the handshake's query string or headers.
 * <p>
 * With {@code hub.security.require-user=true} a handshake for which the resolver completes
 * empty is refused with 401. A resolver that fails makes the session anonymous (the failure is
 * logged).
 *
 * @author wshub
 * @see io.github.wshub.servlet.HubUserResolver the servlet transport's counterpart
 */
@FunctionalInterface
public interface ReactiveHubUserResolver {

	/**
	 * Resolves the user from the exchange's principal.
	 */
	ReactiveHubUserResolver PRINCIPAL = (exchange) -> exchange.getPrincipal().map(Principal::getName);

	/**
	 * Return the user of a handshake.
	 * @param exchange the handshake exchange, with its principal, URI and headers
	 * @return the user name, or an empty {@link Mono} for an anonymous session
	 */
	Mono<String> resolveUser(ServerWebExchange exchange);

}
