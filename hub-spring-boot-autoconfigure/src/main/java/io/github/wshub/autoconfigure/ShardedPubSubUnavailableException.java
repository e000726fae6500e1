package io.github.wshub.autoconfigure;

import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Thrown at startup when {@code hub.redis.pubsub=sharded} is set but the connection factory is
 * not a Lettuce connection factory for a Redis Cluster.
 *
 * @author wshub
 */
public class ShardedPubSubUnavailableException extends IllegalStateException {

	ShardedPubSubUnavailableException(RedisConnectionFactory connectionFactory) {
		super("hub.redis.pubsub=sharded needs a Redis Cluster with the Lettuce client, but the connection factory is a "
				+ connectionFactory.getClass().getSimpleName() + " for a non-cluster Redis or another client");
	}

}
