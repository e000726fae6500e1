package io.github.wshub.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PublishDeadlines}.
 *
 * @author wshub
 */
class PublishDeadlinesTests {

	private final AtomicLong now = new AtomicLong();

	private final PublishDeadlines deadlines = new PublishDeadlines(Duration.ofMillis(100), this.now::get);

	@Test
	void sweepFailsOnlyPublishesPastTheirDeadline() {
		CompletableFuture<Long> first = this.deadlines.add(new CompletableFuture<>());
		this.now.set(millis(50));
		CompletableFuture<Long> second = this.deadlines.add(new CompletableFuture<>());
		this.now.set(millis(99));
		assertThat(this.deadlines.sweep()).isZero();
		this.now.set(millis(100));
		assertThat(this.deadlines.sweep()).isOne();
		assertThat(first).isCompletedExceptionally();
		assertThat(first).failsWithin(Duration.ZERO)
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(TimeoutException.class)
			.withMessageContaining("100 ms");
		assertThat(second).isNotDone();
		this.now.set(millis(150));
		assertThat(this.deadlines.sweep()).isOne();
		assertThat(second).isCompletedExceptionally();
		assertThat(this.deadlines.size()).isZero();
	}

	@Test
	void completedPublishesAreForgottenAndNeverFailed() {
		CompletableFuture<Long> pending = this.deadlines.add(new CompletableFuture<>());
		CompletableFuture<Long> answered = this.deadlines.add(new CompletableFuture<>());
		answered.complete(2L);
		this.now.set(millis(10));
		this.deadlines.sweep();
		assertThat(this.deadlines.size()).as("the head is still within its time").isEqualTo(2);
		CompletableFuture<Long> later = this.deadlines.add(new CompletableFuture<>());
		later.complete(3L);
		pending.complete(1L);
		this.now.set(millis(500));
		assertThat(this.deadlines.sweep()).isZero();
		assertThat(answered).isCompletedWithValue(2L);
		assertThat(pending).isCompletedWithValue(1L);
		assertThat(this.deadlines.size()).isZero();
	}

	@Test
	void alreadyCompletedPublishIsNotTracked() {
		this.deadlines.add(CompletableFuture.completedFuture(1L));
		assertThat(this.deadlines.size()).isZero();
	}

	@Test
	void sweepIntervalIsATenthOfTheTimeoutWithinBounds() {
		assertThat(PublishGate.sweepInterval(Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(100));
		assertThat(PublishGate.sweepInterval(Duration.ofMillis(300))).isEqualTo(Duration.ofMillis(30));
		assertThat(PublishGate.sweepInterval(Duration.ofMillis(20))).isEqualTo(Duration.ofMillis(10));
	}

	private static long millis(long millis) {
		return Duration.ofMillis(millis).toNanos();
	}

}
