package io.github.wshub.sample;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import io.github.wshub.reactive.ReactiveHubUserResolver;
import io.github.wshub.servlet.HubUserResolver;

import org.springframework.http.server.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriUtils;

/**
 * Takes a session's user from the login token in its handshake URI ({@code /ws?token=...}). A
 * handshake without a valid token falls back to the request's principal, which is what wshub
 * uses by default: an application secured with Spring Security needs no resolver at all.
 * <p>
 * A token in a URI may end up in access logs; this is a development login. Browsers cannot set
 * headers on a WebSocket handshake, so a real application authenticates the page with a
 * session cookie (Spring Security) instead.
 * <p>
 * One resolver for both of wshub's transports: the servlet one asks it as a
 * {@link HubUserResolver}, the reactive one as a {@link ReactiveHubUserResolver}.
 *
 * @author wshub
 */
public class TokenUserResolver implements HubUserResolver, ReactiveHubUserResolver {

	/**
	 * The query parameter holding the token.
	 */
	public static final String TOKEN_PARAMETER = "token";

	private final LoginTokens tokens;

	/**
	 * Create a resolver.
	 * @param tokens verifies the tokens
	 */
	public TokenUserResolver(LoginTokens tokens) {
		this.tokens = tokens;
	}

	@Override
	public @Nullable String resolveUser(ServerHttpRequest request) {
		String user = this.tokens.verify(tokenOf(request.getURI()));
		return (user != null) ? user : HubUserResolver.PRINCIPAL.resolveUser(request);
	}

	@Override
	public Mono<String> resolveUser(ServerWebExchange exchange) {
		String user = this.tokens.verify(tokenOf(exchange.getRequest().getURI()));
		return (user != null) ? Mono.just(user) : ReactiveHubUserResolver.PRINCIPAL.resolveUser(exchange);
	}

	// The first token parameter's decoded value, as UriComponents reads query parameters (a
	// parameter without a value has none), without building them: one lookup per handshake.
	private static @Nullable String tokenOf(URI uri) {
		String query = uri.getRawQuery();
		if (query == null) {
			return null;
		}
		int start = 0;
		while (start <= query.length()) {
			int end = query.indexOf('&', start);
			if (end < 0) {
				end = query.length();
			}
			int equals = query.indexOf('=', start);
			int nameEnd = (equals >= 0 && equals < end) ? equals : end;
			if (nameEnd - start == TOKEN_PARAMETER.length() && query.startsWith(TOKEN_PARAMETER, start)) {
				return (nameEnd + 1 < end) ? UriUtils.decode(query.substring(nameEnd + 1, end), StandardCharsets.UTF_8)
						: null;
			}
			start = end + 1;
		}
		return null;
	}

}
