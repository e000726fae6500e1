package io.github.wshub.broker;

import java.util.Map;
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
	 * Whether the topic keeps a history (see {@link HistorySettings}), so that its messages
	 * carry an offset and an epoch and can be read back with {@link #readHistory}.
	 * @param topic the topic
	 * @return {@code false} unless the broker keeps history for the topic
	 */
	default boolean hasHistory(String topic) {
		return false;
	}

	/**
	 * Publish like {@link #publish(BrokerMessage)} and report the message's position in the
	 * topic's history. On a topic with history, the offset, the history append and the delivery
	 * to other instances are one atomic step, so every instance sees the topic's messages with
	 * the same offsets, in offset order, without gaps. Must not block.
	 * @param message the message, without a position
	 * @return a future completed with the message's position, or with {@code null} when the
	 * topic has no history; completed exceptionally like {@link #publish(BrokerMessage)}
	 */
	default CompletableFuture<@Nullable StreamPosition> publishWithPosition(BrokerMessage message) {
		return publish(message).thenApply((ignored) -> null);
	}

	/**
	 * Read a topic's history. Must not block.
	 * @param topic a topic with history
	 * @param afterOffset read the messages after this offset, at most {@code limit}; or, when
	 * negative, the last {@code limit} messages
	 * @param limit the most messages to read
	 * @return a future completed with the messages and the history's current position, or
	 * completed exceptionally with a {@link BrokerUnavailableException}
	 */
	default CompletableFuture<HistorySlice> readHistory(String topic, long afterOffset, int limit) {
		return CompletableFuture.failedFuture(new UnsupportedOperationException("No history for '" + topic + "'"));
	}

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
	 * Return how many topic subscriptions this instance holds on each node of the broker, for
	 * a broker whose topics are spread over nodes (sharded Pub/Sub on a Redis Cluster).
	 * @return counts by node name (for example {@code 127.0.0.1:7001}), empty when the broker
	 * has no nodes to tell apart
	 */
	default Map<String, Integer> subscriptionsPerNode() {
		return Map.of();
	}

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
