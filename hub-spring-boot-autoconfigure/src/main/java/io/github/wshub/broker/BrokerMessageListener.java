package io.github.wshub.broker;

/**
 * Receives the messages of the topics a {@link TopicBroker} is subscribed to.
 *
 * @author wshub
 */
@FunctionalInterface
public interface BrokerMessageListener {

	/**
	 * Called for every message of a subscribed topic, in the broker's order for that topic.
	 * Implementations must not block: they are called on the broker's I/O thread.
	 * @param message the message
	 */
	void onMessage(BrokerMessage message);

}
