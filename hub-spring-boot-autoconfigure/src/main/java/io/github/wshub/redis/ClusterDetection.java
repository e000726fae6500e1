package io.github.wshub.redis;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Tells whether a {@link RedisConnectionFactory} talks to a Redis Cluster: the one place that
 * decides it, for every part of the hub whose behaviour differs on a cluster. Spring Boot
 * creates a cluster-aware factory when {@code spring.data.redis.cluster.nodes} is set; an
 * application's own factory counts when it was built with a cluster configuration.
 *
 * @author wshub
 */
public final class ClusterDetection {

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			ClusterDetection.class.getClassLoader());

	private static final boolean JEDIS_PRESENT = ClassUtils.isPresent("redis.clients.jedis.Jedis",
			ClusterDetection.class.getClassLoader());

	private ClusterDetection() {
	}

	/**
	 * Whether the connection factory connects to a Redis Cluster.
	 * @param connectionFactory the connection factory
	 * @return {@code true} for a cluster-aware Lettuce or Jedis factory
	 */
	public static boolean isCluster(RedisConnectionFactory connectionFactory) {
		if (LETTUCE_PRESENT && connectionFactory instanceof LettuceConnectionFactory lettuce) {
			return lettuce.isClusterAware();
		}
		if (JEDIS_PRESENT && connectionFactory instanceof JedisConnectionFactory jedis) {
			return jedis.isRedisClusterAware();
		}
		return false;
	}

}
