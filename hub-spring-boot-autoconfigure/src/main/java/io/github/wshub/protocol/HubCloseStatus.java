package io.github.wshub.protocol;

import org.springframework.web.socket.CloseStatus;

/**
 * Close codes the hub uses, split into two documented ranges: codes from 4000 to 4499 (and the
 * standard 1001, 1005, 1006, 1011, 1012, 1013, 1014) mean "reconnect, perhaps to another
 * instance"; every other code, in particular 4500 to 4999 and the standard 1000, 1003, 1007,
 * 1008 and 1009, means "do not reconnect
 * automatically: the same thing would happen again". 4500 is left to Spring's
 * {@link CloseStatus#SESSION_NOT_RELIABLE}, which the hub itself never sends.
 *
 * @author wshub
 */
public final class HubCloseStatus {

	/**
	 * The instance is shutting down; reconnect (load balancers route to another instance).
	 */
	public static final CloseStatus SHUTDOWN = new CloseStatus(4000, "server shutting down");

	/**
	 * The client did not answer a ping in time.
	 */
	public static final CloseStatus PING_TIMEOUT = new CloseStatus(4001, "ping timeout");

	/**
	 * The client did not read its messages fast enough; its send buffer or send time limit was
	 * exceeded.
	 */
	public static final CloseStatus SLOW_CONSUMER = new CloseStatus(4002, "slow consumer");

	/**
	 * The session was closed because of an unexpected server-side failure.
	 */
	public static final CloseStatus SERVER_ERROR = new CloseStatus(4003, "server error");

	/**
	 * This instance holds {@code hub.limits.max-sessions} sessions; reconnect (a load balancer
	 * routes to another instance).
	 */
	public static final CloseStatus INSTANCE_FULL = new CloseStatus(4004, "instance full");

	/**
	 * The session was disconnected by the application and should not reconnect by itself.
	 */
	public static final CloseStatus DISCONNECTED = new CloseStatus(4501, "disconnected");

	/**
	 * The client violated the protocol policy (for example sent too many messages).
	 */
	public static final CloseStatus POLICY_VIOLATION = new CloseStatus(4502, "policy violation");

	/**
	 * The user already holds {@code hub.limits.max-sessions-per-user} sessions on this instance.
	 */
	public static final CloseStatus TOO_MANY_SESSIONS = new CloseStatus(4503, "too many sessions");

	private HubCloseStatus() {
	}

	/**
	 * Whether a client should reconnect after a close with this code.
	 * @param code the close code
	 * @return {@code true} if reconnecting is expected to succeed
	 */
	public static boolean shouldReconnect(int code) {
		if (code >= 4000 && code <= 4499) {
			return true;
		}
		return code == 1001 || code == 1005 || code == 1006 || code == 1011 || code == 1012 || code == 1013
				|| code == 1014;
	}

}
