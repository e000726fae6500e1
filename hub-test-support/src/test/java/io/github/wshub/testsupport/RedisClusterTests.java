package io.github.wshub.testsupport;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link RedisCluster} and {@link RedisClusterExtension}, on one cluster shared by the
 * class: the failover test runs last, since it leaves a master dead.
 *
 * @author wshub
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterTests {

	@RegisterExtension
	static final RedisClusterExtension extension = new RedisClusterExtension();

	@Test
	@Order(1)
	void startsThreeMastersWithAReplicaEach() {
		RedisCluster cluster = extension.cluster();
		assertThat(cluster.nodes()).hasSize(6).allMatch(RedisServer::isRunning);
		List<RedisServer> masters = cluster.masters();
		assertThat(masters).hasSize(3);
		assertThat(cluster.masterFor(0)).isEqualTo(masters.get(0));
		assertThat(cluster.masterFor(RedisCluster.SLOTS - 1)).isEqualTo(masters.get(2));
		Set<RedisServer> replicas = masters.stream().map(cluster::replicaOf).collect(Collectors.toSet());
		assertThat(replicas).hasSize(3).doesNotContainAnyElementsOf(masters);
		for (RedisServer node : cluster.nodes()) {
			assertThat((String) node.execute("CLUSTER", "INFO")).contains("cluster_state:ok");
		}
		assertThat(cluster.nodesProperty().split(",")).hasSize(6).allMatch((node) -> node.startsWith("127.0.0.1:"));
	}

	@Test
	@Order(2)
	void keysLiveOnTheMasterOfTheirSlot() {
		RedisCluster cluster = extension.cluster();
		assertThat(cluster.slotOf("{user}.a")).isEqualTo(cluster.slotOf("{user}.b"));
		RedisServer master = cluster.masterForKey("{user}.a");
		assertThat(master.execute("SET", "{user}.a", "1")).isEqualTo("OK");
		RedisServer other = cluster.masters().stream().filter((m) -> !m.equals(master)).findFirst().orElseThrow();
		assertThatThrownBy(() -> other.execute("GET", "{user}.a")).isInstanceOf(RedisServerException.class)
			.hasMessageStartingWith("MOVED " + cluster.slotOf("{user}.a"));
	}

	@Test
	@Order(3)
	void migrateSlotMovesTheSlotAndItsKeys() {
		RedisCluster cluster = extension.cluster();
		String key = "{migrating}.key";
		int slot = cluster.slotOf(key);
		RedisServer source = cluster.masterFor(slot);
		source.execute("SET", key, "value");
		RedisServer target = cluster.masters().stream().filter((m) -> !m.equals(source)).findFirst().orElseThrow();
		cluster.migrateSlot(slot, target);
		assertThat(cluster.masterFor(slot)).isEqualTo(target);
		assertThat(target.execute("GET", key)).isEqualTo("value");
		assertThatThrownBy(() -> source.execute("GET", key)).isInstanceOf(RedisServerException.class)
			.hasMessageStartingWith("MOVED " + slot);
		for (RedisServer node : cluster.nodes()) {
			assertThat((String) node.execute("CLUSTER", "INFO")).contains("cluster_state:ok");
		}
	}

	@Test
	@Order(4)
	void killedMasterIsReplacedByItsReplicaAndRejoinsAsReplica() {
		RedisCluster cluster = extension.cluster();
		RedisServer master = cluster.masterFor(0);
		RedisServer replica = cluster.replicaOf(master);
		String key = "failover-0";
		for (int i = 1; !cluster.masterForKey(key).equals(master); i++) {
			key = "failover-" + i;
		}
		master.execute("SET", key, "before");
		assertThat(master.execute("WAIT", "1", "5000")).as("replicas that acknowledged the write").isEqualTo(1L);
		cluster.kill(master);
		assertThat(master.isRunning()).isFalse();
		RedisServer promoted = cluster.awaitFailover(master);
		assertThat(promoted).isEqualTo(replica);
		assertThat(cluster.masters()).hasSize(3).contains(replica).doesNotContain(master);
		assertThat(promoted.execute("GET", key)).isEqualTo("before");
		cluster.restart(master);
		assertThat(cluster.replicaOf(promoted)).isEqualTo(master);
		assertThat(cluster.masters()).hasSize(3).contains(promoted);
	}

}
