package io.github.wshub.sample;

import java.nio.charset.StandardCharsets;
import java.security.Principal;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TokenUserResolver}.
 *
 * @author wshub
 */
class TokenUserResolverTests {

	private final LoginTokens tokens = new LoginTokens("a secret of the tests".getBytes(StandardCharsets.UTF_8));

	private final TokenUserResolver resolver = new TokenUserResolver(this.tokens);

	@Test
	void userComesFromAValidToken() {
		assertThat(this.resolver.resolveUser(handshake("token=" + this.tokens.issue("alice"), null)))
			.isEqualTo("alice");
	}

	@Test
	void tokenAmongOtherParametersAndPercentEncodedIsFound() {
		String token = this.tokens.issue("alice").replace("-", "%2D");
		assertThat(this.resolver.resolveUser(handshake("room=lobby&token=" + token + "&x=1", null)))
			.isEqualTo("alice");
	}

	@Test
	void onlyTheFirstTokenParameterCounts() {
		String token = this.tokens.issue("alice");
		assertThat(this.resolver.resolveUser(handshake("xtoken=1&tokens=2&=3&token=" + token, null)))
			.isEqualTo("alice");
		assertThat(this.resolver.resolveUser(handshake("token&token=" + token, null))).isNull();
		assertThat(this.resolver.resolveUser(handshake("token=&token=" + token, null))).isNull();
	}

	@Test
	void invalidOrMissingTokenIsAnonymous() {
		assertThat(this.resolver.resolveUser(handshake("token=alice.forged", null))).isNull();
		assertThat(this.resolver.resolveUser(handshake("token=", null))).isNull();
		assertThat(this.resolver.resolveUser(handshake(null, null))).isNull();
	}

	@Test
	void withoutValidTokenThePrincipalDecides() {
		Principal principal = () -> "carol";
		assertThat(this.resolver.resolveUser(handshake(null, principal))).isEqualTo("carol");
		assertThat(this.resolver.resolveUser(handshake("token=alice.forged", principal))).isEqualTo("carol");
		assertThat(this.resolver.resolveUser(handshake("token=" + this.tokens.issue("alice"), principal)))
			.isEqualTo("alice");
	}

	@Test
	void reactiveHandshakesAreResolvedTheSameWay() {
		Principal principal = () -> "carol";
		assertThat(this.resolver.resolveUser(exchange("token=" + this.tokens.issue("alice"), principal)).block())
			.isEqualTo("alice");
		assertThat(this.resolver.resolveUser(exchange("token=alice.forged", null)).block()).isNull();
		assertThat(this.resolver.resolveUser(exchange("token=alice.forged", principal)).block()).isEqualTo("carol");
	}

	private static ServerWebExchange exchange(String query, @Nullable Principal principal) {
		ServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/ws?" + query));
		return (principal != null) ? exchange.mutate().principal(Mono.just(principal)).build() : exchange;
	}

	private static ServerHttpRequest handshake(@Nullable String query, @Nullable Principal principal) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/ws");
		request.setQueryString(query);
		request.setUserPrincipal(principal);
		return new ServletServerHttpRequest(request);
	}

}
