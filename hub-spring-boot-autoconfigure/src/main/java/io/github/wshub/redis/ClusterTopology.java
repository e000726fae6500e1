package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What {@link ShardedSubscriptions} needs to know of a Redis Cluster: the connection factory's
 * {@link RedisClusterClient}, a way to reload the topology on demand, the hash slot of a channel, and the nodes' connections.
 *
 * @author wshub
 */
final class ClusterTopology {

	// The broker's logger: operators find every broker message under one name.
	private static final Log logger = LogFactory.getLog(RedisTopicBroker.class);

	private final LettuceConnectionFactory connectionFactory;

	private final Duration reloadWait;

	private volatile @Nullable RedisClusterClient client;

	/**
	 * Create a view of the factory's cluster.
	 * @param connectionFactory a factory for a Redis Cluster
	 * @param reloadWait how long {@link #reload()} waits for the cluster
	 */
	ClusterTopology(LettuceConnectionFactory connectionFactory, Duration reloadWait) {
		this.connectionFactory = connectionFactory;
		this.reloadWait = reloadWait;
	}

	/**
	 * Return the factory's cluster client. Its topology refresh is configured by the
	 * application or, by default, by {@code HubRedisClusterAutoConfiguration}.
	 * @return the client
	 * @throws IllegalStateException if the factory has no cluster client (yet)
	 */
	RedisClusterClient client() {
		RedisClusterClient current = this.client;
		if (current != null) {
			return current;
		}
		AbstractRedisClient nativeClient = this.connectionFactory.getNativeClient();
		if (!(nativeClient instanceof RedisClusterClient clusterClient)) {
			throw new IllegalStateException("Sharded Pub/Sub needs a Redis Cluster connection factory");
		}
		this.client = clusterClient;
		return clusterClient;
	}

	/**
	 * Call back whenever Lettuce sees the cluster's topology change.
	 * @param onChange called on a Lettuce event thread; must not block
	 * @return the watch, to close when done
	 */
	ClusterTopologyWatch watch(Runnable onChange) {
		return ClusterTopologyWatch.start(this.connectionFactory, onChange);
	}

	/**
	 * Reload the topology from the cluster, waiting at most the reload wait. Every connection
	 * of the client routes by the new topology afterwards.
	 */
	void reload() {
		RedisClusterClient current = this.client;
		if (current == null) {
			return;
		}
		try {
			current.refreshPartitionsAsync().toCompletableFuture().get(this.reloadWait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.debug("Reloading the cluster topology failed", ex);
		}
	}

	/**
	 * Return a probe channel whose hash tag falls in one of a node's slots.
	 * @param controlChannel the instance's control channel
	 * @param node a master with slots
	 * @return the channel, or {@code null} when no tag reaches the node (an instance id with a
	 * hash tag of its own hashes every probe channel to one slot)
	 */
	static @Nullable String probeChannelFor(String controlChannel, RedisClusterNode node) {
		for (int i = 0; i < 4 * SlotHash.SLOT_COUNT; i++) {
			String channel = RedisNames.probeChannel(controlChannel, Integer.toString(i, 36));
			if (node.hasSlot(slot(channel))) {
				return channel;
			}
		}
		return null;
	}

	/**
	 * Whether the Pub/Sub connection to a node, through which Lettuce sends the commands of
	 * its slots, is open.
	 * @param connection the cluster Pub/Sub connection
	 * @param node the node
	 * @return {@code true} when connected
	 */
	static boolean isConnected(StatefulRedisClusterPubSubConnection<byte[], byte[]> connection,
			RedisClusterNode node) {
		StatefulRedisPubSubConnection<byte[], byte[]> nodeConnection = nodeConnection(connection, node);
		return nodeConnection != null && nodeConnection.isOpen();
	}

	/**
	 * Whether the Pub/Sub connection to a node exists and is down (Lettuce is reconnecting):
	 * a command sent now would wait until the node is back.
	 * @param connection the cluster Pub/Sub connection
	 * @param node the node, or {@code null}
	 * @return {@code true} when it is known to be down
	 */
	static boolean isDisconnected(StatefulRedisClusterPubSubConnection<byte[], byte[]> connection,
			@Nullable RedisClusterNode node) {
		if (node == null) {
			return false;
		}
		CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> pending = connect(connection, node);
		StatefulRedisPubSubConnection<byte[], byte[]> nodeConnection = nodeConnection(connection, node);
		return pending.isDone() && (nodeConnection == null || !nodeConnection.isOpen());
	}

	/**
	 * Return the Pub/Sub connection to a node if Lettuce has established it, without waiting.
	 */
	private static @Nullable StatefulRedisPubSubConnection<byte[], byte[]> nodeConnection(
			StatefulRedisClusterPubSubConnection<byte[], byte[]> connection, RedisClusterNode node) {
		CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> pending = connect(connection, node);
		return (pending.isDone() && !pending.isCompletedExceptionally()) ? pending.join() : null;
	}

	private static CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> connect(
			StatefulRedisClusterPubSubConnection<byte[], byte[]> connection, RedisClusterNode node) {
		try {
			return connection.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort());
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Unsubscribe channels on a node that no longer owns them, if its connection is open, so
	 * that Lettuce does not subscribe them there again when it reconnects. Does not wait.
	 * @param connection the cluster Pub/Sub connection
	 * @param node the former owner
	 * @param channels the channels
	 */
	static void leave(StatefulRedisClusterPubSubConnection<byte[], byte[]> connection, RedisClusterNode node,
			List<String> channels) {
		try {
			StatefulRedisPubSubConnection<byte[], byte[]> former = nodeConnection(connection, node);
			if (former != null && former.isOpen()) {
				former.async().sunsubscribe(bytes(channels));
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Could not unsubscribe from former node " + address(node), ex);
		}
	}

	/**
	 * Whether the cluster reports a node as failing ({@code fail} or {@code fail?}).
	 * @param node the node, or {@code null}
	 * @return {@code true} when it is known to fail
	 */
	static boolean isFailing(@Nullable RedisClusterNode node) {
		return node != null
				&& (node.is(RedisClusterNode.NodeFlag.FAIL) || node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL));
	}

	/**
	 * Group channels by hash slot, for commands that may only name channels of one slot.
	 * @param channels the channels
	 * @return the channels of each slot
	 */
	static Map<Integer, List<String>> bySlot(Collection<String> channels) {
		Map<Integer, List<String>> groups = new TreeMap<>();
		for (String channel : channels) {
			groups.computeIfAbsent(slot(channel), (slot) -> new ArrayList<>()).add(channel);
		}
		return groups;
	}

	static int slot(String channel) {
		return SlotHash.getSlot(utf8(channel));
	}

	/**
	 * Name the master of a slot for health details.
	 * @param partitions the topology
	 * @param slot the slot
	 * @return {@code Redis node host:port}
	 */
	static String nodeName(Partitions partitions, int slot) {
		RedisClusterNode owner = partitions.getMasterBySlot(slot);
		return "Redis node " + ((owner != null) ? address(owner) : "for slot " + slot);
	}

	static String address(RedisClusterNode node) {
		return node.getUri().getHost() + ":" + node.getUri().getPort();
	}

	static byte[][] bytes(List<String> channels) {
		byte[][] result = new byte[channels.size()][];
		for (int i = 0; i < result.length; i++) {
			result[i] = utf8(channels.get(i));
		}
		return result;
	}

	static byte[] utf8(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
