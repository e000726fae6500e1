package io.github.wshub.benchmarks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DeliveryAccounting} and the schedule of {@link Publisher}.
 *
 * @author wshub
 */
class DeliveryAccountingTests {

	@Test
	void expectedDeliveriesFollowTheSubscriptionMap() {
		// 3 topics; publisher 0 starts at topic 0, publisher 1 at topic 1; 7 messages each.
		Publisher first = publisher(0, 3, 0, 7);
		Publisher second = publisher(1, 3, 1, 7);
		assertThat(first.sentTo(0)).isEqualTo(3);
		assertThat(first.sentTo(1)).isEqualTo(2);
		assertThat(first.sentTo(2)).isEqualTo(2);
		assertThat(second.sentTo(1)).isEqualTo(3);
		// Topic 0: 2 subscribers, topic 1: none, topic 2: 5.
		int[] subscribers = { 2, 0, 5 };
		long expected = DeliveryAccounting.expected(List.of(first, second), subscribers);
		assertThat(expected).isEqualTo((3 + 2) * 2 + (2 + 2) * 5);
	}

	@Test
	void tallyCountsLossDuplicatesOrderAndUnexpectedPerSubscriber() {
		Publisher publisher = publisher(4, 2, 0, 6); // topics 0 and 1, 3 messages each (seq 0..2)
		int[] subscribers = { 2, 1 };
		Map<Long, SequenceTracker> perfect = trackers(0, 4, 0, 1, 2);
		Map<Long, SequenceTracker> lossy = trackers(0, 4, 0, 2, 2); // 1 lost, 1 duplicate
		Map<Long, SequenceTracker> reordered = trackers(1, 4, 1, 0, 2); // out of order once
		// Messages of another topic the subscriber never asked for, and of another run.
		reordered.putAll(trackers(0, 4, 0));
		reordered.putAll(trackers(1, 99, 0, 1));
		DeliveryAccounting.Totals totals = DeliveryAccounting.tally(
				List.of(new DeliveryAccounting.SubscriberView(0, true, perfect),
						new DeliveryAccounting.SubscriberView(0, false, lossy),
						new DeliveryAccounting.SubscriberView(1, true, reordered)),
				List.of(publisher), subscribers);
		assertThat(totals.expected()).isEqualTo(3 * 2 + 3 * 1);
		assertThat(totals.delivered()).isEqualTo(3 + 3 + 3 + 1);
		assertThat(totals.lost()).isEqualTo(1);
		assertThat(totals.lostOnClosedSessions()).isEqualTo(1);
		assertThat(totals.lostOnOpenSessions()).isZero();
		assertThat(totals.duplicated()).isEqualTo(1);
		assertThat(totals.outOfOrder()).isEqualTo(1);
		assertThat(totals.unexpected()).isEqualTo(1);
	}

	@Test
	void aSubscriberThatReceivedNothingLostEverything() {
		Publisher publisher = publisher(0, 1, 0, 5);
		DeliveryAccounting.Totals totals = DeliveryAccounting.tally(
				List.of(new DeliveryAccounting.SubscriberView(0, true, new HashMap<>())), List.of(publisher),
				new int[] { 1 });
		assertThat(totals.lost()).isEqualTo(5);
		assertThat(totals.lostOnOpenSessions()).isEqualTo(5);
	}

	@Test
	void publishFramesCarryPublisherSequenceStampAndPayloadSize() {
		Publisher publisher = new Publisher(3, null, 2, 1, 1000, 10, 100);
		String frame = publisher.nextFrame(123456789L);
		assertThat(frame).startsWith("{\"type\":\"publish\",\"topic\":\"bench.t1\",\"data\":{\"p\":3,\"s\":0,\"t\":123456789,\"x\":\"");
		assertThat(frame).endsWith("\"},\"id\":1}");
		String data = frame.substring(frame.indexOf("\"data\":") + 7, frame.lastIndexOf(",\"id\""));
		assertThat(data).hasSize(100);
		assertThat(publisher.nextFrame(1)).contains("\"topic\":\"bench.t0\"").contains("\"s\":0").endsWith("\"id\":2}");
		assertThat(publisher.nextFrame(1)).contains("\"topic\":\"bench.t1\"").contains("\"s\":1");
	}

	private static Publisher publisher(int id, int topics, int offset, int messages) {
		Publisher publisher = new Publisher(id, null, topics, offset, 1000, messages, 100);
		for (int i = 0; i < messages; i++) {
			publisher.nextFrame(0);
		}
		return publisher;
	}

	private static Map<Long, SequenceTracker> trackers(int topic, int publisher, long... seqs) {
		SequenceTracker tracker = new SequenceTracker();
		for (long seq : seqs) {
			tracker.record(seq);
		}
		Map<Long, SequenceTracker> map = new HashMap<>();
		map.put(((long) topic << 32) | publisher, tracker);
		return map;
	}

}
