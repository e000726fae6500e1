package io.github.wshub.testsupport;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * One node's view of the cluster, parsed from its {@code CLUSTER NODES} reply: which node
 * serves which slots and which replica follows which master. Nodes flagged as failing
 * ({@code fail}, {@code fail?}) or still in handshake are left out, so that two views agree
 * once every node has learned the same healthy topology.
 *
 * @author wshub
 */
final class ClusterView {

	private final Map<Integer, Entry> byPort;

	private ClusterView(Map<Integer, Entry> byPort) {
		this.byPort = byPort;
	}

	/**
	 * Parse a {@code CLUSTER NODES} reply.
	 * @param reply the reply text
	 * @return the view
	 */
	static ClusterView parse(String reply) {
		Map<String, Entry> byId = new TreeMap<>();
		for (String line : reply.split("\n")) {
			String[] fields = line.trim().split(" ");
			if (fields.length < 8) {
				continue;
			}
			String address = fields[1];
			int at = address.indexOf('@');
			int colon = address.lastIndexOf(':', (at >= 0) ? at : address.length());
			if (colon < 0) {
				continue;
			}
			int port = Integer.parseInt(address.substring(colon + 1, (at >= 0) ? at : address.length()));
			Set<String> flags = Set.of(fields[2].split(","));
			BitSet slots = new BitSet(RedisCluster.SLOTS);
			for (int i = 8; i < fields.length; i++) {
				String range = fields[i];
				if (range.startsWith("[")) {
					// A slot being migrated or imported: still owned by whoever the plain ranges say.
					continue;
				}
				int dash = range.indexOf('-');
				int from = Integer.parseInt((dash >= 0) ? range.substring(0, dash) : range);
				int to = (dash >= 0) ? Integer.parseInt(range.substring(dash + 1)) : from;
				slots.set(from, to + 1);
			}
			byId.put(fields[0], new Entry(fields[0], port, flags, "-".equals(fields[3]) ? null : fields[3], slots));
		}
		Map<Integer, Entry> byPort = new TreeMap<>();
		for (Entry entry : byId.values()) {
			if (entry.healthy()) {
				String masterId = entry.masterId();
				Entry master = (masterId != null) ? byId.get(masterId) : null;
				byPort.put(entry.port(), entry.withMasterPort((master != null) ? master.port() : -1));
			}
		}
		return new ClusterView(byPort);
	}

	/**
	 * Return the port of the node that answered.
	 * @return the port, or {@code -1} if the reply named no {@code myself}
	 */
	int myselfPort() {
		return this.byPort.values()
			.stream()
			.filter((entry) -> entry.flags().contains("myself"))
			.mapToInt(Entry::port)
			.findFirst()
			.orElse(-1);
	}

	/**
	 * Whether the node that answered is a replica.
	 * @return {@code true} for a replica
	 */
	boolean myselfIsReplica() {
		return this.byPort.values()
			.stream()
			.anyMatch((entry) -> entry.flags().contains("myself") && entry.flags().contains("slave"));
	}

	/**
	 * Return the healthy masters that serve slots, ordered by their lowest slot.
	 * @return the ports of the masters
	 */
	List<Integer> masters() {
		Map<Integer, Integer> byFirstSlot = new TreeMap<>();
		for (Entry entry : this.byPort.values()) {
			if (entry.flags().contains("master") && !entry.slots().isEmpty()) {
				byFirstSlot.put(entry.slots().nextSetBit(0), entry.port());
			}
		}
		return new ArrayList<>(byFirstSlot.values());
	}

	/**
	 * Return the healthy replicas of a master.
	 * @param masterPort the master's port
	 * @return the replicas' ports
	 */
	Set<Integer> replicasOf(int masterPort) {
		Set<Integer> replicas = new TreeSet<>();
		for (Entry entry : this.byPort.values()) {
			if (entry.flags().contains("slave") && entry.masterPort() == masterPort) {
				replicas.add(entry.port());
			}
		}
		return replicas;
	}

	/**
	 * Return the master that serves a slot.
	 * @param slot the slot
	 * @return its port, or {@code -1} if no healthy master serves it
	 */
	int masterOf(int slot) {
		for (Entry entry : this.byPort.values()) {
			if (entry.flags().contains("master") && entry.slots().get(slot)) {
				return entry.port();
			}
		}
		return -1;
	}

	/**
	 * Return the node id of a healthy node.
	 * @param port its port
	 * @return the id, or {@code null} when this view does not list the node as healthy
	 */
	@Nullable String idOf(int port) {
		Entry entry = this.byPort.get(port);
		return (entry != null) ? entry.id() : null;
	}

	/**
	 * Whether healthy masters of this view serve every slot.
	 * @return {@code true} when all 16384 slots are served
	 */
	boolean coversAllSlots() {
		BitSet all = new BitSet(RedisCluster.SLOTS);
		for (Entry entry : this.byPort.values()) {
			if (entry.flags().contains("master")) {
				all.or(entry.slots());
			}
		}
		return all.cardinality() == RedisCluster.SLOTS;
	}

	/**
	 * Return what must be the same on every node of a settled cluster: each healthy master
	 * with its slots and its replicas.
	 * @return a comparable description of the topology
	 */
	String signature() {
		StringBuilder signature = new StringBuilder();
		for (int master : masters()) {
			signature.append(master)
				.append(this.byPort.get(master).slots())
				.append("<-")
				.append(replicasOf(master))
				.append(';');
		}
		return signature.toString();
	}

	private record Entry(String id, int port, Set<String> flags, @Nullable String masterId, BitSet slots,
			int masterPort) {

		Entry(String id, int port, Set<String> flags, @Nullable String masterId, BitSet slots) {
			this(id, port, flags, masterId, slots, -1);
		}

		boolean healthy() {
			return !this.flags.contains("fail") && !this.flags.contains("fail?") && !this.flags.contains("handshake")
					&& !this.flags.contains("noaddr");
		}

		Entry withMasterPort(int port) {
			return new Entry(this.id, this.port, this.flags, this.masterId, this.slots, port);
		}

	}

}
