package io.github.wshub.session;

/**
 * Where a targeted send (to a user or a session) was routed.
 *
 * @param sessions how many sessions it was routed to; 0 means the target is offline
 * @param instances how many instances received it
 * @author wshub
 */
public record SendResult(int sessions, int instances) {

	/**
	 * Nothing was routed: the target is offline.
	 */
	public static final SendResult NONE = new SendResult(0, 0);

	/**
	 * Whether the send reached at least one session.
	 * @return {@code true} unless the target was offline
	 */
	public boolean isDelivered() {
		return this.sessions > 0;
	}

	/**
	 * Add the counts of another result.
	 * @param other the other result
	 * @return the sum
	 */
	public SendResult plus(SendResult other) {
		return new SendResult(this.sessions + other.sessions, this.instances + other.instances);
	}

}
