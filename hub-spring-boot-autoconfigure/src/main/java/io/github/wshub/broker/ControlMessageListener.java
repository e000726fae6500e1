package io.github.wshub.broker;

/**
 * Receives the messages sent to this instance's control channel with
 * {@link TopicBroker#sendToInstance(String, byte[])}.
 *
 * @author wshub
 */
@FunctionalInterface
public interface ControlMessageListener {

	/**
	 * Called for every control message, in the order they were sent. Implementations must not
	 * block: they are called on the broker's I/O thread.
	 * @param payload the payload
	 */
	void onControlMessage(byte[] payload);

}
