package io.github.wshub.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.HistorySettings;
import io.github.wshub.broker.HistorySlice;
import io.github.wshub.broker.StreamPosition;

/**
 * The history of topics matching {@code hub.history.topics}, kept in Redis: each publish is one
 * {@link HistoryScripts#PUBLISH} script (next offset, {@code XADD}, trim, expire,
 * {@code PUBLISH}; {@link HistoryScripts#SPUBLISH} with sharded Pub/Sub) sent through the
 * {@link PublishGate}, so the publish fence's rules hold; reads are one
 * {@link HistoryScripts#READ} script. See {@link RedisNames} for the keys.
 *
 * @author wshub
 */
final class RedisTopicHistory {

	/**
	 * How long a topic's meta hash (epoch, top offset) lives at least after it was last renewed
	 * (see {@link #metaTtl(Duration)}): much longer than any history, so that "history expired"
	 * (same epoch, offsets missing) and "Redis lost its data" (new epoch) stay distinguishable.
	 */
	static final Duration META_TTL = Duration.ofDays(30);

	private static final byte[] AFTER = bytes("after");

	private static final byte[] LAST = bytes("last");

	private final RedisNames names;

	private final PublishGate publishing;

	private final HistorySettings settings;

	// The publish script's arguments that never change, encoded once.
	private final byte[] sizeArg;

	private final byte[] ttlArg;

	private final byte[] metaTtlArg;

	RedisTopicHistory(RedisNames names, PublishGate publishing, HistorySettings settings) {
		this.names = names;
		this.publishing = publishing;
		this.settings = settings;
		this.sizeArg = bytes(Integer.toString(settings.size()));
		this.ttlArg = bytes(Long.toString(settings.ttl().toMillis()));
		this.metaTtlArg = bytes(Long.toString(metaTtl(settings.ttl()).toSeconds()));
	}

	/**
	 * Return the meta hash's TTL for a history TTL: {@link #META_TTL}, or twice the longest a
	 * stream can outlive the meta's last renewal ({@link HistoryScripts#META_RENEWAL} history
	 * TTLs) when that is longer.
	 * @param historyTtl how long a topic's history lives after its last publish
	 * @return the meta hash's TTL
	 */
	static Duration metaTtl(Duration historyTtl) {
		Duration needed = historyTtl.multipliedBy(2L * HistoryScripts.META_RENEWAL);
		return (needed.compareTo(META_TTL) > 0) ? needed : META_TTL;
	}

	boolean hasHistory(String topic) {
		return this.settings.hasHistory(topic);
	}

	CompletableFuture<StreamPosition> publish(BrokerMessage message) {
		String topic = message.topic();
		byte[][] args = { this.names.topicChannelBytes(topic), bytes(RedisEnvelope.header(message)),
				message.frame(), this.sizeArg, this.ttlArg, this.metaTtlArg, bytes(newEpoch()) };
		HistoryScripts.Script script = this.names.isSharded() ? HistoryScripts.SPUBLISH : HistoryScripts.PUBLISH;
		return this.publishing.sendScript(script, keys(topic), args, topic)
			.thenApply((reply) -> new StreamPosition(string(reply.get(1)), (Long) reply.get(0)));
	}

	CompletableFuture<HistorySlice> read(String topic, long afterOffset, int limit) {
		byte[][] args;
		if (afterOffset >= 0) {
			long first = (afterOffset == Long.MAX_VALUE) ? afterOffset : afterOffset + 1;
			args = new byte[][] { AFTER, bytes("0-" + first), bytes(Integer.toString(limit)), bytes(newEpoch()),
					this.metaTtlArg };
		}
		else {
			args = new byte[][] { LAST, bytes("-"), bytes(Integer.toString(limit)), bytes(newEpoch()),
					this.metaTtlArg };
		}
		return this.publishing.read(HistoryScripts.READ, keys(topic), args)
			.thenApply((reply) -> slice(reply, afterOffset < 0));
	}

	private static HistorySlice slice(List<Object> reply, boolean newestFirst) {
		String epoch = string(reply.get(0));
		long top = (Long) reply.get(1);
		List<HistorySlice.Entry> entries = new ArrayList<>((reply.size() - 2) / 2);
		for (int i = 2; i + 1 < reply.size(); i += 2) {
			String id = string(reply.get(i));
			long offset = Long.parseLong(id.substring(id.indexOf('-') + 1));
			entries.add(new HistorySlice.Entry(offset, (byte[]) reply.get(i + 1)));
		}
		if (newestFirst) {
			Collections.reverse(entries);
		}
		return new HistorySlice(epoch, top, List.copyOf(entries));
	}

	private byte[][] keys(String topic) {
		return new byte[][] { bytes(this.names.historyKey(topic)), bytes(this.names.historyMetaKey(topic)) };
	}

	/**
	 * A candidate epoch, used by a script only when the topic's meta hash is missing: 16 random
	 * hex digits, safe in JSON and in the envelope's header line.
	 */
	private static String newEpoch() {
		return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	private static String string(Object value) {
		return new String((byte[]) value, StandardCharsets.UTF_8);
	}

}
