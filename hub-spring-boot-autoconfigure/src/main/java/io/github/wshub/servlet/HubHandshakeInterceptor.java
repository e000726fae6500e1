package io.github.wshub.servlet;

import java.net.InetSocketAddress;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.session.HandshakeAdmission;
import io.github.wshub.session.HandshakeAdmission.Refusal;
import io.github.wshub.session.LocalSessions;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.util.Assert;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Admission control for new sessions, at the servlet transport's HTTP handshake: resolves the
 * session's user with the {@link HubUserResolver} and keeps it for the session, and refuses the
 * handshake with 503, 401 or 429 as the {@link HandshakeAdmission} decides (the hub not running
 * or full, a user required, too many sessions of the user or of the anonymous client address).
 * <p>
 * The client address is the handshake request's remote address, as the servlet container and
 * Spring's forwarded-header handling set it: with {@code server.forward-headers-strategy}
 * ({@code framework} or {@code native}), the address a trusted proxy forwarded; without, the
 * peer's, which behind a proxy is the proxy's. Forwarded headers are never read here, so
 * clients cannot choose the address they are counted against.
 *
 * @author wshub
 */
public class HubHandshakeInterceptor implements HandshakeInterceptor {

	/**
	 * Handshake attribute holding the resolved user name.
	 */
	public static final String USER_ATTRIBUTE = HubHandshakeInterceptor.class.getName() + ".user";

	/**
	 * Handshake attribute holding the client address (an IP address as text), when the request
	 * has one. Anonymous sessions are counted against it until they close: do not change it.
	 */
	public static final String ADDRESS_ATTRIBUTE = HubHandshakeInterceptor.class.getName() + ".address";

	private static final Log logger = LogFactory.getLog(HubHandshakeInterceptor.class);

	private final HandshakeAdmission admission;

	private final HubUserResolver userResolver;

	/**
	 * Create an interceptor.
	 * @param sessions the local sessions, whose state and counts decide
	 * @param userResolver resolves the user of each handshake
	 * @param requireUser whether handshakes without a user are refused
	 */
	public HubHandshakeInterceptor(LocalSessions sessions, HubUserResolver userResolver, boolean requireUser) {
		Assert.notNull(userResolver, "'userResolver' must not be null");
		this.admission = new HandshakeAdmission(sessions, requireUser);
		this.userResolver = userResolver;
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
			WebSocketHandler wsHandler, Map<String, Object> attributes) {
		Refusal refusal = this.admission.checkAvailable();
		if (refusal == null) {
			String user = resolveUser(request);
			String address = remoteAddressOf(request);
			if (address != null) {
				attributes.put(ADDRESS_ATTRIBUTE, address);
			}
			refusal = this.admission.checkUser(user, address);
			if (refusal == null && user != null) {
				attributes.put(USER_ATTRIBUTE, user);
			}
		}
		if (refusal != null) {
			response.setStatusCode(HttpStatusCode.valueOf(refusal.statusCode()));
			if (refusal.isRetryable()) {
				response.getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
			}
			return false;
		}
		return true;
	}

	private @Nullable String resolveUser(ServerHttpRequest request) {
		try {
			return HandshakeAdmission.validUser(this.userResolver.resolveUser(request));
		}
		catch (RuntimeException ex) {
			logger.warn("User resolution failed; treating the handshake as anonymous", ex);
			return null;
		}
	}

	private static @Nullable String remoteAddressOf(ServerHttpRequest request) {
		if (request instanceof ServletServerHttpRequest servletRequest) {
			// The value ServerHttpRequest#getRemoteAddress() starts from, without building an
			// InetSocketAddress, which resolves a forwarded host name.
			String address = servletRequest.getServletRequest().getRemoteAddr();
			return (address != null && !address.isEmpty()) ? address : null;
		}
		InetSocketAddress address = request.getRemoteAddress();
		return (address != null) ? address.getHostString() : null;
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			@Nullable Exception exception) {
	}

}
