package io.github.wshub.reactive;

import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;

/**
 * How the hub upgrades a handshake on the server that received it. On Reactor Netty: with the
 * hub's inbound message limit, and with a way to drop a connection that cannot take its close
 * frame. On other servers: WebFlux's default upgrade, found from the classpath (which prefers
 * Tomcat's when Tomcat is present, so Reactor Netty's is chosen per request, from the native
 * request, rather than from the classpath).
 *
 * @author wshub
 */
final class WebSocketUpgrade {

	private static final boolean reactorNettyPresent = ClassUtils
		.isPresent("reactor.netty.http.server.HttpServerResponse", WebSocketUpgrade.class.getClassLoader());

	private final @Nullable WebSocketService reactorNettyService;

	private volatile @Nullable WebSocketService defaultService;

	/**
	 * Create the upgrade.
	 * @param maxFramePayloadLength the longest inbound message, in bytes, Reactor Netty
	 * aggregates; longer ones close the connection with 1009
	 */
	WebSocketUpgrade(int maxFramePayloadLength) {
		this.reactorNettyService = reactorNettyPresent ? ReactorNetty.webSocketService(maxFramePayloadLength) : null;
	}

	/**
	 * Return the service that upgrades a request.
	 * @param request the handshake request
	 * @return the service
	 */
	WebSocketService webSocketService(ServerHttpRequest request) {
		WebSocketService reactorNetty = this.reactorNettyService;
		if (reactorNetty != null && ReactorNetty.isReactorNetty(request)) {
			return reactorNetty;
		}
		WebSocketService service = this.defaultService;
		if (service == null) {
			// Racing threads may each create one; any of them upgrades as well.
			service = new HandshakeWebSocketService();
			this.defaultService = service;
		}
		return service;
	}

	/**
	 * Return what drops the connection of a handshake without a close frame.
	 * @param response the handshake response
	 * @return the action, or {@code null} when the server offers none
	 */
	@Nullable Runnable abortOf(ServerHttpResponse response) {
		return reactorNettyPresent ? ReactorNetty.abortOf(response) : null;
	}

	/**
	 * Reactor Netty's types, loaded only when present.
	 */
	private static final class ReactorNetty {

		static WebSocketService webSocketService(int maxFramePayloadLength) {
			return new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(
					() -> WebsocketServerSpec.builder().maxFramePayloadLength(maxFramePayloadLength)));
		}

		static boolean isReactorNetty(ServerHttpRequest request) {
			try {
				return ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest;
			}
			catch (IllegalArgumentException ex) {
				// Not a request of a server Spring adapts.
				return false;
			}
		}

		static @Nullable Runnable abortOf(ServerHttpResponse response) {
			Object nativeResponse;
			try {
				nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
			}
			catch (IllegalArgumentException ex) {
				return null;
			}
			if (nativeResponse instanceof HttpServerResponse reactorResponse) {
				return () -> reactorResponse.withConnection((connection) -> connection.channel().close());
			}
			return null;
		}

	}

}
