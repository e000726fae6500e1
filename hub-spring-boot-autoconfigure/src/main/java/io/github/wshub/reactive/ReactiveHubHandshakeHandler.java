package io.github.wshub.reactive;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import io.github.wshub.reactive.ReactiveHubWebSocketHandler.Handshake;
import io.github.wshub.session.HandshakeAdmission;
import io.github.wshub.session.HandshakeAdmission.Refusal;
import io.github.wshub.session.LocalSessions;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.Assert;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * The reactive transport's endpoint at {@code hub.path}: a {@link WebHandler} that admits each
 * WebSocket handshake, then upgrades it and hands the connection to the
 * {@link ReactiveHubWebSocketHandler}. It refuses a handshake, in this order:
 * <ul>
 * <li>with 403 when its {@code Origin} is another origin than the request's own and is
 * neither among the allowed origins ({@code hub.allowed-origins}) nor matched by the allowed
 * origin patterns ({@code hub.allowed-origin-patterns}); a handshake without {@code Origin} is
 * not affected;</li>
 * <li>with 503, 401 or 429 as the {@link HandshakeAdmission} decides, after resolving the
 * session's user with the {@link ReactiveHubUserResolver}: the same checks as the servlet
 * transport's.</li>
 * </ul>
 * The client address is the request's remote address, as Reactor Netty and Spring's
 * forwarded-header handling set it ({@code server.forward-headers-strategy}); forwarded headers
 * are never read here.
 * <p>
 * On Reactor Netty the upgrade is configured for the hub: inbound messages are aggregated up to
 * three times {@code hub.limits.max-frame-size} bytes (the most UTF-8 takes for that many
 * characters; the hub closes longer messages, counted in characters, with 1009), and a
 * connection whose close frame cannot be written is dropped. Other servers use WebFlux's
 * default upgrade.
 *
 * @author wshub
 */
public class ReactiveHubHandshakeHandler implements WebHandler {

	private static final Log logger = LogFactory.getLog(ReactiveHubHandshakeHandler.class);

	private static final Runnable NO_ABORT = () -> {
	};

	private final ReactiveHubWebSocketHandler handler;

	private final HandshakeAdmission admission;

	private final ReactiveHubUserResolver userResolver;

	private final WebSocketUpgrade upgrade;

	private final CorsConfiguration origins = new CorsConfiguration();

	/**
	 * Create a handshake handler.
	 * @param handler serves the connections
	 * @param sessions the local sessions, whose state and counts decide the admission
	 * @param userResolver resolves the user of each handshake
	 * @param requireUser whether handshakes without a user are refused
	 */
	public ReactiveHubHandshakeHandler(ReactiveHubWebSocketHandler handler, LocalSessions sessions,
			ReactiveHubUserResolver userResolver, boolean requireUser) {
		Assert.notNull(handler, "'handler' must not be null");
		Assert.notNull(userResolver, "'userResolver' must not be null");
		this.handler = handler;
		this.admission = new HandshakeAdmission(sessions, requireUser);
		this.userResolver = userResolver;
		this.upgrade = new WebSocketUpgrade(maxFramePayloadLength(sessions.getSettings().maxTextMessageSize()));
	}

	private static int maxFramePayloadLength(int maxCharacters) {
		return (int) Math.min(Integer.MAX_VALUE, 3L * maxCharacters);
	}

	/**
	 * Set the origins, besides the request's own, allowed to open sessions; {@code *} allows
	 * every origin.
	 * @param allowedOrigins the origins
	 */
	public void setAllowedOrigins(Collection<String> allowedOrigins) {
		this.origins.setAllowedOrigins(List.copyOf(allowedOrigins));
	}

	/**
	 * Set patterns of further origins allowed to open sessions, such as
	 * {@code https://*.example.com}.
	 * @param allowedOriginPatterns the patterns
	 */
	public void setAllowedOriginPatterns(Collection<String> allowedOriginPatterns) {
		this.origins.setAllowedOriginPatterns(List.copyOf(allowedOriginPatterns));
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		if (!isOriginAllowed(request)) {
			return refuse(exchange, HttpStatus.FORBIDDEN);
		}
		Refusal unavailable = this.admission.checkAvailable();
		if (unavailable != null) {
			return refuse(exchange, unavailable);
		}
		String address = remoteAddressOf(request);
		return exchange.getPrincipal()
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.zipWith(resolveUser(exchange))
			.flatMap((resolved) -> {
				Principal principal = resolved.getT1().orElse(null);
				String user = resolved.getT2().orElse(null);
				Refusal refusal = this.admission.checkUser(user, address);
				if (refusal != null) {
					return refuse(exchange, refusal);
				}
				Handshake handshake = new Handshake(principal, user, address, abortOf(exchange));
				return this.upgrade.webSocketService(request).handleRequest(exchange,
						this.handler.forHandshake(handshake));
			});
	}

	private boolean isOriginAllowed(ServerHttpRequest request) {
		if (!CorsUtils.isCorsRequest(request)) {
			return true;
		}
		String origin = request.getHeaders().getOrigin();
		return this.origins.checkOrigin(origin) != null;
	}

	private Mono<Optional<String>> resolveUser(ServerWebExchange exchange) {
		return Mono.defer(() -> this.userResolver.resolveUser(exchange))
			.mapNotNull(HandshakeAdmission::validUser)
			.map(Optional::of)
			.onErrorResume((ex) -> {
				logger.warn("User resolution failed; treating the handshake as anonymous", ex);
				return Mono.empty();
			})
			.defaultIfEmpty(Optional.empty());
	}

	private Runnable abortOf(ServerWebExchange exchange) {
		Runnable abort = this.upgrade.abortOf(exchange.getResponse());
		return (abort != null) ? abort : NO_ABORT;
	}

	private static @Nullable String remoteAddressOf(ServerHttpRequest request) {
		InetSocketAddress address = request.getRemoteAddress();
		if (address == null) {
			return null;
		}
		// The literal address: no reverse lookup of a forwarded host name.
		return (address.getAddress() != null) ? address.getAddress().getHostAddress() : address.getHostString();
	}

	private static Mono<Void> refuse(ServerWebExchange exchange, Refusal refusal) {
		if (refusal.isRetryable()) {
			exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
		}
		return refuse(exchange, HttpStatusCode.valueOf(refusal.statusCode()));
	}

	private static Mono<Void> refuse(ServerWebExchange exchange, HttpStatusCode status) {
		exchange.getResponse().setStatusCode(status);
		return exchange.getResponse().setComplete();
	}

}
