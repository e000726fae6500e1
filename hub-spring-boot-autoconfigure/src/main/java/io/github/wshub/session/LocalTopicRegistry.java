package io.github.wshub.session;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.instrumentation.HubInstrumentation.DropReason;
import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.BrokerMessageListener;
import io.github.wshub.broker.HistorySettings;
import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.HubCloseStatus;

import org.springframework.util.Assert;

/**
 * This instance's topic subscriptions: which local sessions are subscribed to which topic, with
 * the per-topic refcount that drives the broker. A topic's refcount going from 0 to 1 calls
 * {@link TopicBroker#subscribe(String)}, from 1 to 0 {@link TopicBroker#unsubscribe(String)}.
 * Both happen atomically with the refcount change (under the topic's map bin lock), so the
 * broker sees transitions in exactly the order they happened.
 * <p>
 * Messages from the broker are fanned out on the topic's {@link DispatchLanes lane}: one frame,
 * encoded once, is queued to every subscribed session in broker order.
 *
 * @author wshub
 */
public final class LocalTopicRegistry implements BrokerMessageListener {

	private final ConcurrentHashMap<String, Set<HubSession>> subscribers = new ConcurrentHashMap<>();

	private final TopicBroker broker;

	private final DispatchLanes lanes;

	private final HistoryGapRepair gaps;

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	/**
	 * Create a registry. It receives messages once it is set as the broker's message listener
	 * ({@link TopicBroker#setMessageListener}); the auto-configuration does that in one wiring step.
	 * @param broker the broker
	 * @param lanes the lanes that keep per-topic order during fan-out
	 */
	public LocalTopicRegistry(TopicBroker broker, DispatchLanes lanes) {
		Assert.notNull(broker, "'broker' must not be null");
		Assert.notNull(lanes, "'lanes' must not be null");
		this.broker = broker;
		this.lanes = lanes;
		this.gaps = new HistoryGapRepair(broker, this::fanOut, this::closeSubscribers);
	}

	/**
	 * Set the history limits: a gap of more than {@link HistorySettings#maxRecover()} messages
	 * is not read back (see {@link HistoryGapRepair}).
	 * @param settings the history settings
	 */
	public void setHistorySettings(HistorySettings settings) {
		Assert.notNull(settings, "'settings' must not be null");
		this.gaps.setMaxRepair(settings.maxRecover());
	}

	/**
	 * Set where events are reported, for metrics.
	 * @param instrumentation the instrumentation
	 */
	public void setInstrumentation(HubInstrumentation instrumentation) {
		Assert.notNull(instrumentation, "'instrumentation' must not be null");
		this.instrumentation = instrumentation;
		this.gaps.setInstrumentation(instrumentation);
	}

	/**
	 * Subscribe a session to a topic. Idempotent: a second subscribe adds no second delivery.
	 * A session the hub has closed is not subscribed, even when its close runs concurrently
	 * with this call: it is left in no topic, and the broker is not asked for the topic.
	 * @param session the session
	 * @param topic the topic
	 * @return the pending subscription, whose future completes once the broker subscription for
	 * the topic is confirmed, or is already failed when the session is closed
	 */
	public Subscription subscribe(HubSession session, String topic) {
		@SuppressWarnings("unchecked")
		CompletableFuture<Void>[] confirmed = new CompletableFuture[1];
		long[] attempt = new long[1];
		boolean[] first = new boolean[1];
		boolean[] closed = new boolean[1];
		long start = System.nanoTime();
		this.subscribers.compute(topic, (key, sessions) -> {
			Set<HubSession> result = (sessions != null) ? sessions : ConcurrentHashMap.newKeySet();
			boolean alreadySubscribed = !result.add(session);
			session.topics().add(key);
			// Write, then check; the close does the reverse: it marks the session, then copies
			// its topics to unsubscribe them (LocalSessions#close). Both sides write and read
			// through volatile fields or a ConcurrentHashMap, so either this read sees the mark,
			// or the close's copy holds this topic and its unsubscribe (which waits for this
			// bin) removes the session. No interleaving leaves it here.
			if (session.isClosed()) {
				closed[0] = true;
				if (alreadySubscribed) {
					removeLocked(session, key, result);
				}
				else {
					// Undo the add; the broker was not told.
					result.remove(session);
					session.topics().remove(key);
				}
				return result.isEmpty() ? null : result;
			}
			first[0] = (sessions == null);
			attempt[0] = session.nextSubscribeAttempt(key);
			confirmed[0] = this.broker.subscribe(key);
			return result;
		});
		if (closed[0]) {
			IllegalStateException ex = new IllegalStateException("Session " + session.getId() + " is closed");
			return new Subscription(topic, 0, CompletableFuture.failedFuture(ex));
		}
		if (first[0]) {
			HubInstrumentation current = this.instrumentation;
			confirmed[0].thenRun(() -> current.subscribeConfirmed(System.nanoTime() - start));
		}
		return new Subscription(topic, attempt[0], confirmed[0]);
	}

