package io.github.wshub.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link ShardedPubSubUnavailableException} and how to fix it.
 *
 * @author wshub
 */
class ShardedPubSubFailureAnalyzer extends AbstractFailureAnalyzer<ShardedPubSubUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ShardedPubSubUnavailableException cause) {
		return new FailureAnalysis(
				"The WebSocket hub is configured for sharded Redis Pub/Sub (hub.redis.pubsub=sharded), which "
						+ "needs a Redis Cluster (Redis 7 or later) reached through the Lettuce client, but the "
						+ "RedisConnectionFactory is not one: " + cause.getMessage(),
				"Point spring.data.redis.cluster.nodes at a Redis Cluster and use Lettuce (the default client), "
						+ "or set hub.redis.pubsub=auto (sharded on a cluster, classic otherwise) or "
						+ "hub.redis.pubsub=classic.",
				cause);
	}

}
