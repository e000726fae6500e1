package io.github.wshub.servlet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.memory.InMemoryTopicBroker;
import io.github.wshub.protocol.FrameCodec;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.protocol.TopicNames;
import io.github.wshub.security.PatternTopicAuthorizer;
import io.github.wshub.session.HubProtocolHandler;
import io.github.wshub.session.LocalSessions;
import io.github.wshub.session.LocalTopicRegistry;
import io.github.wshub.session.SessionSettings;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;

/**
 * Tests for the session limits checked again ({@link LocalSessions}) when a session opens through
 * {@link HubWebSocketHandler}, for sessions that got past {@link HubHandshakeInterceptor} together.
 *
 * @author wshub
 */
class HubWebSocketHandlerAdmissionTests {

	private static final String ADDRESS = "198.51.100.7";

	private static final CloseStatus TOO_MANY_SESSIONS = ServletSessionTransport
		.toCloseStatus(HubCloseStatus.TOO_MANY_SESSIONS);

	private final DispatchLanes lanes = new DispatchLanes(1, 100, "admission-test-");

	private final InMemoryTopicBroker broker = new InMemoryTopicBroker("admission-test");

	private final LocalTopicRegistry registry = new LocalTopicRegistry(this.broker, this.lanes);

	private final List<HubCloseStatus> closes = new CopyOnWriteArrayList<>();

	private final LocalSessions sessions = sessions(2);

	private final HubWebSocketHandler handler = handler(this.sessions);

	private int sessionIds;

	@AfterEach
	void stop() {
		this.sessions.stop();
		this.lanes.close();
	}

	@Test
	void anonymousSessionOverItsAddressLimitIsClosedWhenItOpens() throws Exception {
		WebSocketSession first = open(null, ADDRESS);
		open(null, ADDRESS);
		assertThat(this.sessions.isAnonymousAddressFull(ADDRESS)).isTrue();
		WebSocketSession third = open(null, ADDRESS);
		then(third).should().close(TOO_MANY_SESSIONS);
		assertThat(this.closes).containsExactly(HubCloseStatus.TOO_MANY_SESSIONS);
		assertThat(this.sessions.getSessionCount()).isEqualTo(2);
		this.handler.afterConnectionClosed(first, CloseStatus.NORMAL);
		assertThat(this.sessions.isAnonymousAddressFull(ADDRESS)).isFalse();
		WebSocketSession fourth = open(null, ADDRESS);
		then(fourth).should(never()).close(TOO_MANY_SESSIONS);
		assertThat(this.sessions.getSessionCount()).isEqualTo(2);
	}

	@Test
	void usersSessionsAndOtherAddressesDoNotCount() throws Exception {
		open(null, ADDRESS);
		open(null, ADDRESS);
		WebSocketSession named = open("alice", ADDRESS);
		WebSocketSession otherAddress = open(null, "198.51.100.8");
		WebSocketSession withoutAddress = open(null, null);
		then(named).should(never()).close(TOO_MANY_SESSIONS);
		then(otherAddress).should(never()).close(TOO_MANY_SESSIONS);
		then(withoutAddress).should(never()).close(TOO_MANY_SESSIONS);
		assertThat(this.sessions.getSessionCount()).isEqualTo(5);
		this.handler.afterConnectionClosed(named, CloseStatus.NORMAL);
		assertThat(this.sessions.isAnonymousAddressFull(ADDRESS)).isTrue();
	}

	private WebSocketSession open(@Nullable String user, @Nullable String address) {
		Map<String, Object> attributes = new HashMap<>();
		if (user != null) {
			attributes.put(HubHandshakeInterceptor.USER_ATTRIBUTE, user);
		}
		if (address != null) {
			attributes.put(HubHandshakeInterceptor.ADDRESS_ATTRIBUTE, address);
		}
		WebSocketSession session = mock(WebSocketSession.class);
		given(session.getId()).willReturn("session-" + (++this.sessionIds));
		given(session.getAttributes()).willReturn(attributes);
		this.handler.afterConnectionEstablished(session);
		return session;
	}

	private LocalSessions sessions(int maxAnonymousSessionsPerAddress) {
		SessionSettings settings = SessionSettings.builder()
			.maxSessions(100)
			.maxAnonymousSessionsPerAddress(maxAnonymousSessionsPerAddress)
			.build();
		LocalSessions sessions = new LocalSessions("admission-test", settings, this.registry, this.lanes);
		sessions.setInstrumentation(new HubInstrumentation() {

			@Override
			public void sessionClosed(HubCloseStatus status) {
				HubWebSocketHandlerAdmissionTests.this.closes.add(status);
			}

		});
		sessions.start();
		return sessions;
	}

	private HubWebSocketHandler handler(LocalSessions sessions) {
		FrameCodec codec = new FrameCodec(new TopicNames(200), 128, 64);
		HubProtocolHandler protocol = new HubProtocolHandler(codec, sessions, this.registry, this.broker,
				new PatternTopicAuthorizer(List.of("**"), List.of()));
		return new HubWebSocketHandler(protocol, sessions.getSettings());
	}

}