	/**
	 * Undo a subscription whose broker subscription failed, unless the session subscribed to
	 * the topic again since: that newer request decides by itself.
	 * @param session the session
	 * @param subscription the failed subscription
	 * @return {@code true} if the session was unsubscribed
	 */
	public boolean rollback(HubSession session, Subscription subscription) {
		boolean[] removed = new boolean[1];
		this.subscribers.computeIfPresent(subscription.topic(), (key, sessions) -> {
			if (!session.isLatestSubscribeAttempt(key, subscription.attempt())) {
				return sessions;
			}
			removed[0] = removeLocked(session, key, sessions);
			return sessions.isEmpty() ? null : sessions;
		});
		return removed[0];
	}

	/**
	 * Unsubscribe a session from a topic; does nothing if it is not subscribed.
	 * @param session the session
	 * @param topic the topic
	 */
	public void unsubscribe(HubSession session, String topic) {
		this.subscribers.computeIfPresent(topic, (key, sessions) -> {
			removeLocked(session, key, sessions);
			return sessions.isEmpty() ? null : sessions;
		});
	}

	// Called inside compute() for the topic.
	private boolean removeLocked(HubSession session, String topic, Set<HubSession> sessions) {
		session.topics().remove(topic);
		session.forgetSubscribeAttempts(topic);
		boolean removed = sessions.remove(session);
		if (removed && sessions.isEmpty()) {
			this.gaps.forget(topic);
			this.broker.unsubscribe(topic);
		}
		return removed;
	}

	/**
	 * Unsubscribe a session from all its topics, as when it closes. Mark the session closed
	 * first, so that a subscribe still in flight cannot add it back (see
	 * {@link #subscribe(HubSession, String)}).
	 * @param session the session
	 */
	public void unsubscribeAll(HubSession session) {
		for (String topic : session.topics().toArray(new String[0])) {
			unsubscribe(session, topic);
		}
	}

	/**
	 * Return the number of local sessions subscribed to a topic.
	 * @param topic the topic
	 * @return the refcount
	 */
	public int refCount(String topic) {
		Set<HubSession> sessions = this.subscribers.get(topic);
		return (sessions != null) ? sessions.size() : 0;
	}

	/**
	 * Return the refcount of every topic with at least one local subscriber.
	 * @return refcounts by topic, sorted by topic
	 */
	public Map<String, Integer> refCounts() {
		Map<String, Integer> counts = new TreeMap<>();
		this.subscribers.forEach((topic, sessions) -> counts.put(topic, sessions.size()));
		return Collections.unmodifiableMap(counts);
	}

	/**
	 * Return the number of topics with at least one local subscriber.
	 * @return the topic count
	 */
	public int topicCount() {
		return this.subscribers.size();
	}

	/**
	 * Read back what this instance missed of its history topics that have been quiet for
	 * {@code quietFor}: a lost message that no later message reveals. Each topic is read once
	 * per quiet spell; see {@link HistoryGapRepair}.
	 * @param quietFor how long a topic must have been without messages
	 * @return the number of topics whose history was read
	 */
	public int checkQuietHistoryTopics(Duration quietFor) {
		return this.gaps.checkQuietTopics(quietFor.toNanos());
	}

	@Override
	public void onMessage(BrokerMessage message) {
		if (!this.lanes.execute(message.topic(), () -> deliver(message))) {
			this.instrumentation.messageDropped(DropReason.LANE_FULL, refCount(message.topic()));
		}
	}

	private void deliver(BrokerMessage message) {
		if (message.offset() <= 0) {
			fanOut(message);
			return;
		}
		Set<HubSession> sessions = this.subscribers.get(message.topic());
		if (sessions != null && !sessions.isEmpty()) {
			// A topic with history: in offset order, a lost message read back first.
			this.gaps.deliver(message);
		}
	}

	private void closeSubscribers(String topic) {
		Set<HubSession> sessions = this.subscribers.get(topic);
		if (sessions != null) {
			for (HubSession session : sessions.toArray(new HubSession[0])) {
				session.close(HubCloseStatus.STATE_LOST);
			}
		}
	}

	private void fanOut(BrokerMessage message) {
		Set<HubSession> sessions = this.subscribers.get(message.topic());
		if (sessions == null || sessions.isEmpty()) {
			return;
		}
		long start = System.nanoTime();
		EncodedFrame frame = new EncodedFrame(message.frame());
		int delivered = 0;
		for (HubSession session : sessions) {
			if (session.sendTopicMessage(message.topic(), message.offset(), frame)) {
				delivered++;
			}
		}
		this.instrumentation.messageDelivered(message, delivered, System.nanoTime() - start);
	}

	/**
	 * A session's pending subscription to a topic.
	 *
	 * @param topic the topic
	 * @param attempt the number of this subscribe request for the session and topic, 0 when
	 * the session was closed and not subscribed
	 * @param confirmed completes once the broker subscription is confirmed; fails when the
	 * session was closed
	 */
	public record Subscription(String topic, long attempt, CompletableFuture<Void> confirmed) {
	}

}
