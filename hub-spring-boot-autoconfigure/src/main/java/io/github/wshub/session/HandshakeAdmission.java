package io.github.wshub.session;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The hub's admission decision at the HTTP handshake, whatever transport serves it: each
 * transport adapter asks it twice, {@link #checkAvailable() before} and
 * {@link #checkUser(String, String) after} resolving the handshake's user, and answers a
 * {@link Refusal} with its HTTP status. The checks, in order:
 * <ol>
 * <li>503 (Service Unavailable, {@code Retry-After: 1}) unless the hub is running (it refuses
 * new sessions once draining began) or when the instance already holds
 * {@code hub.limits.max-sessions} sessions;</li>
 * <li>401 (Unauthorized) when {@code hub.security.require-user} is set and no user was
 * resolved;</li>
 * <li>429 (Too Many Requests) when the handshake has no user and its client address already
 * holds {@code hub.limits.max-anonymous-sessions-per-address} anonymous sessions on this
 * instance, or when the user already holds {@code hub.limits.max-sessions-per-user} sessions on
 * this instance.</li>
 * </ol>
 * The session limits are checked again, atomically, when the session opens (see
 * {@link LocalSessions#open}), so concurrent handshakes cannot exceed them.
 *
 * @author wshub
 */
public final class HandshakeAdmission {

	private static final int MAX_USER_LENGTH = 256;

	private final LocalSessions sessions;

	private final boolean requireUser;

	/**
	 * Create the admission.
	 * @param sessions the local sessions, whose state and counts decide
	 * @param requireUser whether handshakes without a user are refused
	 */
	public HandshakeAdmission(LocalSessions sessions, boolean requireUser) {
		Assert.notNull(sessions, "'sessions' must not be null");
		this.sessions = sessions;
		this.requireUser = requireUser;
	}

	/**
	 * The checks made before the handshake's user is resolved: the hub's state and the
	 * instance's session limit.
	 * @return the refusal, or {@code null} when the handshake may go on
	 */
	public @Nullable Refusal checkAvailable() {
		if (this.sessions.getState() != LocalSessions.State.RUNNING || this.sessions.isFull()) {
			return Refusal.UNAVAILABLE;
		}
		return null;
	}

	/**
	 * The checks made once the handshake's user is known.
	 * @param user the user, as {@link #validUser(String)} returns it, or {@code null} for an
	 * anonymous session
	 * @param address the client address, or {@code null} when unknown
	 * @return the refusal, or {@code null} when the handshake is admitted
	 */
	public @Nullable Refusal checkUser(@Nullable String user, @Nullable String address) {
		if (user == null) {
			if (this.requireUser) {
				return Refusal.UNAUTHORIZED;
			}
			if (address != null && this.sessions.isAnonymousAddressFull(address)) {
				return Refusal.TOO_MANY_SESSIONS;
			}
			return null;
		}
		return this.sessions.isUserFull(user) ? Refusal.TOO_MANY_SESSIONS : null;
	}

	/**
	 * Return the user a resolved name stands for: {@code null} (an anonymous session) when the
	 * name is missing, blank or longer than 256 characters.
	 * @param name the name a user resolver returned
	 * @return the user, or {@code null}
	 */
	public static @Nullable String validUser(@Nullable String name) {
		return (name == null || name.isBlank() || name.length() > MAX_USER_LENGTH) ? null : name;
	}

	/**
	 * Why a handshake is refused, with the HTTP status that says so.
	 */
	public enum Refusal {

		/**
		 * The hub is not running, or the instance is full: 503, to be retried (with
		 * {@code Retry-After: 1}).
		 */
		UNAVAILABLE(503),

		/**
		 * No user, and one is required: 401.
		 */
		UNAUTHORIZED(401),

		/**
		 * The user, or the anonymous client address, holds as many sessions as allowed: 429.
		 */
		TOO_MANY_SESSIONS(429);

		private final int statusCode;

		Refusal(int statusCode) {
			this.statusCode = statusCode;
		}

		/**
		 * Return the HTTP status code of the refusal.
		 * @return the status code
		 */
		public int statusCode() {
			return this.statusCode;
		}

		/**
		 * Whether the response tells the client to retry after a second.
		 * @return {@code true} for {@link #UNAVAILABLE}
		 */
		public boolean isRetryable() {
			return this == UNAVAILABLE;
		}

	}

}
