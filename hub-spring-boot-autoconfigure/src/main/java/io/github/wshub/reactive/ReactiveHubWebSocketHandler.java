package io.github.wshub.reactive;

import java.security.Principal;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.session.HubProtocolHandler;
import io.github.wshub.session.HubSession;
import io.github.wshub.session.SessionSettings;

import org.springframework.util.AlternativeJdkIdGenerator;
import org.springframework.util.IdGenerator;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * The reactive transport's connection handler: serves each WebSocket connection that
 * {@link ReactiveHubHandshakeHandler} admitted. It hands the connection to the
 * {@link HubProtocolHandler}, which admits it or closes it, then every inbound frame (on the
 * connection's event loop, one at a time, in order) and the close; outbound frames go through
 * the connection's {@link ReactiveSessionTransport}, its bounded queue.
 * <p>
 * Sessions get random UUIDs as ids, as with Spring's servlet WebSocket support: the hub treats
 * them as unique in the cluster, which WebFlux's own session ids are not.
 *
 * @author wshub
 */
public class ReactiveHubWebSocketHandler {

	private static final Log logger = LogFactory.getLog(ReactiveHubWebSocketHandler.class);

	/**
	 * The status of a connection that ended without a close frame.
	 */
	private static final HubCloseStatus ABNORMAL_CLOSURE = new HubCloseStatus(1006, "");

	private static final IdGenerator idGenerator = new AlternativeJdkIdGenerator();

	private final HubProtocolHandler protocol;

	private final SessionSettings settings;

	/**
	 * Create a handler.
	 * @param protocol the protocol handler that serves the sessions
	 * @param settings per-session limits
	 */
	public ReactiveHubWebSocketHandler(HubProtocolHandler protocol, SessionSettings settings) {
		this.protocol = protocol;
		this.settings = settings;
	}

	/**
	 * Return the WebFlux handler of one admitted handshake.
	 * @param handshake what the handshake resolved
	 * @return a handler for the connection it opens
	 */
	WebSocketHandler forHandshake(Handshake handshake) {
		return (session) -> handle(session, handshake);
	}

	/**
	 * Serve one connection until it closes.
	 * @param session the WebFlux session
	 * @param handshake what the handshake resolved
	 * @return completes when the connection closed
	 */
	Mono<Void> handle(WebSocketSession session, Handshake handshake) {
		ReactiveSessionTransport transport = new ReactiveSessionTransport(session,
				idGenerator.generateId().toString(), handshake.principal(), this.settings.sendTimeLimit(),
				this.settings.sendBufferSizeLimit(), handshake.abort());
		String id = transport.getId();
		HubSession hubSession = this.protocol.open(transport, handshake.user(), handshake.address());
		if (hubSession == null) {
			// Refused and closed: done once the close frame is out.
			return session.closeStatus().then();
		}
		Mono<Void> inbound = session.receive()
			.doOnNext((message) -> receive(id, message))
			.doFinally((signal) -> transport.inboundEnded())
			.then();
		return Mono.when(inbound, session.send(transport.outbound()))
			.onErrorResume((ex) -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Transport error on session " + id, ex);
				}
				return Mono.empty();
			})
			// Known by now (sent, received, or empty for a connection that just ended); the
			// timeout only makes sure the hub forgets the session whatever the server does.
			.doFinally((signal) -> session.closeStatus()
				.map(ReactiveSessionTransport::toHubCloseStatus)
				.defaultIfEmpty(ABNORMAL_CLOSURE)
				.timeout(ReactiveSessionTransport.CLOSE_TIMEOUT, Mono.just(ABNORMAL_CLOSURE))
				.onErrorReturn(ABNORMAL_CLOSURE)
				.subscribe((status) -> this.protocol.handleClose(id, status)));
	}

	private void receive(String sessionId, WebSocketMessage message) {
		switch (message.getType()) {
			case TEXT -> this.protocol.handleText(sessionId, message.getPayloadAsText(), true);
			case BINARY -> this.protocol.handleBinary(sessionId, true);
			case PONG -> this.protocol.handlePong(sessionId);
			// Pings are answered by the server itself.
			case PING -> {
			}
		}
	}

	/**
	 * What an admitted handshake resolved, for the connection it opens.
	 *
	 * @param principal the principal of the handshake request, or {@code null}
	 * @param user the session's user, or {@code null} for an anonymous session
	 * @param address the client address, or {@code null} when unknown
	 * @param abort drops the connection without a close frame
	 */
	record Handshake(@Nullable Principal principal, @Nullable String user, @Nullable String address,
			Runnable abort) {
	}

}
