package io.github.wshub.benchmarks.jmh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.memory.InMemoryTopicBroker;
import io.github.wshub.protocol.FrameCodec;
import io.github.wshub.protocol.TopicNames;
import io.github.wshub.security.PatternTopicAuthorizer;
import io.github.wshub.servlet.HubWebSocketHandler;
import io.github.wshub.session.HubProtocolHandler;
import io.github.wshub.session.HubSession;
import io.github.wshub.session.LocalSessions;
import io.github.wshub.session.LocalTopicRegistry;
import io.github.wshub.session.SessionSettings;

/**
 * A hub without Redis or a servlet container, assembled from its public classes the way the
 * auto-configuration assembles it: the in-memory broker, dispatch lanes, the local topic
 * registry, the local sessions, the protocol handler and the servlet WebSocket handler.
 * {@link HubSession}s are made the only public way, by opening {@link NoOpWebSocketSession}s on
 * the handler.
 *
 * @author wshub
 */
public final class HubFixture implements AutoCloseable {

	/**
	 * The broker.
	 */
	public final InMemoryTopicBroker broker = new InMemoryTopicBroker("bench");

	/**
	 * The lanes: two, like the default on a 2-core machine.
	 */
	public final DispatchLanes lanes = new DispatchLanes(2, 100_000, "bench-lane-");

	/**
	 * The registry.
	 */
	public final LocalTopicRegistry registry = new LocalTopicRegistry(this.broker, this.lanes);

	/**
	 * The codec.
	 */
	public final FrameCodec codec = new FrameCodec(new TopicNames(200), 128, 64);

	/**
	 * The local sessions.
	 */
	public final LocalSessions sessions;

	/**
	 * The handler.
	 */
	public final HubWebSocketHandler handler;

	/**
	 * Assemble and start the hub.
	 */
	public HubFixture() {
		this.broker.setMessageListener(this.registry);
		SessionSettings settings = sessionSettings();
		this.sessions = new LocalSessions("bench", settings, this.registry, this.lanes);
		HubProtocolHandler protocol = new HubProtocolHandler(this.codec, this.sessions, this.registry, this.broker,
				new PatternTopicAuthorizer(List.of("bench.**"), List.of("bench.**")));
		this.handler = new HubWebSocketHandler(protocol, settings);
		this.sessions.start();
	}

	/**
	 * The hub's default session settings, without rate limit and heartbeats.
	 * @return the settings
	 */
	static SessionSettings sessionSettings() {
		return SessionSettings.builder()
			.pingInterval(Duration.ofHours(1))
			.pongTimeout(Duration.ofHours(1))
			.maxSessions(1_000_000)
			.messageRate(1e9)
			.messageBurst(1_000_000)
			.build();
	}

	/**
	 * Open sessions on the handler.
	 * @param count how many
	 * @return the hub's sessions, each on a {@link NoOpWebSocketSession}
	 */
	public List<HubSession> openSessions(int count) {
		List<HubSession> sessions = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			NoOpWebSocketSession session = new NoOpWebSocketSession();
			this.handler.afterConnectionEstablished(session);
			HubSession hubSession = this.sessions.getSession(session.getId());
			if (hubSession == null) {
				throw new IllegalStateException("Session was not admitted");
			}
			sessions.add(hubSession);
		}
		return sessions;
	}

	@Override
	public void close() {
		this.sessions.stop();
		this.lanes.shutdown(Duration.ofSeconds(5));
	}

}
