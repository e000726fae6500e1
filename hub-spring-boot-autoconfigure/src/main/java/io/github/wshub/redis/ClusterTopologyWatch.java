package io.github.wshub.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.resource.ClientResources;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Calls back when Lettuce's Redis Cluster client sees the topology change (a failover promoted
 * a replica, slots moved): the moment a failover may have lost writes that the failed master had
 * not replicated. Watches nothing for another client or a non-cluster factory.
 *
 * @author wshub
 */
final class ClusterTopologyWatch implements AutoCloseable {

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			ClusterTopologyWatch.class.getClassLoader());

	private final @Nullable Object subscription;

	private ClusterTopologyWatch(@Nullable Object subscription) {
		this.subscription = subscription;
	}

	/**
	 * Start watching the topology of the connection factory's cluster.
	 * @param connectionFactory the connection factory
	 * @param onChange called on a Lettuce event thread after each change; must not block
	 * @return the watch, to close when done
	 */
	static ClusterTopologyWatch start(@Nullable RedisConnectionFactory connectionFactory, Runnable onChange) {
		if (LETTUCE_PRESENT && connectionFactory instanceof LettuceConnectionFactory lettuce
				&& lettuce.isClusterAware()) {
			return new ClusterTopologyWatch(LettuceWatch.subscribe(lettuce, onChange));
		}
		return new ClusterTopologyWatch(null);
	}

	/**
	 * Whether this watch follows a cluster's topology.
	 * @return {@code false} for a non-cluster or non-Lettuce factory
	 */
	boolean isWatching() {
		return this.subscription != null;
	}

	@Override
	public void close() {
		if (this.subscription != null) {
			((Disposable) this.subscription).dispose();
		}
	}

	/**
	 * Kept apart so that Lettuce and Reactor classes load only when Lettuce is present.
	 */
	private static final class LettuceWatch {

		static @Nullable Disposable subscribe(LettuceConnectionFactory lettuce, Runnable onChange) {
			AbstractRedisClient client = lettuce.getNativeClient();
			ClientResources resources = (client != null) ? client.getResources() : lettuce.getClientResources();
			if (resources == null) {
				return null;
			}
			return resources.eventBus()
				.get()
				.filter(ClusterTopologyChangedEvent.class::isInstance)
				.subscribe((event) -> onChange.run());
		}

	}

}
