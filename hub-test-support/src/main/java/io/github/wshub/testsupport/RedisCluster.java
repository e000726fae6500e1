package io.github.wshub.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * A real Redis Cluster of three masters with one replica each, six {@link RedisServer}
 * processes ({@code --cluster-enabled yes}, {@code --cluster-node-timeout 2000}) on free
 * loopback ports, created with {@code redis-cli --cluster create ... --cluster-replicas 1}.
 * {@link #start()} returns once every node says {@code cluster_state:ok}, every node agrees on
 * which master serves which slots and every replica is in sync with its master.
 * <p>
 * The nodes are plain {@link RedisServer}s, with the same lifetime guarantees: killed with the
 * JVM however it ends, never touching a Redis they did not start. A node keeps its
 * {@code nodes.conf} across {@link #restart(RedisServer)}, so it rejoins with its node id (and
 * no data: nothing is persisted). {@link #close()} kills exactly the six processes this cluster
 * started.
 * <p>
 * Needs {@code redis-server} and {@code redis-cli} 7.0 or newer: {@link #unavailableReason()}
 * says what is missing.
 *
 * @author wshub
 */
public final class RedisCluster implements AutoCloseable {

	/** Number of hash slots of a Redis Cluster. */
	public static final int SLOTS = 16384;

	private static final int MASTERS = 3;

	private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

	private final List<RedisServer> nodes;

	private final Map<Integer, String> ids = new LinkedHashMap<>();

	private final Map<Integer, Integer> formerFirstSlot = new LinkedHashMap<>();

	private RedisCluster(List<RedisServer> nodes) {
		this.nodes = List.copyOf(nodes);
	}

	/**
	 * Start a cluster of three masters and three replicas and wait until it is settled.
	 * @return the running cluster
	 * @throws IllegalStateException when the binaries are missing or too old, or the cluster
	 * does not settle
	 */
	public static RedisCluster start() {
		unavailableReason().ifPresent((reason) -> {
			throw new IllegalStateException(reason);
		});
		List<RedisServer> nodes = new ArrayList<>();
		try {
			Set<Integer> taken = new HashSet<>();
			for (int i = 0; i < MASTERS * 2; i++) {
				nodes.add(startNode(taken));
			}
			RedisCluster cluster = new RedisCluster(nodes);
			cluster.create();
			return cluster;
		}
		catch (RuntimeException ex) {
			nodes.forEach(RedisServer::kill);
			throw ex;
		}
	}

	private static RedisServer startNode(Set<Integer> taken) {
		IllegalStateException last = null;
		for (int attempt = 0; attempt < 5; attempt++) {
			int port = RedisServer.freePort();
			int busPort = RedisServer.freePort();
			if (port == busPort || taken.contains(port) || taken.contains(busPort)) {
				continue;
			}
			try {
				// An explicit bus port: the default, port + 10000, may be out of range or taken.
				RedisServer node = RedisServer.startOnPort(port, "--cluster-enabled", "yes", "--cluster-config-file",
						"nodes-" + port + ".conf", "--cluster-node-timeout", "2000", "--cluster-port",
						Integer.toString(busPort));
				taken.add(port);
				taken.add(busPort);
				return node;
			}
			catch (IllegalStateException ex) {
				// Another process took one of the ports between probing and binding.
				last = ex;
			}
		}
		throw (last != null) ? last : new IllegalStateException("No free ports for a cluster node");
	}

	private void create() {
		List<String> command = new ArrayList<>(List.of(redisCli().toString(), "--cluster", "create"));
		this.nodes.forEach((node) -> command.add("127.0.0.1:" + node.port()));
		command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
		String output = RedisClusterTools.run(command, Duration.ofSeconds(60));
		for (RedisServer node : this.nodes) {
			this.ids.put(node.port(), (String) node.execute("CLUSTER", "MYID"));
		}
		awaitSettled(SETTLE_TIMEOUT, true, () -> "redis-cli --cluster create said:\n" + output);
	}

	/**
	 * Return every node this cluster started, running or not, in the order they were started.
	 * @return the six nodes
	 */
	public List<RedisServer> nodes() {
		return this.nodes;
	}

	/**
	 * Return the masters serving slots now, as a running node sees them, ordered by their lowest
	 * slot: after a failover, the promoted replica is among them and the failed master is not.
	 * @return the masters
	 */
	public List<RedisServer> masters() {
		return view().masters().stream().map(this::node).toList();
	}

	/**
	 * Return a replica of a master, as a running node sees it now.
	 * @param master the master
	 * @return the replica
	 * @throws IllegalStateException when the master has no healthy replica
	 */
	public RedisServer replicaOf(RedisServer master) {
		return view().replicasOf(master.port())
			.stream()
			.findFirst()
			.map(this::node)
			.orElseThrow(() -> new IllegalStateException(master + " has no healthy replica"));
	}

	/**
	 * Return the master serving a slot now.
	 * @param slot the hash slot, 0 to 16383
	 * @return the master
	 */
	public RedisServer masterFor(int slot) {
		int port = view().masterOf(slot);
		if (port < 0) {
			throw new IllegalStateException("No healthy master serves slot " + slot);
		}
		return node(port);
	}

	/**
	 * Return the master serving the slot of a key (or of a channel, for sharded Pub/Sub).
	 * @param key the key
	 * @return the master
	 */
	public RedisServer masterForKey(String key) {
		return masterFor(slotOf(key));
	}

	/**
	 * Return the hash slot of a key, as Redis computes it ({@code CLUSTER KEYSLOT}).
	 * @param key the key, hash tags included
	 * @return the slot
	 */
	public int slotOf(String key) {
		return ((Long) execute(anyRunning(), "CLUSTER", "KEYSLOT", key)).intValue();
	}

	/**
	 * Return the node id of a node.
	 * @param node the node
	 * @return its cluster node id
	 */
	public String nodeId(RedisServer node) {
		return this.ids.get(node.port());
	}

	/**
	 * Run one command on one node, without following redirects.
	 * @param node the node
	 * @param args the command and its arguments
	 * @return the decoded reply, as {@link RedisServer#execute(String...)} returns it
	 */
	public @Nullable Object execute(RedisServer node, String... args) {
		return node.execute(args);
	}

	/**
	 * Return the value of Boot's {@code spring.data.redis.cluster.nodes} for this cluster.
	 * @return {@code 127.0.0.1:port} of every node, comma separated
	 */
	public String nodesProperty() {
		return this.nodes.stream().map((node) -> "127.0.0.1:" + node.port()).collect(Collectors.joining(","));
	}

	/**
	 * Return the Spring Boot properties that point {@code spring.data.redis} at this cluster.
	 * @return the properties, as {@code key=value} strings
	 */
	public String[] springProperties() {
		return new String[] { "spring.data.redis.cluster.nodes=" + nodesProperty() };
	}

	/**
	 * Kill a node abruptly (SIGKILL), as a crash would. A killed master's replica is promoted
	 * once the other masters agree that it failed: see {@link #awaitFailover(RedisServer)}.
	 * @param node the node
	 */
	public void kill(RedisServer node) {
		rememberSlots(node);
		node.kill();
	}

	/**
	 * Stop a node gracefully (SIGTERM).
	 * @param node the node
	 */
	public void stop(RedisServer node) {
		rememberSlots(node);
		node.stop();
	}

	private void rememberSlots(RedisServer node) {
		ClusterView view = view();
		for (int slot = 0; slot < SLOTS; slot++) {
			if (view.masterOf(slot) == node.port()) {
				this.formerFirstSlot.put(node.port(), slot);
				return;
			}
		}
	}

	/**
	 * Start a stopped or killed node again on its port and wait until the cluster has settled
	 * with it: a former master comes back as a replica of the node that replaced it.
	 * @param node the node
	 */
	public void restart(RedisServer node) {
		node.restart();
		awaitSettled(SETTLE_TIMEOUT, false, () -> "");
	}

	/**
	 * Wait until the slots of a killed or stopped master are served by its promoted replica
	 * and the running nodes agree on the new topology.
	 * @param formerMaster the master that was killed with {@link #kill(RedisServer)} or stopped
	 * @return the node that serves its slots now
	 */
	public RedisServer awaitFailover(RedisServer formerMaster) {
		Integer slot = this.formerFirstSlot.get(formerMaster.port());
		if (slot == null) {
			throw new IllegalStateException(formerMaster + " served no slots when it was killed");
		}
		awaitSettled(SETTLE_TIMEOUT, false, () -> "waiting for the failover of " + formerMaster);
		return masterFor(slot);
	}

	/**
	 * Wait until every running node says {@code cluster_state:ok}, all of them agree on which
	 * master serves which slot and which replica follows which master, every slot is served and
	 * every running replica is in sync with its master.
	 * @param timeout how long to wait
	 */
	public void awaitSettled(Duration timeout) {
		awaitSettled(timeout, false, () -> "");
	}

	private void awaitSettled(Duration timeout, boolean replicaPerMaster, Supplier<String> detail) {
		long deadline = System.nanoTime() + timeout.toNanos();
		String last = "";
		while (true) {
			try {
				last = unsettledReason(replicaPerMaster);
				if (last.isEmpty()) {
					return;
				}
			}
			catch (RuntimeException ex) {
				last = ex.toString();
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Redis Cluster did not settle within " + timeout + ": " + last + "\n"
						+ detail.get());
			}
			RedisServer.sleep(50);
		}
	}

	private String unsettledReason(boolean replicaPerMaster) {
		String signature = null;
		for (RedisServer node : this.nodes) {
			if (!node.isRunning()) {
				continue;
			}
			String info = (String) node.execute("CLUSTER", "INFO");
			if (info == null || !info.contains("cluster_state:ok")) {
				return node + " is not cluster_state:ok";
			}
			ClusterView view = ClusterView.parse((String) node.execute("CLUSTER", "NODES"));
			if (!view.coversAllSlots()) {
				return node + " sees slots without a healthy master";
			}
			for (RedisServer other : this.nodes) {
				if (other.isRunning() && view.idOf(other.port()) == null) {
					return node + " does not see " + other + " as healthy";
				}
			}
			if (replicaPerMaster && view.masters().stream().anyMatch((m) -> view.replicasOf(m).isEmpty())) {
				return node + " sees a master without a replica";
			}
			if (signature == null) {
				signature = view.signature();
			}
			else if (!signature.equals(view.signature())) {
				return node + " sees " + view.signature() + " where another sees " + signature;
			}
			if (view.myselfIsReplica()) {
				String replication = (String) node.execute("INFO", "replication");
				if (replication == null || !replication.contains("master_link_status:up")) {
					return node + " has no link to its master";
				}
			}
		}
		return (signature != null) ? "" : "no node is running";
	}

	/**
	 * Move one slot and its keys from the master serving it to another master, as
	 * {@code redis-cli --cluster reshard} does: {@code CLUSTER SETSLOT IMPORTING} on the target,
	 * {@code MIGRATING} on the source, {@code MIGRATE} of its keys in batches, then
	 * {@code CLUSTER SETSLOT NODE} on the target, the source and every other master. Returns once
	 * every running node agrees on the new owner. Redis pushes {@code sunsubscribe} to the
	 * source's sharded subscribers of the slot's channels when the source gives the slot up.
	 * @param slot the slot
	 * @param target the master that is to serve it
	 */
	@SuppressWarnings("unchecked")
	public void migrateSlot(int slot, RedisServer target) {
		RedisServer source = masterFor(slot);
		if (source.equals(target)) {
			return;
		}
		String s = Integer.toString(slot);
		target.execute("CLUSTER", "SETSLOT", s, "IMPORTING", nodeId(source));
		source.execute("CLUSTER", "SETSLOT", s, "MIGRATING", nodeId(target));
		while (true) {
			List<String> keys = (List<String>) source.execute("CLUSTER", "GETKEYSINSLOT", s, "100");
			if (keys == null || keys.isEmpty()) {
				break;
			}
			List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(target.port()), "",
					"0", "5000", "KEYS"));
			migrate.addAll(keys);
			source.execute(migrate.toArray(String[]::new));
		}
		// Target first: if the source gave the slot up first, clients would be redirected to a
		// target that still refuses them.
		target.execute("CLUSTER", "SETSLOT", s, "NODE", nodeId(target));
		source.execute("CLUSTER", "SETSLOT", s, "NODE", nodeId(target));
		for (RedisServer master : masters()) {
			if (!master.equals(source) && !master.equals(target)) {
				master.execute("CLUSTER", "SETSLOT", s, "NODE", nodeId(target));
			}
		}
		long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
		while (this.nodes.stream()
			.filter(RedisServer::isRunning)
			.anyMatch((node) -> ClusterView.parse((String) node.execute("CLUSTER", "NODES"))
				.masterOf(slot) != target.port())) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Nodes do not agree that " + target + " serves slot " + slot);
			}
			RedisServer.sleep(50);
		}
		awaitSettled(SETTLE_TIMEOUT);
	}

	/**
	 * Kill every node this cluster started.
	 */
	@Override
	public void close() {
		this.nodes.forEach(RedisServer::kill);
	}

	@Override
	public String toString() {
		return "redis-cluster[" + nodesProperty() + "]";
	}

	private ClusterView view() {
		return ClusterView.parse((String) anyRunning().execute("CLUSTER", "NODES"));
	}

	private RedisServer anyRunning() {
		return this.nodes.stream()
			.filter(RedisServer::isRunning)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No node of the cluster is running"));
	}

	private RedisServer node(int port) {
		return this.nodes.stream()
			.filter((node) -> node.port() == port)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No node of this cluster on port " + port));
	}

	/**
	 * Say why a cluster cannot be started here: {@code redis-server} or {@code redis-cli} is
	 * missing or older than 7.0.
	 * @return the reason, or empty when a cluster can be started
	 */
	public static Optional<String> unavailableReason() {
		return RedisClusterTools.unavailableReason();
	}

	/**
	 * Return the {@code redis-cli} binary: the {@code wshub.redis-cli} system property or the
	 * {@code WSHUB_REDIS_CLI} environment variable, else the one next to
	 * {@link RedisServer#binary()}, else {@code redis-cli} on the {@code PATH}.
	 * @return the path of the binary (it may not exist)
	 */
	public static Path redisCli() {
		return RedisClusterTools.redisCli();
	}

}
