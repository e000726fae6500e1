package io.github.wshub.protocol;

import org.springframework.util.Assert;

/**
 * A WebSocket close code and reason, and the close codes the hub uses, independent of the
 * WebSocket API that carries them (the transport converts). The codes are split into two
 * documented ranges: codes from 4000 to 4499 (and the standard 1001, 1005, 1006, 1011, 1012,
 * 1013, 1014) mean "reconnect, perhaps to another instance"; every other code, in particular
 * 4500 to 4999 and the standard 1000, 1003, 1007, 1008 and 1009, means "do not reconnect
 * automatically: the same thing would happen again". 4500 is left to Spring's
 * {@code CloseStatus.SESSION_NOT_RELIABLE}, which the hub itself never sends.
 *
 * @param code the close code, from 1000 to 4999
 * @param reason the reason, empty for none
 * @author wshub
 */
public record HubCloseStatus(int code, String reason) {

	/**
	 * The instance is shutting down; reconnect (load balancers route to another instance).
	 */
	public static final HubCloseStatus SHUTDOWN = new HubCloseStatus(4000, "server shutting down");

	/**
	 * The client did not answer a ping in time.
	 */
	public static final HubCloseStatus PING_TIMEOUT = new HubCloseStatus(4001, "ping timeout");

	/**
	 * The client did not read its messages fast enough; its send buffer or send time limit was
	 * exceeded.
	 */
	public static final HubCloseStatus SLOW_CONSUMER = new HubCloseStatus(4002, "slow consumer");

	/**
	 * The session was closed because of an unexpected server-side failure.
	 */
	public static final HubCloseStatus SERVER_ERROR = new HubCloseStatus(4003, "server error");

	/**
	 * This instance holds {@code hub.limits.max-sessions} sessions; reconnect (a load balancer
	 * routes to another instance).
	 */
	public static final HubCloseStatus INSTANCE_FULL = new HubCloseStatus(4004, "instance full");

	/**
	 * The instance lost messages of a topic with history that it could not read back from the
	 * history; reconnect and subscribe with {@code since} to recover (or re-read the state).
	 */
	public static final HubCloseStatus STATE_LOST = new HubCloseStatus(4005, "state lost");

	/**
	 * The session was disconnected by the application and should not reconnect by itself.
	 */
	public static final HubCloseStatus DISCONNECTED = new HubCloseStatus(4501, "disconnected");

	/**
	 * The client violated the protocol policy (for example sent too many messages).
	 */
	public static final HubCloseStatus POLICY_VIOLATION = new HubCloseStatus(4502, "policy violation");

	/**
	 * The user already holds {@code hub.limits.max-sessions-per-user} sessions on this instance.
	 */
	public static final HubCloseStatus TOO_MANY_SESSIONS = new HubCloseStatus(4503, "too many sessions");

	/**
	 * The client sent a message longer than {@code hub.limits.max-frame-size} (the standard 1009,
	 * without a reason).
	 */
	public static final HubCloseStatus TOO_BIG_TO_PROCESS = new HubCloseStatus(1009, "");

	/**
	 * Create a close status.
	 * @param code the close code, from 1000 to 4999
	 * @param reason the reason, empty for none
	 */
	public HubCloseStatus {
		Assert.isTrue(code >= 1000 && code <= 4999, () -> "Invalid close code: " + code);
		Assert.notNull(reason, "'reason' must not be null");
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
