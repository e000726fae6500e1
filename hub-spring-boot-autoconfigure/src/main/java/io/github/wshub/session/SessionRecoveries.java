package io.github.wshub.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import io.github.wshub.protocol.EncodedFrame;

/**
 * One session's {@link Recovery recoveries}, by topic. A recovery stays after its release, to
 * drop the messages its history read already held, until the session leaves the topic. The map
 * is created at the first recovering subscribe: most sessions never recover.
 *
 * @author wshub
 */
final class SessionRecoveries {

	private volatile @Nullable Map<String, Recovery> recoveries;

	Recovery start(String topic) {
		Map<String, Recovery> current = this.recoveries;
		if (current == null) {
			synchronized (this) {
				current = this.recoveries;
				if (current == null) {
					current = new ConcurrentHashMap<>();
					this.recoveries = current;
				}
			}
		}
		Recovery recovery = new Recovery();
		current.put(topic, recovery);
		return recovery;
	}

	/**
	 * Release a recovery (see {@link Recovery#release}); a failed one ({@code floor < 0}) sends
	 * everything it buffered and is forgotten.
	 */
	void release(String topic, Recovery recovery, long floor, Consumer<EncodedFrame> sender) {
		recovery.release(Math.max(floor, 0), sender);
		Map<String, Recovery> current = this.recoveries;
		if (floor < 0 && current != null) {
			current.remove(topic, recovery);
		}
	}

	/**
	 * Offer a topic message to the topic's recovery.
	 * @return the recovery's verdict, or {@code null} when the topic has none: send it
	 */
	Recovery.@Nullable Verdict offer(String topic, long offset, EncodedFrame frame) {
		Map<String, Recovery> current = this.recoveries;
		Recovery recovery = (current != null && offset > 0) ? current.get(topic) : null;
		return (recovery != null) ? recovery.offer(offset, frame) : null;
	}

	void forget(String topic) {
		Map<String, Recovery> current = this.recoveries;
		if (current != null) {
			current.remove(topic);
		}
	}

}
