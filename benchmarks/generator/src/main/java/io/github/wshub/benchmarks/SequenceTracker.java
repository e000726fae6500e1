package io.github.wshub.benchmarks;

import java.util.BitSet;

/**
 * What one subscriber received of one publisher's messages on one topic. Sequence numbers
 * start at 0 and grow by one per message the publisher sent to the topic, so the tracker tells
 * exactly which messages arrived, which arrived twice, and which arrived after a later one.
 * <p>
 * Not thread-safe: a subscriber's messages are recorded by one thread at a time.
 *
 * @author wshub
 */
public final class SequenceTracker {

	private final BitSet seen = new BitSet();

	private long highest = -1;

	private long received;

	private long distinct;

	private long duplicates;

	private long outOfOrder;

	/**
	 * Record the arrival of a message.
	 * @param seq the message's sequence number
	 */
	public void record(long seq) {
		this.received++;
		if (seq < 0 || seq > Integer.MAX_VALUE) {
			// Not a sequence number this generator sent: count it as a duplicate, never as a delivery.
			this.duplicates++;
			return;
		}
		int index = (int) seq;
		if (this.seen.get(index)) {
			this.duplicates++;
			return;
		}
		this.seen.set(index);
		this.distinct++;
		if (seq < this.highest) {
			this.outOfOrder++;
		}
		else {
			this.highest = seq;
		}
	}

	/**
	 * Return how many of the first {@code sent} messages never arrived.
	 * @param sent how many messages the publisher sent to the topic (sequence numbers
	 * {@code 0..sent-1})
	 * @return the number of lost messages
	 */
	public long lost(long sent) {
		if (sent <= 0) {
			return 0;
		}
		int upTo = (int) Math.min(sent, Integer.MAX_VALUE);
		return sent - this.seen.get(0, upTo).cardinality();
	}

	/**
	 * Return every message frame recorded, duplicates included.
	 * @return the number of frames received
	 */
	public long received() {
		return this.received;
	}

	/**
	 * Return how many different messages arrived.
	 * @return the number of distinct sequence numbers
	 */
	public long distinct() {
		return this.distinct;
	}

	/**
	 * Return how many messages arrived more than once (each extra arrival counts).
	 * @return the number of duplicates
	 */
	public long duplicates() {
		return this.duplicates;
	}

	/**
	 * Return how many messages arrived after a message with a higher sequence number.
	 * @return the number of out-of-order arrivals
	 */
	public long outOfOrder() {
		return this.outOfOrder;
	}

}
