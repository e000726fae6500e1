package io.github.wshub.memory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.HistorySettings;
import io.github.wshub.broker.HistorySlice;
import io.github.wshub.broker.StreamPosition;

/**
 * The in-memory broker's history: a ring of the last {@link HistorySettings#size()} messages
 * per topic, with the same offsets, epochs and frames as the Redis broker's. A topic's epoch is
 * drawn when its ring is created, so it changes with every start of the application. A ring is
 * emptied (its offsets and epoch kept) when its TTL passed since the last publish; rings are
 * never removed, so their number is the number of history topics published or read.
 *
 * @author wshub
 */
final class InMemoryTopicHistory {

	private final HistorySettings settings;

	private final ConcurrentHashMap<String, Ring> rings = new ConcurrentHashMap<>();

	InMemoryTopicHistory(HistorySettings settings) {
		this.settings = settings;
	}

	boolean hasHistory(String topic) {
		return this.settings.hasHistory(topic);
	}

	/**
	 * Append a message, and hand it, with its position, to {@code delivery} while holding the
	 * topic's lock, so that the topic's messages are delivered in offset order.
	 */
	StreamPosition publish(BrokerMessage message, Consumer<BrokerMessage> delivery) {
		Ring ring = ring(message.topic());
		synchronized (ring) {
			ring.expire(this.settings.ttl().toNanos());
			long offset = ++ring.top;
			byte[] frame = splice(message.frame(), offset, ring.epoch);
			ring.entries.addLast(new HistorySlice.Entry(offset, frame));
			while (ring.entries.size() > this.settings.size()) {
				ring.entries.removeFirst();
			}
			ring.lastPublish = System.nanoTime();
			delivery.accept(new BrokerMessage(message.topic(), frame, message.publishedAtMicros(), message.origin(),
					offset, ring.epoch));
			return new StreamPosition(ring.epoch, offset);
		}
	}

	HistorySlice read(String topic, long afterOffset, int limit) {
		Ring ring = ring(topic);
		synchronized (ring) {
			ring.expire(this.settings.ttl().toNanos());
			List<HistorySlice.Entry> entries = new ArrayList<>();
			if (afterOffset >= 0) {
				for (HistorySlice.Entry entry : ring.entries) {
					if (entry.offset() > afterOffset && entries.size() < limit) {
						entries.add(entry);
					}
				}
			}
			else {
				Iterator<HistorySlice.Entry> newestFirst = ring.entries.descendingIterator();
				while (newestFirst.hasNext() && entries.size() < limit) {
					entries.add(0, newestFirst.next());
				}
			}
			return new HistorySlice(ring.epoch, ring.top, List.copyOf(entries));
		}
	}

	private Ring ring(String topic) {
		return this.rings.computeIfAbsent(topic, (key) -> new Ring());
	}

	/**
	 * Splice {@code "offset"} and {@code "epoch"} into an encoded {@code message} frame before its
	 * closing brace, as the Redis broker's publishing script does.
	 */
	static byte[] splice(byte[] frame, long offset, String epoch) {
		byte[] fields = (",\"offset\":" + offset + ",\"epoch\":\"" + epoch + "\"}").getBytes(StandardCharsets.UTF_8);
		byte[] result = new byte[frame.length - 1 + fields.length];
		System.arraycopy(frame, 0, result, 0, frame.length - 1);
		System.arraycopy(fields, 0, result, frame.length - 1, fields.length);
		return result;
	}

	private static final class Ring {

		final String epoch = String.format("%016x", ThreadLocalRandom.current().nextLong());

		final ArrayDeque<HistorySlice.Entry> entries = new ArrayDeque<>();

		long top;

		long lastPublish = System.nanoTime();

		void expire(long ttlNanos) {
			if (System.nanoTime() - this.lastPublish > ttlNanos) {
				this.entries.clear();
			}
		}

	}

}
