package io.github.wshub.session;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.wshub.broker.HistorySlice;
import io.github.wshub.protocol.ClientFrame.Since;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HubProtocolHandler#isRecovered}: a recovery is all or nothing.
 *
 * @author wshub
 */
class RecoveryDecisionTests {

	@Test
	void sameEpochAndEveryMissedOffsetIsRecovered() {
		assertThat(HubProtocolHandler.isRecovered(new Since("e", 3), slice("e", 6, 4, 6), 10)).isTrue();
	}

	@Test
	void upToDateClientIsRecoveredWithNothing() {
		assertThat(HubProtocolHandler.isRecovered(new Since("e", 6), slice("e", 6, 7, 6), 10)).isTrue();
	}

	@Test
	void otherEpochIsNotRecovered() {
		assertThat(HubProtocolHandler.isRecovered(new Since("old", 3), slice("e", 6, 4, 6), 10)).isFalse();
	}

	@Test
	void trimmedHistoryIsNotRecovered() {
		assertThat(HubProtocolHandler.isRecovered(new Since("e", 3), slice("e", 6, 5, 6), 10)).isFalse();
	}

	@Test
	void moreThanMaxRecoverIsNotRecovered() {
		assertThat(HubProtocolHandler.isRecovered(new Since("e", 3), slice("e", 6, 4, 6), 2)).isFalse();
	}

	@Test
	void offsetsFromTheFutureOrNegativeAreNotRecovered() {
		assertThat(HubProtocolHandler.isRecovered(new Since("e", 7), slice("e", 6, 7, 6), 10)).isFalse();
		assertThat(HubProtocolHandler.isRecovered(new Since("e", -1), slice("e", 6, 0, 6), 10)).isFalse();
		assertThat(HubProtocolHandler.isRecovered(Since.INVALID, slice("e", 0, 1, 0), 10)).isFalse();
	}

	private static HistorySlice slice(String epoch, long top, long from, long to) {
		List<HistorySlice.Entry> entries = new ArrayList<>();
		for (long offset = from; offset <= to; offset++) {
			entries.add(new HistorySlice.Entry(offset, new byte[0]));
		}
		return new HistorySlice(epoch, top, entries);
	}

}
