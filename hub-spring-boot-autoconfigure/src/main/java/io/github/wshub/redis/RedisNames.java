package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The name of every Redis channel and key wshub uses, and the only place that spells them.
 * Every name starts with the namespace ({@code hub.redis.namespace}, {@code hub:} by default).
 * The broker takes its channel names from this class's methods, the connection registry and the
 * history scripts their key names; scripts receive every key they touch as {@code KEYS}.
 * <p>
 * <b>Storage details.</b> With the default namespace {@code hub:}, the {@link RedisTopicBroker}
 * uses these Pub/Sub channels, and no keys unless topics have history (below):
 * <ul>
 * <li>{@code hub:topic:<topic>}: one channel per topic, e.g. {@code hub:topic:chat.lobby}. An
 * instance is subscribed while it has local subscribers (plus the unsubscribe grace period).
 * Payload: see {@link RedisEnvelope}: a header line {@code wshub1 <micros> <origin>} and the JSON
 * frame.</li>
 * <li>{@code hub:instance:<instance-id>}: the instance's control channel, subscribed for the
 * instance's whole life (so the container's connection never churns when no topic is
 * subscribed). Other instances send it targeted messages; the instance sends itself its probe
 * pings on it.</li>
 * </ul>
 * Commands: {@code SUBSCRIBE}, {@code UNSUBSCRIBE} on the listener container's connection,
 * {@code PUBLISH} on the connection factory's shared connection.
 * <p>
 * The {@link RedisConnectionRegistry} writes these keys with the commands and single-slot
 * scripts of {@link RegistryScripts}:
 * <ul>
 * <li>{@code hub:instances}: SET of registered instance ids. {@code SADD} on every heartbeat,
 * {@code SREM} when the instance deregisters or is purged.</li>
 * <li>{@code hub:instance:{<id>}}: STRING heartbeat, the epoch milliseconds of the last beat,
 * with a TTL of the instance TTL ({@code SET ... PX}). Deleted when the instance
 * deregisters.</li>
 * <li>{@code hub:instance:{<id>}:sessions}: HASH session id &rarr; user ({@code ""} for
 * anonymous) of every session of that instance.</li>
 * <li>{@code hub:instance:{<id>}:purging}: HASH of the same shape, the sessions of an instance
 * being purged, with a TTL of the instance TTL.</li>
 * <li>{@code hub:sessions}: HASH session id &rarr; instance id, for every session in the
 * cluster.</li>
 * <li>{@code hub:user:{<user>}}: HASH session id &rarr; instance id of one user's sessions.</li>
 * </ul>
 * Hashes disappear when their last field is removed, so when every session has closed and every
 * instance has deregistered or been purged, the registry holds no key at all.
 * <p>
 * Topics with history ({@code hub.history.topics}) have two keys each, written only by the
 * scripts of {@link HistoryScripts}; the topic is their hash tag, so both share one Cluster slot:
 * <ul>
 * <li>{@code hub:history:{<topic>}}: STREAM of the topic's last {@code hub.history.size}
 * messages, entry id {@code 0-<offset>}, one field {@code f} holding the {@code message} frame.
 * {@code XADD ... MAXLEN <size>} and {@code PEXPIRE <ttl>} on every publish; read with
 * {@code XRANGE} and {@code XREVRANGE}.</li>
 * <li>{@code hub:history-meta:{<topic>}}: HASH {@code epoch} and {@code offset} (the top
 * offset), {@code HINCRBY} on every publish, with a TTL of 30 days (or 128 history TTLs)
 * renewed on every read and by the publishes that need it (see {@link HistoryScripts}), so
 * that it outlives the stream and an expired history and a Redis that lost its data stay
 * distinguishable.</li>
 * </ul>
 * <p>
 * <b>Redis Cluster.</b> Hash tags ({@code {...}}, the part of a name Cluster hashes) are spelled
 * here only. An instance's keys share the tag {@code {<instance-id>}}, so one script can touch
 * all of them; a user's hash has the tag {@code {<user>}}; a topic's history keys share
 * {@code {<topic>}}. The namespace must not contain {@code {}, or every key would hash by a part
 * of it. Any change of a name changes the storage format: instances of different versions must
 * then not share a namespace.
 * <p>
 * With sharded Pub/Sub ({@code hub.redis.pubsub}, sharded by default on a cluster) a topic's
 * channel is {@code hub:topic:{<topic>}}: its hash tag is the topic, as in the history keys, so
 * the publishing script's {@code SPUBLISH} runs on the node that holds the topic's history. The
 * control channel {@code hub:instance:<instance-id>} keeps its name (a sharded channel of
 * whatever slot it hashes to), and the instance adds one probe channel per master,
 * {@code hub:instance:<instance-id>:probe:{<tag>}}, with a tag that hashes to a slot of that
 * master. Commands: {@code SSUBSCRIBE}, {@code SUNSUBSCRIBE} on Lettuce's cluster Pub/Sub
 * connection (one connection per node), {@code SPUBLISH} on the connection factory's connection.
 *
 * @author wshub
 */
final class RedisNames {

	private static final String TOPIC = "topic:";

	private static final String INSTANCE = "instance:";

	private static final String INSTANCE_TAGGED = "instance:{";

	private static final String INSTANCE_SESSIONS = "}:sessions";

	private static final String INSTANCE_PURGING = "}:purging";

	private static final String INSTANCES = "instances";

	private static final String SESSIONS = "sessions";

	private static final String USER = "user:{";

	private static final String HISTORY = "history:{";

	private static final String HISTORY_META = "history-meta:{";

	private static final String PROBE = ":probe:{";

	private final String namespace;

	private final boolean sharded;

	private final String topicPrefix;

	private final byte[] topicPrefixBytes;

	private final byte[] topicSuffixBytes;

	/**
	 * Create the names of one namespace, with classic topic channels.
	 * @param namespace the prefix of every name, for example {@code hub:}
	 */
	RedisNames(String namespace) {
		this(namespace, false);
	}

	/**
	 * Create the names of one namespace.
	 * @param namespace the prefix of every name, for example {@code hub:}
	 * @param sharded whether topics travel through sharded Pub/Sub, whose topic channels
	 * carry the topic as their hash tag, {@code <namespace>topic:{<topic>}}, so that a topic's
	 * channel and its history keys share one Cluster slot
	 */
	RedisNames(String namespace, boolean sharded) {
		Assert.notNull(namespace, "'namespace' must not be null");
		this.namespace = namespace;
		this.sharded = sharded;
		this.topicPrefix = namespace + TOPIC + (sharded ? "{" : "");
		this.topicPrefixBytes = this.topicPrefix.getBytes(StandardCharsets.UTF_8);
		this.topicSuffixBytes = (sharded ? "}" : "").getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Whether topic channels are sharded Pub/Sub channels.
	 * @return {@code true} for {@code SSUBSCRIBE}/{@code SPUBLISH}
	 */
	boolean isSharded() {
		return this.sharded;
	}

	/**
	 * Return the namespace, which the registry's scripts take as their first argument.
	 * @return the namespace
	 */
	String namespace() {
		return this.namespace;
	}

	/**
	 * Return the channel of a topic.
	 * @param topic the topic
	 * @return {@code <namespace>topic:<topic>}, or {@code <namespace>topic:{<topic>}} when
	 * sharded
	 */
	String topicChannel(String topic) {
		return new String(topicChannelBytes(topic), StandardCharsets.UTF_8);
	}

	/**
	 * Return the channel of a topic as UTF-8 bytes, without building the name as a string.
	 * @param topic the topic
	 * @return the bytes of {@link #topicChannel(String)}
	 */
	byte[] topicChannelBytes(String topic) {
		byte[] name = topic.getBytes(StandardCharsets.UTF_8);
		int prefix = this.topicPrefixBytes.length;
		byte[] channel = Arrays.copyOf(this.topicPrefixBytes, prefix + name.length + this.topicSuffixBytes.length);
		System.arraycopy(name, 0, channel, prefix, name.length);
		System.arraycopy(this.topicSuffixBytes, 0, channel, prefix + name.length, this.topicSuffixBytes.length);
		return channel;
	}

	/**
	 * Return the topic whose channel this is.
	 * @param channel the channel name as received, in UTF-8
	 * @return the topic, or {@code null} when it is not a topic channel of this namespace
	 */
	@Nullable String topicOf(byte[] channel) {
		int prefix = this.topicPrefixBytes.length;
		int suffix = this.topicSuffixBytes.length;
		if (channel.length < prefix + suffix
				|| !Arrays.equals(channel, 0, prefix, this.topicPrefixBytes, 0, prefix)
				|| !Arrays.equals(channel, channel.length - suffix, channel.length, this.topicSuffixBytes, 0, suffix)) {
			return null;
		}
		return new String(channel, prefix, channel.length - prefix - suffix, StandardCharsets.UTF_8);
	}

	/**
	 * Return the key of a topic's history stream. Its hash tag is the topic, so that it shares
	 * a Redis Cluster slot with the topic's {@link #historyMetaKey meta hash}.
	 * @param topic a topic with history
	 * @return {@code <namespace>history:{<topic>}}
	 */
	String historyKey(String topic) {
		return this.namespace + HISTORY + topic + "}";
	}

	/**
	 * Return the key of a topic's history meta hash (epoch and top offset).
	 * @param topic a topic with history
	 * @return {@code <namespace>history-meta:{<topic>}}
	 */
	String historyMetaKey(String topic) {
		return this.namespace + HISTORY_META + topic + "}";
	}

	/**
	 * Return the key of the set of registered instance ids.
	 * @return {@code <namespace>instances}
	 */
	String instancesKey() {
		return this.namespace + INSTANCES;
	}

	/**
	 * Return the key of the hash of every session's instance.
	 * @return {@code <namespace>sessions}
	 */
	String sessionsKey() {
		return this.namespace + SESSIONS;
	}

	/**
	 * Return the key of a user's hash of sessions. Its hash tag is the user.
	 * @param user the user, not empty
	 * @return {@code <namespace>user:{<user>}}
	 */
	String userKey(String user) {
		return this.namespace + USER + user + "}";
	}

	/**
	 * Return the key of an instance's heartbeat. Its hash tag is the instance id, shared by
	 * every key of the instance, so that one script can touch all of them on Redis Cluster.
	 * @param instanceId the instance id
	 * @return {@code <namespace>instance:{<instance-id>}}
	 */
	String heartbeatKey(String instanceId) {
		return this.namespace + INSTANCE_TAGGED + instanceId + "}";
	}

	/**
	 * Return the key of an instance's hash of its own sessions, in its heartbeat's slot.
	 * @param instanceId the instance id
	 * @return {@code <namespace>instance:{<instance-id>}:sessions}
	 */
	String instanceSessionsKey(String instanceId) {
		return this.namespace + INSTANCE_TAGGED + instanceId + INSTANCE_SESSIONS;
	}

	/**
	 * Return the key of the sessions of a dead instance while they are being purged, in its
	 * heartbeat's slot.
	 * @param instanceId the instance id
	 * @return {@code <namespace>instance:{<instance-id>}:purging}
	 */
	String purgingKey(String instanceId) {
		return this.namespace + INSTANCE_TAGGED + instanceId + INSTANCE_PURGING;
	}

	/**
	 * Return an instance's control channel.
	 * @param instanceId the instance id
	 * @return {@code <namespace>instance:<instance-id>}
	 */
	String controlChannel(String instanceId) {
		return this.namespace + INSTANCE + instanceId;
	}

	/**
	 * Return one of an instance's probe channels on a Redis Cluster: sharded Pub/Sub reaches
	 * one node per channel, so the instance pings each master it is subscribed on through a
	 * channel of its own whose hash tag falls in a slot of that master.
	 * @param controlChannel the instance's {@link #controlChannel control channel}
	 * @param tag a hash tag
	 * @return {@code <namespace>instance:<instance-id>:probe:{<tag>}}
	 */
	static String probeChannel(String controlChannel, String tag) {
		return controlChannel + PROBE + tag + "}";
	}

}
