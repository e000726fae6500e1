package io.github.wshub.session;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.HistorySlice;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.instrumentation.HubInstrumentation;

/**
 * Repairs gaps in what this instance receives on topics with history. It remembers, per topic
 * with local subscribers, the epoch and the last offset it delivered. A message whose offset is
 * not the next one (a Pub/Sub message was lost, for example during a reconnect) holds the
 * topic's deliveries back while the missing range is read from the history; the missing
 * messages are then delivered in order, before the held ones. When the range is gone (trimmed,
 * expired, more than {@code hub.history.max-recover}, a new epoch, or the read failed), the
 * topic's local sessions are closed with 4005 (state lost) so that their clients reconnect and
 * recover, and delivery goes on with the held messages.
 * <p>
 * A lost message that no later one reveals (the last of a burst) is found by
 * {@link #checkQuietTopics}: once per quiet spell of a topic, it reads the history after the
 * last offset delivered, and delivers what the instance missed the same way.
 * <p>
 * Every message of a topic with history passes through the topic's monitor, taken by the
 * topic's dispatch lane and, for a repair, by the thread completing the history read; so the
 * topic's messages are delivered in offset order, without duplicates, on either thread.
 *
 * @author wshub
 */
final class HistoryGapRepair {

	private static final Log logger = LogFactory.getLog(HistoryGapRepair.class);

	private final ConcurrentHashMap<String, Position> positions = new ConcurrentHashMap<>();

	private final TopicBroker broker;

	private final Consumer<BrokerMessage> fanOut;

	private final Consumer<String> closeSubscribers;

	private volatile int maxRepair = 1000;

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	/**
	 * Create a repair.
	 * @param broker the broker to read the history from
	 * @param fanOut delivers a message to the topic's local sessions
	 * @param closeSubscribers closes the topic's local sessions with 4005
	 */
	HistoryGapRepair(TopicBroker broker, Consumer<BrokerMessage> fanOut, Consumer<String> closeSubscribers) {
		this.broker = broker;
		this.fanOut = fanOut;
		this.closeSubscribers = closeSubscribers;
	}

	void setMaxRepair(int maxRepair) {
		this.maxRepair = maxRepair;
	}

	void setInstrumentation(HubInstrumentation instrumentation) {
		this.instrumentation = instrumentation;
	}

	/**
	 * Deliver a message with an offset, repairing a gap before it. Called on the topic's lane.
	 * @param message the message
	 */
	void deliver(BrokerMessage message) {
		Position position = this.positions.computeIfAbsent(message.topic(), (key) -> new Position());
		synchronized (position) {
			if (position.repairing) {
				position.held.add(message);
			}
			else {
				process(position, message);
			}
		}
	}

	/**
	 * The topic has no local subscriber any more: the instance may miss its messages from now
	 * on, which must not look like a gap when it subscribes again.
	 * @param topic the topic
	 */
	void forget(String topic) {
		this.positions.remove(topic);
	}

	/**
	 * Read the history of each topic that has been quiet for {@code quietNanos} since this
	 * instance delivered its last message, once per quiet spell, and deliver the messages the
	 * instance missed (a history that no longer holds them closes the topic's sessions with 4005).
	 * A message still on its way through Pub/Sub is not taken for a lost one: the topic is quiet
	 * only well after its last delivery, and a message that arrives meanwhile is delivered once,
	 * by whichever path comes first.
	 * @param quietNanos how long a topic must have been quiet
	 * @return the number of topics whose history was read
	 */
	int checkQuietTopics(long quietNanos) {
		long now = System.nanoTime();
		int checked = 0;
		for (Map.Entry<String, Position> candidate : this.positions.entrySet()) {
			Position position = candidate.getValue();
			long from;
			String epoch;
			synchronized (position) {
				if (position.checked || position.repairing || position.epoch == null
						|| now - position.deliveredAt < quietNanos) {
					continue;
				}
				position.checked = true;
				from = position.last;
				epoch = position.epoch;
			}
			checked++;
			String topic = candidate.getKey();
			this.broker.readHistory(topic, from, this.maxRepair).whenComplete((slice, ex) -> {
				if (ex != null || !epoch.equals(slice.epoch()) || slice.top() <= from) {
					// Nothing missed, a new epoch (its next message is a new baseline), or Redis
					// unreachable (the next message or check finds the gap).
					return;
				}
				synchronized (position) {
					if (this.positions.get(topic) != position || slice.top() <= position.last) {
						return;
					}
					if (slice.entries().isEmpty()) {
						// Offsets were taken that the history no longer holds: state lost.
						finish(topic, position, position.last, slice.top() + 1, null);
						position.checked = true;
						return;
					}
					this.instrumentation.historyGap(true);
					for (HistorySlice.Entry entry : slice.entries()) {
						BrokerMessage missed = new BrokerMessage(topic, entry.frame(), nowMicros(), "history",
								entry.offset(), slice.epoch());
						if (position.repairing) {
							position.held.add(missed);
						}
						else {
							process(position, missed);
						}
					}
					// Read once per quiet spell: what was read back does not start another.
					position.checked = true;
				}
			});
		}
		return checked;
	}

