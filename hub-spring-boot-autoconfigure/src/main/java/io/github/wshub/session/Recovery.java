package io.github.wshub.session;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.github.wshub.protocol.EncodedFrame;

/**
 * One session's recovery of one topic: the live messages that arrive while the history is read
 * and the {@code ack} carrying it is on its way wait here, then only those after the history read
 * are sent. Live messages arrive on the topic's dispatch lane, the release comes from the
 * session's reply chain; the monitor orders the two.
 *
 * @author wshub
 */
final class Recovery {

	/**
	 * Most live messages held for one recovery. A recovery whose {@code ack} is not sent (its
	 * reply was lost with a full dispatch lane) or whose client does not keep up would otherwise
	 * hold messages without bound.
	 */
	static final int MAX_BUFFERED = 10_000;

	enum Verdict {

		BUFFERED, DUPLICATE, SEND, OVERFLOW

	}

	private List<Buffered> buffer = new ArrayList<>();

	private boolean released;

	private long floor;

	synchronized Verdict offer(long offset, EncodedFrame frame) {
		if (!this.released) {
			if (this.buffer.size() >= MAX_BUFFERED) {
				return Verdict.OVERFLOW;
			}
			this.buffer.add(new Buffered(offset, frame));
			return Verdict.BUFFERED;
		}
		// Sent under the monitor's happens-before: a message offered while the buffer was
		// being released waits here and goes after the buffered ones.
		return (offset <= this.floor) ? Verdict.DUPLICATE : Verdict.SEND;
	}

	/**
	 * Release the buffer: send the buffered messages above {@code floor}, in arrival order,
	 * while holding the monitor, so that a message offered meanwhile is sent after them.
	 */
	synchronized void release(long floor, Consumer<EncodedFrame> sender) {
		if (this.released) {
			return;
		}
		this.released = true;
		this.floor = floor;
		for (Buffered buffered : this.buffer) {
			if (buffered.offset() > floor) {
				sender.accept(buffered.frame());
			}
		}
		this.buffer = List.of();
	}

	private record Buffered(long offset, EncodedFrame frame) {
	}

}
