package io.github.wshub.memory;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.BrokerMessageListener;
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

	private volatile @Nullable BrokerMessageListener listener;

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
		BrokerMessageListener current = this.listener;
		if (current != null && this.subscribed.contains(message.topic())) {
			current.onMessage(message);
		}
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

}
