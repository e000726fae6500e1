package io.github.wshub.autoconfigure;

import io.github.wshub.autoconfigure.HubProperties.Redis.PubSub;
import io.github.wshub.redis.ClusterDetection;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Chooses between classic and sharded Pub/Sub ({@code hub.redis.pubsub}) from the connection
 * factory: sharded Pub/Sub needs a Redis Cluster and the Lettuce client.
 *
 * @author wshub
 */
final class RedisPubSubSelection {

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			RedisPubSubSelection.class.getClassLoader());

	private RedisPubSubSelection() {
	}

	/**
	 * Whether the connection factory talks to a Redis Cluster through Lettuce
	 * ({@code spring.data.redis.cluster.nodes} with the default client).
	 * @param connectionFactory the factory
	 * @return {@code true} for a Lettuce cluster factory
	 */
	static boolean isLettuceCluster(RedisConnectionFactory connectionFactory) {
		return LETTUCE_PRESENT && connectionFactory instanceof LettuceConnectionFactory
				&& ClusterDetection.isCluster(connectionFactory);
	}

	/**
	 * Decide whether topics travel through sharded Pub/Sub.
	 * @param mode the configured mode
	 * @param connectionFactory the factory
	 * @return {@code true} for sharded Pub/Sub
	 * @throws ShardedPubSubUnavailableException when sharded Pub/Sub is asked for on a factory
	 * that cannot do it
	 */
	static boolean isSharded(PubSub mode, RedisConnectionFactory connectionFactory) {
		boolean cluster = isLettuceCluster(connectionFactory);
		if (mode == PubSub.SHARDED && !cluster) {
			throw new ShardedPubSubUnavailableException(connectionFactory);
		}
		return mode == PubSub.SHARDED || (mode == PubSub.AUTO && cluster);
	}

}
