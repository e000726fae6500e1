package io.github.wshub.redis;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether Redis' acceptance of a publish may be acknowledged, so that an {@code ack}
 * never covers a message that subscribers then miss because of a reconnect.
 * <p>
 * Three rules, each closing one way an acknowledged message was lost:
 * <ol>
 * <li><b>No replayed publishes.</b> Lettuce queues commands while a connection is down and
 * replays the ones in flight when it reconnects, before the subscription connections of this
 * and other instances have subscribed again. Every loss of a connection of the client is counted
 * ({@link #onRedisDisconnected}; a connection closed on purpose is no loss); a publish is
 * acknowledged only if no loss happened between the moment it was sent and Redis' reply (its
 * {@link #ticket()}).</li>
 * <li><b>Closed until confirmed.</b> After a connection loss the fence is closed: publishes fail
 * at once until the broker has subscribed every channel it holds again and a ping went through
 * Redis and back ({@link #reopen(long)}).</li>
 * <li><b>As many receivers as before.</b> Other instances reconnect on their own schedule. For
 * each topic the fence remembers how many subscribers Redis delivered its last message to (at
 * most {@value #MAX_TOPICS} topics). After it reopens, a publish on such a topic is acknowledged
 * only once Redis delivers it to at least as many subscribers as before the loss; until then
 * it fails with {@code broker_unavailable}, so the client can retry. A topic that does not get
 * back to its count within the settle timeout (an instance died meanwhile) is accepted as it
 * is.</li>
 * </ol>
 *
 * @author wshub
 */
final class PublishFence implements RedisConnectionStateListener {

	static final int MAX_TOPICS = 10_000;

	private final AtomicLong interruptions = new AtomicLong();

	private final Map<String, Long> receivers = new ConcurrentHashMap<>();

	private final Map<String, Long> unsettled = new ConcurrentHashMap<>();

	private final Runnable onConnected;

	private final long settleNanos;

	private volatile boolean open = true;

	private volatile long settleDeadline;

	/**
	 * Create a fence.
	 * @param settleTimeout how long, after reopening, topics wait for their subscribers
	 * @param onConnected called when a connection comes back while the fence is closed, so that
	 * the broker confirms its subscriptions
	 */
	PublishFence(Duration settleTimeout, Runnable onConnected) {
		this.settleNanos = settleTimeout.toNanos();
		this.onConnected = onConnected;
	}

	/**
	 * Return the ticket of a publish about to be sent: the number of connection losses so far,
	 * or {@code -1} while the fence is closed.
	 * @return the ticket, or {@code -1}
	 */
	long ticket() {
		long ticket = this.interruptions.get();
		return this.open ? ticket : -1;
	}

	boolean isOpen() {
		return this.open;
	}

	/**
	 * Decide on a publish Redis accepted.
	 * @param topic the topic, or {@code null} for a message that is not a topic's
	 * @param ticket the ticket taken before it was sent
	 * @param delivered how many subscribers Redis delivered it to
	 * @return {@code null} when it may be acknowledged, otherwise why not
	 */
	@Nullable String verdict(@Nullable String topic, long ticket, long delivered) {
		if (this.interruptions.get() != ticket) {
			return "a connection to Redis was lost while the message was in flight";
		}
		if (topic == null) {
			return null;
		}
		if (!this.unsettled.isEmpty()) {
			Long expected = this.unsettled.get(topic);
			if (expected != null) {
				if (System.nanoTime() - this.settleDeadline > 0) {
					this.unsettled.clear();
				}
				else if (delivered < expected) {
					return "Redis delivered it to " + delivered + " of the " + expected
							+ " subscriber(s) the topic had before Redis reconnected";
				}
				else {
					this.unsettled.remove(topic);
				}
			}
		}
		if (this.receivers.size() >= MAX_TOPICS && !this.receivers.containsKey(topic)) {
			this.receivers.clear();
		}
		this.receivers.put(topic, delivered);
		return null;
	}

	/**
	 * Open the fence again, unless a connection was lost since {@code ticket} was taken.
	 * @param ticket the number of losses when the confirmation started
	 * @return {@code true} if this call opened the fence
	 */
	synchronized boolean reopen(long ticket) {
		if (this.open || this.interruptions.get() != ticket) {
			return false;
		}
		this.unsettled.clear();
		this.unsettled.putAll(this.receivers);
		this.settleDeadline = System.nanoTime() + this.settleNanos;
		this.open = true;
		return true;
	}

	/**
	 * Return the number of connection losses so far.
	 * @return the count
	 */
	long interruptions() {
		return this.interruptions.get();
	}

	@Override
	public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
		if (!this.open) {
			this.onConnected.run();
		}
	}

	@Override
	public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
		if (connection.isClosed()) {
			// Closed on purpose, not lost: with Redis Cluster, Lettuce opens and closes a
			// connection to each node for every topology refresh.
			return;
		}
		synchronized (this) {
			this.interruptions.incrementAndGet();
			this.open = false;
		}
	}

}
