package io.github.wshub.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.BrokerUnavailableException;
import io.github.wshub.broker.HistorySlice;
import io.github.wshub.broker.TopicBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;

/**
 * Tests for {@link HistoryGapRepair}, with a stubbed history read.
 *
 * @author wshub
 */
class HistoryGapRepairTests {

	private final TopicBroker broker = mock(TopicBroker.class);

	private final List<Long> delivered = new ArrayList<>();

	private final List<String> closed = new ArrayList<>();

	private final HistoryGapRepair repair = new HistoryGapRepair(this.broker,
			(message) -> this.delivered.add(message.offset()), this.closed::add);

	@Test
	void consecutiveOffsetsAreDeliveredAndDuplicatesDropped() {
		this.repair.deliver(message(5, "e"));
		this.repair.deliver(message(6, "e"));
		this.repair.deliver(message(6, "e"));
		this.repair.deliver(message(4, "e"));
		assertThat(this.delivered).containsExactly(5L, 6L);
		then(this.broker).should(never()).readHistory(anyString(), anyLong(), anyInt());
	}

	@Test
	void aNewEpochIsANewBaseline() {
		this.repair.deliver(message(5, "e"));
		this.repair.deliver(message(1, "f"));
		this.repair.deliver(message(2, "f"));
		assertThat(this.delivered).containsExactly(5L, 1L, 2L);
	}

	@Test
	void aGapIsReadBackAndDeliveredBeforeTheHeldMessages() {
		CompletableFuture<HistorySlice> read = new CompletableFuture<>();
		given(this.broker.readHistory("t", 1, 2)).willReturn(read);
		this.repair.deliver(message(1, "e"));
		this.repair.deliver(message(4, "e"));
		this.repair.deliver(message(5, "e"));
		assertThat(this.delivered).containsExactly(1L);
		read.complete(new HistorySlice("e", 5, List.of(entry(2), entry(3))));
		assertThat(this.delivered).containsExactly(1L, 2L, 3L, 4L, 5L);
		assertThat(this.closed).isEmpty();
	}

	@Test
	void aGapTheHistoryNoLongerHoldsClosesTheSubscribers() {
		given(this.broker.readHistory("t", 1, 2))
			.willReturn(CompletableFuture.completedFuture(new HistorySlice("e", 4, List.of(entry(3)))));
		this.repair.deliver(message(1, "e"));
		this.repair.deliver(message(4, "e"));
		assertThat(this.closed).containsExactly("t");
		assertThat(this.delivered).containsExactly(1L, 4L);
	}

	@Test
	void aFailedReadClosesTheSubscribers() {
		given(this.broker.readHistory("t", 1, 1))
			.willReturn(CompletableFuture.failedFuture(new BrokerUnavailableException("down", null)));
		this.repair.deliver(message(1, "e"));
		this.repair.deliver(message(3, "e"));
		assertThat(this.closed).containsExactly("t");
		assertThat(this.delivered).containsExactly(1L, 3L);
	}

	@Test
	void aGapLongerThanTheLimitIsNotRead() {
		this.repair.setMaxRepair(10);
		this.repair.deliver(message(1, "e"));
		this.repair.deliver(message(13, "e"));
		then(this.broker).should(never()).readHistory(anyString(), anyLong(), anyInt());
		assertThat(this.closed).containsExactly("t");
	}

	@Test
	void aForgottenTopicStartsANewBaseline() {
		this.repair.deliver(message(1, "e"));
		this.repair.forget("t");
		this.repair.deliver(message(9, "e"));
		assertThat(this.delivered).containsExactly(1L, 9L);
		then(this.broker).should(never()).readHistory(anyString(), anyLong(), anyInt());
	}

	@Test
	void aQuietTopicIsReadOnceAndItsLostLastMessageDelivered() {
		given(this.broker.readHistory("t", 2, 1000))
			.willReturn(CompletableFuture.completedFuture(new HistorySlice("e", 3, List.of(entry(3)))));
		this.repair.deliver(message(1, "e"));
		this.repair.deliver(message(2, "e"));
		assertThat(this.repair.checkQuietTopics(0)).isOne();
		assertThat(this.delivered).containsExactly(1L, 2L, 3L);
		assertThat(this.repair.checkQuietTopics(0)).as("once per quiet spell").isZero();
		this.repair.deliver(message(4, "e"));
		given(this.broker.readHistory("t", 4, 1000))
			.willReturn(CompletableFuture.completedFuture(new HistorySlice("e", 4, List.of())));
		assertThat(this.repair.checkQuietTopics(0)).as("a new spell after a message").isOne();
		assertThat(this.delivered).containsExactly(1L, 2L, 3L, 4L);
		assertThat(this.closed).isEmpty();
	}

	@Test
	void aTopicThatIsNotQuietYetIsNotRead() {
		this.repair.deliver(message(1, "e"));
		assertThat(this.repair.checkQuietTopics(Long.MAX_VALUE)).isZero();
		then(this.broker).should(never()).readHistory(anyString(), anyLong(), anyInt());
	}

	@Test
	void aMessageArrivingWhileAQuietTopicIsReadIsDeliveredOnce() {
		CompletableFuture<HistorySlice> read = new CompletableFuture<>();
		given(this.broker.readHistory("t", 1, 1000)).willReturn(read);
		this.repair.deliver(message(1, "e"));
		this.repair.checkQuietTopics(0);
		this.repair.deliver(message(2, "e"));
		read.complete(new HistorySlice("e", 2, List.of(entry(2))));
		assertThat(this.delivered).containsExactly(1L, 2L);
	}

	@Test
	void aQuietTopicWhoseMissingMessagesWereTrimmedClosesTheSubscribers() {
		given(this.broker.readHistory("t", 1, 1000))
			.willReturn(CompletableFuture.completedFuture(new HistorySlice("e", 5, List.of(entry(4), entry(5)))));
		given(this.broker.readHistory("t", 1, 2))
			.willReturn(CompletableFuture.completedFuture(new HistorySlice("e", 5, List.of(entry(4), entry(5)))));
		this.repair.deliver(message(1, "e"));
		this.repair.checkQuietTopics(0);
		assertThat(this.closed).containsExactly("t");
		assertThat(this.delivered).containsExactly(1L, 4L, 5L);
	}

	@Test
	void aQuietTopicWhoseHistoryHoldsNothingAfterTheLastOffsetClosesTheSubscribers() {
		given(this.broker.readHistory("t", 1, 1000))
			.willReturn(CompletableFuture.completedFuture(new HistorySlice("e", 6, List.of())));
		this.repair.deliver(message(1, "e"));
		this.repair.checkQuietTopics(0);
		assertThat(this.closed).containsExactly("t");
		this.repair.deliver(message(7, "e"));
		assertThat(this.delivered).containsExactly(1L, 7L);
	}

	private static BrokerMessage message(long offset, String epoch) {
		return new BrokerMessage("t", new byte[0], 0, "origin", offset, epoch);
	}

	private static HistorySlice.Entry entry(long offset) {
		return new HistorySlice.Entry(offset, ("{\"offset\":" + offset + "}").getBytes(StandardCharsets.UTF_8));
	}

}
