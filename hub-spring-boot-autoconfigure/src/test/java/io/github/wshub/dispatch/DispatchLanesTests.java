package io.github.wshub.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Tests for {@link DispatchLanes}: the barrier and the stop are bounded in time, whatever the
 * lanes' tasks do.
 *
 * @author wshub
 */
class DispatchLanesTests {

	private final CountDownLatch release = new CountDownLatch(1);

	// One waiting task per lane: a lane with a running task and one queued is full.
	private final DispatchLanes lanes = new DispatchLanes(2, 1, "test-lane-");

	@AfterEach
	void stopLanes() {
		this.release.countDown();
		this.lanes.shutdown(Duration.ZERO);
	}

	@Test
	void barrierCompletesOnceEveryLaneRanTheTasksQueuedBeforeIt() throws Exception {
		DispatchLanes roomy = new DispatchLanes(2, 100, "test-roomy-lane-");
		try {
			List<String> ran = new CopyOnWriteArrayList<>();
			for (String key : List.of("a", "b", "c", "d")) {
				roomy.execute(key, () -> ran.add(key));
			}
			roomy.barrier(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
			assertThat(ran).containsExactlyInAnyOrder("a", "b", "c", "d");
		}
		finally {
			roomy.shutdown(Duration.ZERO);
		}
	}

	@Test
	void barrierGivesUpWithinItsTimeoutWhileALaneStaysFull() throws Exception {
		blockLaneOf("topic");
		assertThat(this.lanes.execute("topic", () -> { })).as("fills the lane's queue").isTrue();
		long start = System.nanoTime();
		CompletableFuture<Void> barrier = assertTimeoutPreemptively(Duration.ofSeconds(5),
				() -> this.lanes.barrier(Duration.ofMillis(200)));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(190),
				Duration.ofSeconds(2));
		assertThat(barrier).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(TimeoutException.class);
	}

	@Test
	void barrierRunsLateWhenALaneIsBlockedButHasRoom() throws Exception {
		blockLaneOf("topic");
		CompletableFuture<Void> barrier = this.lanes.barrier(Duration.ofMillis(200));
		assertThat(barrier).isNotDone();
		this.release.countDown();
		barrier.get(5, TimeUnit.SECONDS);
	}

	@Test
	void closeInterruptsATaskStillRunningAfterItsGrace() throws Exception {
		AtomicBoolean interrupted = new AtomicBoolean();
		CountDownLatch started = new CountDownLatch(1);
		this.lanes.execute("topic", () -> {
			started.countDown();
			try {
				this.release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				interrupted.set(true);
			}
		});
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		long start = System.nanoTime();
		assertTimeoutPreemptively(Duration.ofSeconds(5), () -> this.lanes.close());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
		await().atMost(Duration.ofSeconds(2)).untilTrue(interrupted);
	}

	private void blockLaneOf(String key) throws InterruptedException {
		CountDownLatch started = new CountDownLatch(1);
		this.lanes.execute(key, () -> {
			started.countDown();
			try {
				this.release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
	}

}
