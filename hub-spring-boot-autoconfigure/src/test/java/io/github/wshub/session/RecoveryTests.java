package io.github.wshub.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.wshub.protocol.EncodedFrame;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Recovery}.
 *
 * @author wshub
 */
class RecoveryTests {

	private final Recovery recovery = new Recovery();

	private final List<String> sent = new ArrayList<>();

	@Test
	void buffersUntilReleasedThenSendsOnlyWhatFollowsTheHistory() {
		assertThat(this.recovery.offer(4, frame(4))).isEqualTo(Recovery.Verdict.BUFFERED);
		assertThat(this.recovery.offer(5, frame(5))).isEqualTo(Recovery.Verdict.BUFFERED);
		assertThat(this.recovery.offer(6, frame(6))).isEqualTo(Recovery.Verdict.BUFFERED);
		this.recovery.release(5, (frame) -> this.sent.add(text(frame)));
		assertThat(this.sent).containsExactly("6");
		assertThat(this.recovery.offer(5, frame(5))).isEqualTo(Recovery.Verdict.DUPLICATE);
		assertThat(this.recovery.offer(7, frame(7))).isEqualTo(Recovery.Verdict.SEND);
	}

	@Test
	void releasesOnce() {
		this.recovery.offer(3, frame(3));
		this.recovery.release(0, (frame) -> this.sent.add(text(frame)));
		this.recovery.release(0, (frame) -> this.sent.add(text(frame)));
		assertThat(this.sent).containsExactly("3");
	}

	@Test
	void refusesToBufferWithoutBound() {
		for (int i = 1; i <= Recovery.MAX_BUFFERED; i++) {
			assertThat(this.recovery.offer(i, frame(i))).isEqualTo(Recovery.Verdict.BUFFERED);
		}
		assertThat(this.recovery.offer(Recovery.MAX_BUFFERED + 1, frame(0))).isEqualTo(Recovery.Verdict.OVERFLOW);
	}

	private static EncodedFrame frame(long offset) {
		return new EncodedFrame(Long.toString(offset).getBytes(StandardCharsets.UTF_8));
	}

	private static String text(EncodedFrame frame) {
		return new String(frame.bytes(), StandardCharsets.UTF_8);
	}

}
