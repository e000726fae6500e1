package io.github.wshub.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares what the publishers sent with what each subscriber received: expected deliveries
 * from the subscription map, and lost, duplicated, out-of-order and unexpected messages from
 * each subscriber's {@link SequenceTracker}s.
 *
 * @author wshub
 */
public final class DeliveryAccounting {

	private DeliveryAccounting() {
	}

	/**
	 * What one subscriber received.
	 *
	 * @param topic the topic it subscribed to (its subscribe was acknowledged)
	 * @param open whether its connection was still open at the end
	 * @param trackers its trackers by {@code topic << 32 | publisher}
	 */
	public record SubscriberView(int topic, boolean open, Map<Long, SequenceTracker> trackers) {
	}

	/**
	 * The totals of one publishing run.
	 *
	 * @param expected deliveries expected: each message once at each subscriber of its topic
	 * @param delivered message frames received, duplicates included
	 * @param lost expected messages that never arrived
	 * @param lostOnClosedSessions of those, the ones of subscribers whose connection closed
	 * @param duplicated extra arrivals of a message already received
	 * @param outOfOrder arrivals after a later message of the same publisher and topic
	 * @param unexpected messages received on a topic the subscriber had not subscribed to
	 */
	public record Totals(long expected, long delivered, long lost, long lostOnClosedSessions, long duplicated,
			long outOfOrder, long unexpected) {

		/**
		 * Return the loss on sessions that stayed open: the silent loss.
		 * @return the lost messages of open sessions
		 */
		public long lostOnOpenSessions() {
			return this.lost - this.lostOnClosedSessions;
		}

		/**
		 * Describe the totals for the JSON report.
		 * @return the fields
		 */
		public Map<String, Object> toMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("expected", this.expected);
			map.put("delivered", this.delivered);
			map.put("lost", this.lost);
			map.put("lostOnClosedSessions", this.lostOnClosedSessions);
			map.put("lostOnOpenSessions", lostOnOpenSessions());
			map.put("duplicated", this.duplicated);
			map.put("outOfOrder", this.outOfOrder);
			map.put("unexpected", this.unexpected);
			return map;
		}

	}

	/**
	 * Return the deliveries expected: every message sent to a topic, once per subscriber of
	 * that topic.
	 * @param publishers the publishers
	 * @param subscribersPerTopic the number of subscribers of each topic
	 * @return the expected deliveries
	 */
	public static long expected(List<Publisher> publishers, int[] subscribersPerTopic) {
		long expected = 0;
		for (Publisher publisher : publishers) {
			for (int topic = 0; topic < subscribersPerTopic.length; topic++) {
				expected += publisher.sentTo(topic) * subscribersPerTopic[topic];
			}
		}
		return expected;
	}

	/**
	 * Tally one run's messages: only the trackers of its publishers count.
	 * @param subscribers the subscribers
	 * @param publishers the run's publishers
	 * @param subscribersPerTopic the subscription map
	 * @return the totals
	 */
	public static Totals tally(List<SubscriberView> subscribers, List<Publisher> publishers, int[] subscribersPerTopic) {
		Map<Long, Publisher> byId = new LinkedHashMap<>();
		for (Publisher publisher : publishers) {
			byId.put((long) publisher.id(), publisher);
		}
		long delivered = 0;
		long lost = 0;
		long lostOnClosed = 0;
		long duplicated = 0;
		long outOfOrder = 0;
		long unexpected = 0;
		for (SubscriberView subscriber : subscribers) {
			for (Map.Entry<Long, SequenceTracker> entry : subscriber.trackers().entrySet()) {
				int topic = (int) (entry.getKey() >>> 32);
				long publisherId = entry.getKey() & 0xFFFFFFFFL;
				if (!byId.containsKey(publisherId)) {
					continue;
				}
				SequenceTracker tracker = entry.getValue();
				delivered += tracker.received();
				if (topic != subscriber.topic()) {
					unexpected += tracker.received();
					continue;
				}
				duplicated += tracker.duplicates();
				outOfOrder += tracker.outOfOrder();
			}
			for (Publisher publisher : publishers) {
				long sent = publisher.sentTo(subscriber.topic());
				SequenceTracker tracker = subscriber.trackers()
					.get(((long) subscriber.topic() << 32) | (publisher.id() & 0xFFFFFFFFL));
				long missing = (tracker != null) ? tracker.lost(sent) : sent;
				lost += missing;
				if (!subscriber.open()) {
					lostOnClosed += missing;
				}
			}
		}
		return new Totals(expected(publishers, subscribersPerTopic), delivered, lost, lostOnClosed, duplicated,
				outOfOrder, unexpected);
	}

}
