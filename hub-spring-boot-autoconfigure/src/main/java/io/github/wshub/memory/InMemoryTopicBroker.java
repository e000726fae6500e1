package io.github.wshub.memory;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.BrokerMessageListener;
import io.github.wshub.broker.ControlMessageListener;
import io.github.wshub.broker.HistorySettings;
import io.github.wshub.broker.HistorySlice;
import io.github.wshub.broker.StreamPosition;
import io.github.wshub.broker.TopicBroker;

import org.springframework.util.Assert;

/**
 * {@link TopicBroker} for a single instance without Redis: a publish is handed straight to the
 * local listener. Behaves like the Redis broker otherwise: subscriptions are tracked per topic,
 * and a topic's messages reach the listener in publish order.
 *
 * @author wshub
 */
public class InMemoryTopicBroker implements TopicBroker {

	private final Set<String> subscribed = ConcurrentHashMap.newKeySet();

	private final String instanceId;

	private volatile @Nullable BrokerMessageListener listener;

	private volatile @Nullable ControlMessageListener controlListener;

	private volatile @Nullable InMemoryTopicHistory history;

	/**
	 * Create a broker.
	 * @param instanceId the id of this (only) instance
	 */
	public InMemoryTopicBroker(String instanceId) {
		this.instanceId = instanceId;
	}

	/**
	 * Set which topics keep a history (none by default).
	 * @param settings the history settings
	 */
	public void setHistorySettings(HistorySettings settings) {
		Assert.notNull(settings, "'settings' must not be null");
		this.history = settings.isEnabled() ? new InMemoryTopicHistory(settings) : null;
	}

	@Override
	public boolean hasHistory(String topic) {
		InMemoryTopicHistory current = this.history;
		return current != null && current.hasHistory(topic);
	}

	@Override
	public CompletableFuture<@Nullable StreamPosition> publishWithPosition(BrokerMessage message) {
		InMemoryTopicHistory current = this.history;
		if (current == null || !current.hasHistory(message.topic())) {
			return publish(message).thenApply((ignored) -> null);
		}
		return CompletableFuture.completedFuture(current.publish(message, this::deliver));
	}

	@Override
	public CompletableFuture<HistorySlice> readHistory(String topic, long afterOffset, int limit) {
		InMemoryTopicHistory current = this.history;
		if (current == null || !current.hasHistory(topic)) {
			return TopicBroker.super.readHistory(topic, afterOffset, limit);
		}
		return CompletableFuture.completedFuture(current.read(topic, afterOffset, limit));
	}

	@Override
	public void setMessageListener(BrokerMessageListener listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.listener = listener;
	}

	@Override
	public CompletableFuture<Void> subscribe(String topic) {
		this.subscribed.add(topic);
		return CompletableFuture.completedFuture(null);
	}

	@Override
	public void unsubscribe(String topic) {
		this.subscribed.remove(topic);
	}

	@Override
	public CompletableFuture<Void> publish(BrokerMessage message) {
		InMemoryTopicHistory currentHistory = this.history;
		if (currentHistory != null && currentHistory.hasHistory(message.topic())) {
			currentHistory.publish(message, this::deliver);
		}
		else {
			deliver(message);
		}
		return CompletableFuture.completedFuture(null);
	}

	private void deliver(BrokerMessage message) {
		BrokerMessageListener current = this.listener;
		if (current != null && this.subscribed.contains(message.topic())) {
			current.onMessage(message);
		}
	}

	@Override
	public void setControlMessageListener(ControlMessageListener listener) {
		this.controlListener = listener;
	}

	@Override
	public CompletableFuture<Boolean> sendToInstance(String instanceId, byte[] payload) {
		ControlMessageListener current = this.controlListener;
		if (current == null || !this.instanceId.equals(instanceId)) {
			return CompletableFuture.completedFuture(false);
		}
		current.onControlMessage(payload);
		return CompletableFuture.completedFuture(true);
	}

	@Override
	public CompletableFuture<Void> roundTrip() {
		// Publishing hands messages to the listener synchronously: nothing is in flight.
		return CompletableFuture.completedFuture(null);
	}

	@Override
	public Set<String> subscribedTopics() {
		return Set.copyOf(this.subscribed);
	}

	@Override
	public boolean isConnected() {
		return true;
	}

	@Override
	public String getType() {
		return "memory";
	}

}
