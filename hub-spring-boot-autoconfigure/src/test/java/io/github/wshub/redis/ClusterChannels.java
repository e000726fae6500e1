package io.github.wshub.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.wshub.testsupport.RedisCluster;
import io.github.wshub.testsupport.RedisClusterExtension;
import io.github.wshub.testsupport.RedisServer;

/**
 * What a Redis Cluster says about the hub's sharded channels, for tests.
 *
 * @author wshub
 */
final class ClusterChannels {

	private ClusterChannels() {
	}

	/**
	 * Return the Spring Boot properties of an instance on a cluster.
	 * @param cluster the cluster
	 * @param extra more properties as {@code key=value}
	 * @return the properties
	 */
	static String[] properties(RedisClusterExtension cluster, String... extra) {
		List<String> all = new ArrayList<>(List.of(cluster.springProperties()));
		all.addAll(List.of(extra));
		return all.toArray(new String[0]);
	}

	/**
	 * Return the sharded channel of a topic with the default namespace.
	 * @param topic the topic
	 * @return {@code hub:topic:{<topic>}}
	 */
	static String channel(String topic) {
		return "hub:topic:{" + topic + "}";
	}

	/**
	 * Return topics named {@code <prefix><n>}, {@code perMaster} of them on every master.
	 * @param cluster the cluster
	 * @param prefix the start of each name
	 * @param perMaster how many on each master
	 * @return the topics, grouped by master in the order of {@link RedisCluster#masters()}
	 */
	static Map<Integer, List<String>> topicsOnEveryMaster(RedisCluster cluster, String prefix, int perMaster) {
		Map<Integer, List<String>> byMaster = new LinkedHashMap<>();
		cluster.masters().forEach((master) -> byMaster.put(master.port(), new ArrayList<>()));
		for (int n = 0; byMaster.values().stream().anyMatch((topics) -> topics.size() < perMaster); n++) {
			String topic = prefix + n;
			List<String> topics = byMaster.get(cluster.masterForKey(channel(topic)).port());
			if (topics.size() < perMaster) {
				topics.add(topic);
			}
		}
		return byMaster;
	}

	/**
	 * Return how many clients of a node are subscribed to a topic's sharded channel
	 * ({@code PUBSUB SHARDNUMSUB}).
	 * @param cluster the cluster
	 * @param node the node
	 * @param topic the topic
	 * @return the count
	 */
	static long shardNumsub(RedisCluster cluster, RedisServer node, String topic) {
		List<?> reply = (List<?>) cluster.execute(node, "PUBSUB", "SHARDNUMSUB", channel(topic));
		return (reply != null && reply.size() == 2) ? (Long) reply.get(1) : 0;
	}

	/**
	 * Return the sharded channels a node has subscribers for, matching a pattern
	 * ({@code PUBSUB SHARDCHANNELS}).
	 * @param cluster the cluster
	 * @param node the node
	 * @param pattern a glob pattern
	 * @return the channels
	 */
	@SuppressWarnings("unchecked")
	static List<String> shardChannels(RedisCluster cluster, RedisServer node, String pattern) {
		Object reply = cluster.execute(node, "PUBSUB", "SHARDCHANNELS", pattern);
		return (reply != null) ? (List<String>) reply : List.of();
	}

}
