package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Sharded Pub/Sub on a Redis Cluster, through Lettuce's cluster Pub/Sub connection of the
 * connection factory's {@link RedisClusterClient}: Lettuce routes each {@code SSUBSCRIBE} by the
 * slot of its first channel to a Pub/Sub connection of the node that owns it, so every call
 * names the channels of one slot only. A batch of channels is sent as one {@code SSUBSCRIBE}
 * per slot, all at once, and awaited together.
 * <p>
 * <b>Which node holds what.</b> For every channel it keeps subscribed (topic channels, the
 * control channel and one probe channel per master, see {@link RedisNames#probeChannel}), the
 * transport records the node that confirmed the subscription. A channel needs subscribing
 * again when Redis pushed an {@code SUNSUBSCRIBE} the hub did not ask for (its slot moved to
 * another master), when the cluster's topology names another owner of its slot (a failover or
 * a resharding), or when the connection to its node is down. {@link #maintain()} checks this
 * every second on the subscription thread, from the topology Lettuce holds, and at once after a
 * pushed {@code SUNSUBSCRIBE} or a topology change Lettuce reports
 * ({@link ClusterTopologyWatch}); when something is off, it first reloads the topology from the
 * cluster. Lettuce does not move shard subscriptions by itself when a slot's owner changes
 * (lettuce issue 3213), so this check is what restores them.
 * <p>
 * <b>Topology refresh.</b> Lettuce's periodic and adaptive refresh (enabled by
 * {@code HubRedisClusterAutoConfiguration} unless the application configured its own) keeps
 * the topology current between these checks; the checks reload it themselves when in doubt.
 *
 * @author wshub
 */
final class ShardedSubscriptions implements SubscriptionTransport {

	// The broker's logger: operators find every broker message under one name.
	private static final Log logger = LogFactory.getLog(RedisTopicBroker.class);

	/**
	 * How often the subscriptions are checked against the cluster's topology.
	 */
	static final Duration AUDIT_INTERVAL = Duration.ofSeconds(1);

	// How long a repair or a topology reload may hold the subscription thread: a dead master
	// must not keep it from repairing the other channels.
	private static final Duration REPAIR_WAIT = Duration.ofSeconds(2);

	// How soon a failed repair is tried again (each try reloads the topology).
	private static final Duration REPAIR_INTERVAL = Duration.ofMillis(250);

	private static final String PENDING = "";

	private final ClusterTopology topology;

	private final MessageRouter router;

	private final String controlChannel;

	private final Duration subscribeTimeout;

	// Every channel kept subscribed, with the id of the node that confirmed it (PENDING while a
	// subscription is under way or due).
	private final Map<String, String> subscriptions = new ConcurrentHashMap<>();

	// The probe channel of each master, by node id.
	private volatile Map<String, String> probeChannels = Map.of();

	private volatile boolean repairRequested;

	private volatile @Nullable StatefulRedisClusterPubSubConnection<byte[], byte[]> connection;

	private @Nullable ClusterTopologyWatch topologyWatch;

	private long nextAudit;

	private long nextRepair;

	ShardedSubscriptions(LettuceConnectionFactory connectionFactory, MessageRouter router, String controlChannel,
			Duration subscribeTimeout) {
		this.topology = new ClusterTopology(connectionFactory, REPAIR_WAIT);
		this.router = router;
		this.controlChannel = controlChannel;
		this.subscribeTimeout = subscribeTimeout;
	}

	@Override
	public void subscribe(List<String> channels) {
		StatefulRedisClusterPubSubConnection<byte[], byte[]> current = connection();
		channels.forEach((channel) -> this.subscriptions.putIfAbsent(channel, PENDING));
		String failure = ssubscribe(current, channels, this.subscribeTimeout);
		if (failure != null) {
			throw new IllegalStateException(failure);
		}
	}

	@Override
	public void resubscribe(List<String> channels) {
		StatefulRedisClusterPubSubConnection<byte[], byte[]> current = connection();
		this.topology.reload();
		updateProbeChannels(current.getPartitions());
		// Every channel keeps its recorded node until Redis confirms it again: the probe goes on
		// pinging, and naming, the node that holds it meanwhile.
		channels.forEach((channel) -> this.subscriptions.putIfAbsent(channel, PENDING));
		List<String> all = new ArrayList<>(this.subscriptions.keySet());
		String failure = ssubscribe(current, all, this.subscribeTimeout);
		if (failure != null) {
			this.repairRequested = true;
			throw new IllegalStateException(failure);
		}
	}

	@Override
	public void unsubscribe(List<String> channels) {
		// Forgotten first: the SUNSUBSCRIBE pushed back is then no reason to repair.
		channels.forEach(this.subscriptions::remove);
		StatefulRedisClusterPubSubConnection<byte[], byte[]> current = this.connection;
		if (current == null) {
			return;
		}
		List<RedisFuture<Void>> futures = new ArrayList<>();
		for (List<String> group : ClusterTopology.bySlot(channels).values()) {
			futures.add(current.async().sunsubscribe(ClusterTopology.bytes(group)));
		}
		String failure = await(futures, this.subscribeTimeout);
		if (failure != null) {
			throw new IllegalStateException("Redis did not confirm SUNSUBSCRIBE: " + failure);
		}
	}

	@Override
	public void maintain() {
		StatefulRedisClusterPubSubConnection<byte[], byte[]> current = this.connection;
		long now = System.nanoTime();
		boolean due = now - this.nextAudit >= 0 || (this.repairRequested && now - this.nextRepair >= 0);
		if (current == null || !due) {
			return;
		}
		this.nextAudit = now + AUDIT_INTERVAL.toNanos();
		this.nextRepair = now + REPAIR_INTERVAL.toNanos();
		try {
			audit(current);
		}
		catch (RuntimeException ex) {
			this.repairRequested = true;
			logger.debug("Checking sharded subscriptions failed", ex);
		}
	}

	private void audit(StatefulRedisClusterPubSubConnection<byte[], byte[]> current) {
		boolean refreshed = this.repairRequested;
		this.repairRequested = false;
		if (refreshed) {
			this.topology.reload();
		}
		updateProbeChannels(current.getPartitions());
		List<String> stale = staleChannels(current);
		if (!stale.isEmpty() && !refreshed) {
			// Lettuce's view may be behind the cluster's: ask the cluster before moving anything.
			this.topology.reload();
			updateProbeChannels(current.getPartitions());
			stale = staleChannels(current);
		}
		if (stale.isEmpty()) {
			return;
		}
		Map<String, List<String>> formerNodes = new HashMap<>();
		for (String channel : stale) {
			String node = this.subscriptions.getOrDefault(channel, PENDING);
			if (!PENDING.equals(node)) {
				formerNodes.computeIfAbsent(node, (id) -> new ArrayList<>()).add(channel);
			}
		}
		Partitions partitions = current.getPartitions();
		formerNodes.forEach((nodeId, channels) -> {
			RedisClusterNode former = partitions.getPartitionByNodeId(nodeId);
			if (former != null) {
				ClusterTopology.leave(current, former, channels);
			}
		});
		String failure = ssubscribe(current, stale, REPAIR_WAIT);
		if (failure == null) {
			logger.info("Sharded Pub/Sub: subscribed " + stale.size()
					+ " channel(s) again on the node that owns their slot now");
		}
		else {
			this.repairRequested = true;
			logger.debug("Sharded Pub/Sub: repairing " + stale.size() + " channel(s) failed, retrying: " + failure);
		}
	}

	/**
	 * Return the channels whose confirmed subscription is not on the current owner of their
	 * slot, or whose owner's connection is down.
	 */
	private List<String> staleChannels(StatefulRedisClusterPubSubConnection<byte[], byte[]> current) {
		Partitions partitions = current.getPartitions();
		Map<String, Boolean> connected = new HashMap<>();
		List<String> stale = new ArrayList<>();
		this.subscriptions.forEach((channel, nodeId) -> {
			RedisClusterNode owner = partitions.getMasterBySlot(ClusterTopology.slot(channel));
			boolean held = owner != null && owner.getNodeId().equals(nodeId)
					&& connected.computeIfAbsent(nodeId, (id) -> ClusterTopology.isConnected(current, owner));
			if (!held) {
				stale.add(channel);
			}
		});
		return stale;
	}

	/**
	 * Keep one probe channel on every master that owns slots, each with a hash tag in one of
	 * that master's slots, and drop the probe channels of nodes that own none any more.
	 */
	private void updateProbeChannels(Partitions partitions) {
		Map<String, String> wanted = new LinkedHashMap<>();
		for (RedisClusterNode node : partitions) {
			if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
				String existing = this.probeChannels.get(node.getNodeId());
				boolean keep = existing != null && node.hasSlot(ClusterTopology.slot(existing));
				String channel = keep ? existing : ClusterTopology.probeChannelFor(this.controlChannel, node);
				if (channel != null) {
					wanted.put(node.getNodeId(), channel);
				}
			}
		}
		Set<String> dropped = new HashSet<>(this.probeChannels.values());
		dropped.removeAll(wanted.values());
		wanted.values().forEach((channel) -> this.subscriptions.putIfAbsent(channel, PENDING));
		this.probeChannels = Map.copyOf(wanted);
		if (!dropped.isEmpty()) {
			try {
				unsubscribe(new ArrayList<>(dropped));
			}
			catch (RuntimeException ex) {
				logger.debug("Failed to unsubscribe probe channels of former masters", ex);
			}
		}
	}

	/**
	 * Send one {@code SSUBSCRIBE} per slot and wait for all of them, recording the owner of
	 * each confirmed channel. A slot whose owner is down fails at once: Lettuce would queue
	 * the command until the node is back.
	 * @return what failed, or {@code null} when every channel was confirmed
	 */
	private @Nullable String ssubscribe(StatefulRedisClusterPubSubConnection<byte[], byte[]> current,
			Collection<String> channels, Duration wait) {
		Partitions partitions = current.getPartitions();
		List<CompletableFuture<Void>> futures = new ArrayList<>();
		List<CompletableFuture<Void>> recorded = new ArrayList<>();
		ClusterTopology.bySlot(channels).forEach((slot, group) -> {
			RedisClusterNode owner = partitions.getMasterBySlot(slot);
			if (ClusterTopology.isFailing(owner) || ClusterTopology.isDisconnected(current, owner)) {
				futures.add(CompletableFuture.failedFuture(
						new IllegalStateException("Redis node " + ClusterTopology.address(owner) + " is down")));
				return;
			}
			CompletableFuture<Void> future = current.async()
				.ssubscribe(ClusterTopology.bytes(group))
				.toCompletableFuture();
			futures.add(future);
			recorded.add(future.thenRun(() -> {
				if (owner != null) {
					group.forEach((channel) -> this.subscriptions.computeIfPresent(channel,
							(key, node) -> owner.getNodeId()));
				}
			}));
		});
		String failure = await(futures, wait);
		// Recording runs right after each confirmation; wait for it so that a check right
		// after this call does not take a confirmed channel for a pending one.
		await(new ArrayList<>(recorded), Duration.ofMillis(100));
		return (failure != null) ? "Redis did not confirm SSUBSCRIBE of " + channels.size() + " channel(s): " + failure
				: null;
	}

	private static @Nullable String await(List<? extends Future<?>> futures, Duration wait) {
		long deadline = System.nanoTime() + wait.toNanos();
		String failure = null;
		int failed = 0;
		for (Future<?> future : futures) {
			try {
				future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return "interrupted";
			}
			catch (ExecutionException ex) {
				failed++;
				failure = String.valueOf(ex.getCause().getMessage());
			}
			catch (TimeoutException ex) {
				failed++;
				failure = "no reply within " + wait.toMillis() + " ms";
			}
		}
		return (failure != null) ? failed + " of " + futures.size() + " call(s) failed, last: " + failure : null;
	}

	@Override
	public void unsubscribeAll() {
		StatefulRedisClusterPubSubConnection<byte[], byte[]> current = this.connection;
		this.connection = null;
		this.subscriptions.clear();
		this.probeChannels = Map.of();
		ClusterTopologyWatch watch = this.topologyWatch;
		this.topologyWatch = null;
		if (watch != null) {
			watch.close();
		}
		if (current != null) {
			current.closeAsync();
		}
	}

	@Override
	public List<ProbeTarget> probeTargets() {
		StatefulRedisClusterPubSubConnection<byte[], byte[]> current = this.connection;
		if (current == null) {
			return List.of();
		}
		Partitions partitions = current.getPartitions();
		List<ProbeTarget> targets = new ArrayList<>();
		for (String channel : this.probeChannels.values()) {
			if (!PENDING.equals(this.subscriptions.getOrDefault(channel, PENDING))) {
				targets.add(target(partitions, channel));
			}
		}
		if (targets.isEmpty() && !PENDING.equals(this.subscriptions.getOrDefault(this.controlChannel, PENDING))) {
			targets.add(target(partitions, this.controlChannel));
		}
		return targets;
	}

	private static ProbeTarget target(Partitions partitions, String channel) {
		return new ProbeTarget(ClusterTopology.nodeName(partitions, ClusterTopology.slot(channel)),
				ClusterTopology.utf8(channel));
	}

	@Override
	public Map<String, Integer> subscriptionsPerNode() {
		StatefulRedisClusterPubSubConnection<byte[], byte[]> current = this.connection;
		if (current == null) {
			return Map.of();
		}
		Partitions partitions = current.getPartitions();
		Map<String, Integer> counts = new TreeMap<>();
		this.subscriptions.forEach((channel, nodeId) -> {
			if (!channel.startsWith(this.controlChannel)) {
				RedisClusterNode node = PENDING.equals(nodeId) ? null : partitions.getPartitionByNodeId(nodeId);
				String name = (node != null) ? ClusterTopology.address(node) : "resubscribing";
				counts.merge(name, 1, Integer::sum);
			}
		});
		return counts;
	}

	@Override
	public @Nullable String getProblem() {
		StatefulRedisClusterPubSubConnection<byte[], byte[]> current = this.connection;
		return (current == null || current.isOpen()) ? null : "the sharded Pub/Sub connection is closed";
	}

	private StatefulRedisClusterPubSubConnection<byte[], byte[]> connection() {
		StatefulRedisClusterPubSubConnection<byte[], byte[]> current = this.connection;
		if (current != null) {
			return current;
		}
		current = this.topology.client().connectPubSub(ByteArrayCodec.INSTANCE);
		current.addListener(new Listener());
		// A topology change Lettuce saw is checked at once, not at the next round.
		this.topologyWatch = this.topology.watch(() -> this.repairRequested = true);
		this.connection = current;
		return current;
	}

	/**
	 * Hands sharded messages to the router on the node connection's thread, in the order the
	 * node sent them, and records which node confirmed or dropped a subscription.
	 */
	private final class Listener extends RedisClusterPubSubAdapter<byte[], byte[]> {

		@Override
		public void smessage(RedisClusterNode node, byte[] channel, byte[] message) {
			// Only the node that confirmed the subscription delivers: a replica that Lettuce
			// subscribed again after it reconnected (a former master) would duplicate messages.
			String confirmedBy = ShardedSubscriptions.this.subscriptions.get(new String(channel, StandardCharsets.UTF_8));
			if (node == null || confirmedBy == null || PENDING.equals(confirmedBy)
					|| confirmedBy.equals(node.getNodeId())) {
				ShardedSubscriptions.this.router.route(channel, message);
			}
		}

		@Override
		public void ssubscribed(RedisClusterNode node, byte[] channel, long count) {
			StatefulRedisClusterPubSubConnection<byte[], byte[]> current = ShardedSubscriptions.this.connection;
			String name = new String(channel, StandardCharsets.UTF_8);
			RedisClusterNode owner = (current != null)
					? current.getPartitions().getMasterBySlot(ClusterTopology.slot(name)) : null;
			// Only the owner counts: Lettuce also subscribes again on a former master that came
			// back as a replica.
			if (node != null && owner != null && owner.getNodeId().equals(node.getNodeId())) {
				ShardedSubscriptions.this.subscriptions.computeIfPresent(name, (key, previous) -> node.getNodeId());
			}
		}

		@Override
		public void sunsubscribed(RedisClusterNode node, byte[] channel, long count) {
			String name = new String(channel, StandardCharsets.UTF_8);
			// Still wanted: Redis dropped it (its slot moved away), the hub did not ask for it.
			String previous = ShardedSubscriptions.this.subscriptions.computeIfPresent(name,
					(key, nodeId) -> (node == null || nodeId.equals(node.getNodeId())) ? PENDING : nodeId);
			if (PENDING.equals(previous)) {
				ShardedSubscriptions.this.repairRequested = true;
			}
		}

	}

}
