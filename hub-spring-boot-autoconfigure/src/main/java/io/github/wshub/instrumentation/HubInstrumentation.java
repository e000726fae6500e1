package io.github.wshub.instrumentation;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.protocol.ErrorCode;
import io.github.wshub.protocol.HubCloseStatus;

/**
 * Receives the hub's events as they happen, for metrics. Every method is called on a hot path
 * (a container thread, a dispatch lane, the Redis connection's thread): implementations must be
 * fast, thread-safe and must not block. The default methods do nothing.
 *
 * @author wshub
 * @see #NONE
 */
public interface HubInstrumentation {

	/**
	 * Instrumentation that records nothing.
	 */
	HubInstrumentation NONE = new HubInstrumentation() {
	};

	/**
	 * A message was accepted by the broker.
	 * @param source who published it
	 */
	default void messagePublished(PublishSource source) {
	}

	/**
	 * A publish was refused and reached nobody.
	 * @param reason why
	 */
	default void messageRefused(RefusalReason reason) {
	}

	/**
	 * A message from the broker was handed to this instance's subscribers.
	 * @param message the message, carrying its publish time
	 * @param sessions how many sessions it was handed to
	 * @param fanOutNanos how long handing it to all of them took
	 */
	default void messageDelivered(BrokerMessage message, int sessions, long fanOutNanos) {
	}

	/**
	 * A message was not delivered where it should have been.
	 * @param reason why
	 * @param count how many deliveries were lost
	 */
	default void messageDropped(DropReason reason, int count) {
	}

	/**
	 * A session closed.
	 * @param status the close status, from either side
	 */
	default void sessionClosed(HubCloseStatus status) {
	}

	/**
	 * An error frame was sent to a client.
	 * @param code its code
	 */
	default void errorSent(ErrorCode code) {
	}

	/**
	 * A topic's first local subscription was confirmed by the broker.
	 * @param nanos how long confirmation took, from the refcount going 0 to 1
	 */
	default void subscribeConfirmed(long nanos) {
	}

	/**
	 * A targeted send ({@code direct} frame to a user or session) completed.
	 * @param outcome whether it reached a session, found the target offline, or failed
	 */
	default void directSent(DirectOutcome outcome) {
	}

	/**
	 * The broker recovered from a connection loss and re-subscribed.
	 */
	default void brokerReconnected() {
	}

	/**
	 * A subscribe with {@code since} on a topic with history was answered.
	 * @param recovered whether it recovered every missed message
	 */
	default void recoveryAnswered(boolean recovered) {
	}

	/**
	 * This instance noticed a gap in the offsets of a topic with history.
	 * @param repaired {@code true} when the missing messages were read back from the history,
	 * {@code false} when they were gone and the topic's sessions were closed with 4005
	 */
	default void historyGap(boolean repaired) {
	}

	/**
	 * Who published a message.
	 */
	enum PublishSource {

		/**
		 * A WebSocket client.
		 */
		CLIENT,

		/**
		 * Application code, through {@link HubTemplate}.
		 */
		SERVER

	}

	/**
	 * Why a publish was refused.
	 */
	enum RefusalReason {

		/**
		 * The topic policy does not allow the client to publish on the topic.
		 */
		FORBIDDEN,

		/**
		 * The broker did not accept it.
		 */
		BROKER_UNAVAILABLE

	}

	/**
	 * How a targeted send ended.
	 */
	enum DirectOutcome {

		/**
		 * It was routed to at least one session.
		 */
		DELIVERED,

		/**
		 * The target had no session on a live instance.
		 */
		OFFLINE,

		/**
		 * The registry or the broker failed.
		 */
		FAILED

	}

	/**
	 * Why a delivery was lost.
	 */
	enum DropReason {

		/**
		 * The session exceeded its send buffer or send time limit and was closed.
		 */
		SLOW_CONSUMER,

		/**
		 * Writing to the session failed (the connection broke).
		 */
		SEND_FAILED,

		/**
		 * The topic's dispatch lane was full: the instance is overloaded.
		 */
		LANE_FULL

	}

}
