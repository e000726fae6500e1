package io.github.wshub.servlet;

import java.net.InetSocketAddress;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.session.LocalSessions;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.util.Assert;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Admission control for new sessions, at the HTTP handshake:
 * <ul>
 * <li>503 (Service Unavailable, {@code Retry-After: 1}) unless the hub is running (it refuses
 * new sessions once draining began) or when the instance already holds
 * {@code hub.limits.max-sessions} sessions;</li>
 * <li>resolves the session's user with the {@link HubUserResolver} and keeps it for the
 * session;</li>
 * <li>401 (Unauthorized) when {@code hub.security.require-user} is set and no user was
 * resolved;</li>
 * <li>429 (Too Many Requests) when the user already holds {@code hub.limits.max-sessions-per-user}
 * sessions on this instance;</li>
 * <li>429 when the handshake has no user and its client address already holds
 * {@code hub.limits.max-anonymous-sessions-per-address} anonymous sessions on this
 * instance.</li>
 * </ul>
 * The session limits are checked again, atomically, when the session opens (see
 * {@link LocalSessions}), so concurrent handshakes cannot exceed them.
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

	private static final int MAX_USER_LENGTH = 256;

	private final LocalSessions sessions;

	private final HubUserResolver userResolver;

	private final boolean requireUser;

	/**
	 * Create an interceptor.
	 * @param sessions the local sessions, whose state and counts decide
	 * @param userResolver resolves the user of each handshake
	 * @param requireUser whether handshakes without a user are refused
	 */
	public HubHandshakeInterceptor(LocalSessions sessions, HubUserResolver userResolver, boolean requireUser) {
		Assert.notNull(sessions, "'sessions' must not be null");
		Assert.notNull(userResolver, "'userResolver' must not be null");
		this.sessions = sessions;
		this.userResolver = userResolver;
		this.requireUser = requireUser;
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
			WebSocketHandler wsHandler, Map<String, Object> attributes) {
		if (this.sessions.getState() != LocalSessions.State.RUNNING || this.sessions.isFull()) {
			response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
			response.getHeaders().set("Retry-After", "1");
			return false;
		}
		String user = resolveUser(request);
		String address = remoteAddressOf(request);
		if (address != null) {
			attributes.put(ADDRESS_ATTRIBUTE, address);
		}
		if (user == null) {
			if (this.requireUser) {
				response.setStatusCode(HttpStatus.UNAUTHORIZED);
				return false;
			}
			if (address != null && this.sessions.isAnonymousAddressFull(address)) {
				response.setStatusCode(HttpStatus.TOO_MANY_REQUESTS);
				return false;
			}
			return true;
		}
		if (this.sessions.isUserFull(user)) {
			response.setStatusCode(HttpStatus.TOO_MANY_REQUESTS);
			return false;
		}
		attributes.put(USER_ATTRIBUTE, user);
		return true;
	}

	private @Nullable String resolveUser(ServerHttpRequest request) {
		String user;
		try {
			user = this.userResolver.resolveUser(request);
		}
		catch (RuntimeException ex) {
			logger.warn("User resolution failed; treating the handshake as anonymous", ex);
			return null;
		}
		if (user == null || user.isBlank() || user.length() > MAX_USER_LENGTH) {
			return null;
		}
		return user;
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
