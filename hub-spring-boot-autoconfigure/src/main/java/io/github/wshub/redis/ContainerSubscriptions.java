package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Classic Pub/Sub through Spring Data Redis' {@link RedisMessageListenerContainer}: one
 * multiplexed connection, {@code SUBSCRIBE} and {@code UNSUBSCRIBE}, every message handed to the
 * {@link MessageRouter} on the connection's thread. The container's {@code addMessageListener}
 * blocks until Redis confirmed the subscription.
 *
 * @author wshub
 */
final class ContainerSubscriptions implements SubscriptionTransport {

	private final RedisMessageListenerContainer container;

	private final MessageRouter router;

	private final List<ProbeTarget> probeTargets;

	ContainerSubscriptions(RedisMessageListenerContainer container, MessageRouter router, String controlChannel) {
		this.container = container;
		this.router = router;
		this.probeTargets = List.of(new ProbeTarget("Redis", controlChannel.getBytes(StandardCharsets.UTF_8)));
	}

	@Override
	public void subscribe(List<String> channels) {
		this.container.addMessageListener(this.router, topics(channels));
	}

	@Override
	public void unsubscribe(List<String> channels) {
		this.container.removeMessageListener(this.router, topics(channels));
	}

	@Override
	public void unsubscribeAll() {
		this.container.removeMessageListener(this.router);
	}

	@Override
	public List<ProbeTarget> probeTargets() {
		return this.probeTargets;
	}

	@Override
	public @Nullable String getProblem() {
		return this.container.isListening() ? null : "the Redis listener container is not listening";
	}

	private static List<ChannelTopic> topics(List<String> channels) {
		List<ChannelTopic> topics = new ArrayList<>(channels.size());
		for (String channel : channels) {
			topics.add(new ChannelTopic(channel));
		}
		return topics;
	}

}
