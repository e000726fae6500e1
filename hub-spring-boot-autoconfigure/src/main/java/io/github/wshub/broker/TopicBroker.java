package io.github.wshub.broker;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * Carries topic messages between hub instances. The hub calls {@link #subscribe(String)} when a
 * topic's local refcount goes from 0 to 1 (and again for each further local subscriber, to
 * learn when the subscription is confirmed) and {@link #unsubscribe(String)} when it goes from
 * 1 to 0; both calls for one topic are made in refcount order, under the topic's lock, and must
 * not block.
 * <p>
 * Every implementation delivers the messages of one topic to its listener in one order, the
 * same order on every instance.
 *
 * @author wshub
 * @see io.github.wshub.memory.InMemoryTopicBroker
 * @see io.github.wshub.redis.RedisTopicBroker
 */
public interface TopicBroker {

	/**
	 * Set the listener receiving messages of subscribed topics. Called once, before any
	 * subscription.
	 * @param listener the listener
	 */
	void setMessageListener(BrokerMessageListener listener);

	/**
	 * Make sure this instance receives the topic's messages. Idempotent; must not block.
	 * @param topic the topic
	 * @return a future completed once every message published after it completes will be
	 * received, or completed exceptionally if the subscription could not be made
	 */
	CompletableFuture<Void> subscribe(String topic);

	/**
	 * The last local subscriber of the topic has gone. An implementation may keep the
	 * subscription for a grace period in case it is needed again. Must not block.
	 * @param topic the topic
	 */
	void unsubscribe(String topic);

	/**
	 * Publish an encoded message to every instance subscribed to its topic. Must not block.
	 * Calls made one after another from one thread are published in that order.
	 * @param message the message
	 * @return a future completed once the broker accepted the message, or completed
	 * exceptionally with a {@link BrokerUnavailableException}
	 */
	CompletableFuture<Void> publish(BrokerMessage message);

	/**
	 * Set the listener receiving messages sent to this instance with
	 * {@link #sendToInstance(String, byte[])}. Called once, before the broker starts.
	 * @param listener the listener
	 */
	void setControlMessageListener(ControlMessageListener listener);

	/**
	 * Send a message to one instance's control channel. Must not block.
	 * @param instanceId the receiving instance
	 * @param payload the payload
	 * @return a future completed with whether the instance was subscribed and received it, or
	 * completed exceptionally with a {@link BrokerUnavailableException}
	 */
	CompletableFuture<Boolean> sendToInstance(String instanceId, byte[] payload);

	/**
	 * Return a future completed once every message of this instance's subscriptions that was
	 * published before the call has been handed to the {@link BrokerMessageListener}. Used to
	 * flush deliveries before sessions are closed.
	 * @return the future, completed exceptionally if the broker cannot confirm it
	 */
	CompletableFuture<Void> roundTrip();

	/**
	 * Return the topics this instance holds a broker subscription for right now.
	 * @return a snapshot of the subscribed topics
	 */
	Set<String> subscribedTopics();

	/**
	 * Whether the broker is connected and able to deliver messages.
	 * @return {@code true} when connected
	 */
	boolean isConnected();

	/**
	 * Say why the broker is not {@link #isConnected() connected}, for health details and logs.
	 * @return a short reason, or {@code null} when it is connected
	 */
	default @Nullable String getProblem() {
		return isConnected() ? null : "the broker is not connected";
	}

	/**
	 * Return a stable word naming the kind of broker, as shown by the Actuator endpoint (for
	 * example {@code redis} or {@code memory}).
	 * @return the type
	 */
	default String getType() {
		return "custom";
	}

}
