package io.github.wshub.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SequenceTracker}.
 *
 * @author wshub
 */
class SequenceTrackerTests {

	@Test
	void inOrderWithoutGapsHasNothingToReport() {
		SequenceTracker tracker = new SequenceTracker();
		for (int seq = 0; seq < 10; seq++) {
			tracker.record(seq);
		}
		assertThat(tracker.lost(10)).isZero();
		assertThat(tracker.duplicates()).isZero();
		assertThat(tracker.outOfOrder()).isZero();
		assertThat(tracker.received()).isEqualTo(10);
		assertThat(tracker.distinct()).isEqualTo(10);
	}

	@Test
	void gapsAreLostAndCountedAgainstWhatWasSent() {
		SequenceTracker tracker = new SequenceTracker();
		tracker.record(0);
		tracker.record(2);
		tracker.record(5);
		assertThat(tracker.lost(6)).isEqualTo(3);
		// Messages sent at the end that never arrived are lost too.
		assertThat(tracker.lost(8)).isEqualTo(5);
		assertThat(tracker.outOfOrder()).isZero();
	}

	@Test
	void aRepeatedMessageIsADuplicateNotADelivery() {
		SequenceTracker tracker = new SequenceTracker();
		tracker.record(0);
		tracker.record(1);
		tracker.record(1);
		tracker.record(0);
		assertThat(tracker.duplicates()).isEqualTo(2);
		assertThat(tracker.distinct()).isEqualTo(2);
		assertThat(tracker.received()).isEqualTo(4);
		assertThat(tracker.lost(2)).isZero();
		assertThat(tracker.outOfOrder()).isZero();
	}

	@Test
	void aLateMessageIsOutOfOrderAndNotLost() {
		SequenceTracker tracker = new SequenceTracker();
		tracker.record(0);
		tracker.record(2);
		tracker.record(1);
		tracker.record(3);
		assertThat(tracker.outOfOrder()).isEqualTo(1);
		assertThat(tracker.lost(4)).isZero();
	}

	@Test
	void nothingSentNothingLost() {
		assertThat(new SequenceTracker().lost(0)).isZero();
		assertThat(new SequenceTracker().lost(3)).isEqualTo(3);
	}

}
