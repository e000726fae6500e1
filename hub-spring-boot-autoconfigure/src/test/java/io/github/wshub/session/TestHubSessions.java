package io.github.wshub.session;

import org.jspecify.annotations.Nullable;

import io.github.wshub.instrumentation.HubInstrumentation;

import static org.mockito.Mockito.mock;

/**
 * {@link HubSession} instances for unit tests of code that only reads a session's identity,
 * such as a {@link io.github.wshub.security.TopicAuthorizer}. Their connection is a mock that
 * is never written to.
 *
 * @author wshub
 */
public final class TestHubSessions {

	private static final SessionTransport CONNECTION = mock(SessionTransport.class);

	private TestHubSessions() {
	}

	/**
	 * Create a session of a user.
	 * @param user the user name, or {@code null} for an anonymous session
	 * @return the session
	 */
	public static HubSession of(@Nullable String user) {
		return new HubSession(CONNECTION, user, null, Runnable::run, HubInstrumentation.NONE);
	}

}
