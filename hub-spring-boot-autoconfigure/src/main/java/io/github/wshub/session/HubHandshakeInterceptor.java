package io.github.wshub.session;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Refuses handshakes with 503 (Service Unavailable) unless the hub is running, so that no new
 * session is accepted once draining began.
 *
 * @author wshub
 */
public class HubHandshakeInterceptor implements HandshakeInterceptor {

	private final HubWebSocketHandler handler;

	/**
	 * Create an interceptor.
	 * @param handler the handler whose state decides
	 */
	public HubHandshakeInterceptor(HubWebSocketHandler handler) {
		this.handler = handler;
	}

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response,
			WebSocketHandler wsHandler, Map<String, Object> attributes) {
		if (this.handler.getState() != HubWebSocketHandler.State.RUNNING) {
			response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
			response.getHeaders().set("Retry-After", "1");
			return false;
		}
		return true;
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
			@Nullable Exception exception) {
	}

}