	// Holding the position's monitor.
	private void process(Position position, BrokerMessage message) {
		long offset = message.offset();
		position.deliveredAt = System.nanoTime();
		position.checked = false;
		if (position.epoch == null || !position.epoch.equals(message.epoch())) {
			// First message since the topic was subscribed, or a new epoch: a new baseline.
			position.epoch = message.epoch();
			position.last = offset;
			this.fanOut.accept(message);
			return;
		}
		if (offset <= position.last) {
			// Already delivered by a repair.
			return;
		}
		if (offset == position.last + 1) {
			position.last = offset;
			this.fanOut.accept(message);
			return;
		}
		long from = position.last;
		long missing = offset - from - 1;
		position.repairing = true;
		position.held.add(message);
		if (missing > this.maxRepair) {
			finish(message.topic(), position, from, offset, null);
			return;
		}
		this.broker.readHistory(message.topic(), from, (int) missing)
			.whenComplete((slice, ex) -> {
				synchronized (position) {
					if (this.positions.get(message.topic()) == position) {
						finish(message.topic(), position, from, offset, (ex != null) ? null : slice);
					}
				}
			});
	}

	// Holding the position's monitor.
	private void finish(String topic, Position position, long from, long to, @Nullable HistorySlice slice) {
		if (slice != null && isComplete(slice, position.epoch, from, to)) {
			long now = nowMicros();
			for (HistorySlice.Entry entry : slice.entries()) {
				this.fanOut.accept(new BrokerMessage(topic, entry.frame(), now, "history", entry.offset(),
						slice.epoch()));
			}
			this.instrumentation.historyGap(true);
			if (logger.isDebugEnabled()) {
				logger.debug("Repaired a gap of " + (to - from - 1) + " message(s) on topic '" + topic + "'");
			}
		}
		else {
			logger.info("Lost " + (to - from - 1) + " message(s) of topic '" + topic
					+ "' that its history no longer holds; closing its local sessions with 4005 (state lost)");
			this.instrumentation.historyGap(false);
			this.closeSubscribers.accept(topic);
		}
		position.last = to - 1;
		position.repairing = false;
		List<BrokerMessage> held = position.held;
		position.held = new ArrayList<>();
		for (BrokerMessage message : held) {
			if (position.repairing) {
				position.held.add(message);
			}
			else {
				process(position, message);
			}
		}
	}

	private static long nowMicros() {
		return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
	}

	private static boolean isComplete(HistorySlice slice, @Nullable String epoch, long from, long to) {
		if (!slice.epoch().equals(epoch) || slice.entries().size() != to - from - 1) {
			return false;
		}
		long expected = from + 1;
		for (HistorySlice.Entry entry : slice.entries()) {
			if (entry.offset() != expected++) {
				return false;
			}
		}
		return true;
	}

	private static final class Position {

		@Nullable String epoch;

		long last;

		boolean repairing;

		/** {@link System#nanoTime()} of the last message processed. */
		long deliveredAt;

		/** Whether {@link #checkQuietTopics} read the history since the last message. */
		boolean checked;

		List<BrokerMessage> held = new ArrayList<>();

	}

}
