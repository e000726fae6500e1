package io.github.wshub.benchmarks;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

/**
 * One client connection to a hub instance, over a {@link Transport} (the generator's NIO client
 * or the JDK's {@code java.net.http.WebSocket}). Sends are queued, at most
 * {@link #MAX_QUEUED_SENDS} per connection; received frames are parsed on the transport's thread
 * and handed to a {@link Handler}.
 * <p>
 * As a subscriber, the connection keeps one {@link SequenceTracker} per topic and publisher.
 *
 * @author wshub
 */
public final class HubConnection {

	/**
	 * Receives what arrives on connections. Called on the connection's listener thread, one
	 * frame at a time per connection.
	 */
	public interface Handler {

		/**
		 * A frame arrived.
		 * @param connection the connection
		 * @param frame the parsed frame, valid during the call only
		 * @param receivedNanos {@link System#nanoTime()} when it arrived
		 */
		void onFrame(HubConnection connection, ServerFrame frame, long receivedNanos);

		/**
		 * The connection closed, or failed.
		 * @param connection the connection
		 * @param code the close code, 1006 when it failed without a close frame
		 */
		default void onClosed(HubConnection connection, int code) {
		}

	}

	/**
	 * The most frames waiting in a connection's send queue.
	 */
	public static final int MAX_QUEUED_SENDS = 20_000;

	private final int index;

	private final int instance;

	private final URI uri;

	private final Handler handler;

	private final long connectStartNanos;

	private final CompletableFuture<HubConnection> welcomed = new CompletableFuture<>();

	private final CompletableFuture<Integer> closed = new CompletableFuture<>();

	private final ServerFrame frame = new ServerFrame();

	// Topic << 32 | publisher -> tracker; written on the listener thread, read after the run.
	private final Map<Long, SequenceTracker> trackers = new HashMap<>();

	private volatile @Nullable Transport transport;

	private volatile long welcomeNanos;

	private volatile @Nullable String sessionId;

	HubConnection(int index, int instance, URI uri, Handler handler) {
		this.index = index;
		this.instance = instance;
		this.uri = uri;
		this.handler = handler;
		this.connectStartNanos = System.nanoTime();
	}

	/**
	 * Return the connection's number, unique in its pool.
	 * @return the index
	 */
	public int index() {
		return this.index;
	}

	/**
	 * Return the index of the instance this connection goes to, in the {@code --urls} list.
	 * @return the instance index
	 */
	public int instance() {
		return this.instance;
	}

	/**
	 * Return the instance's address.
	 * @return the WebSocket address
	 */
	public URI uri() {
		return this.uri;
	}

	/**
	 * Return a future completed when the {@code welcome} frame arrived.
	 * @return the future, completed exceptionally if the connection failed first
	 */
	public CompletableFuture<HubConnection> welcomed() {
		return this.welcomed;
	}

	/**
	 * Return a future completed with the close code when the connection closed.
	 * @return the future
	 */
	public CompletableFuture<Integer> closed() {
		return this.closed;
	}

	/**
	 * Whether the connection is open.
	 * @return {@code true} until it closed or failed
	 */
	public boolean isOpen() {
		return this.welcomed.isDone() && !this.welcomed.isCompletedExceptionally() && !this.closed.isDone();
	}

	/**
	 * Return the time from starting the handshake to receiving {@code welcome}.
	 * @return nanoseconds, or -1 if no welcome arrived
	 */
	public long timeToWelcomeNanos() {
		return (this.welcomeNanos != 0) ? this.welcomeNanos - this.connectStartNanos : -1;
	}

	/**
	 * Return the session id from {@code welcome}.
	 * @return the id, or {@code null}
	 */
	public @Nullable String sessionId() {
		return this.sessionId;
	}

	void attach(Transport transport) {
		this.transport = transport;
	}

	void failed(Throwable ex) {
		this.welcomed.completeExceptionally(ex);
		if (this.closed.complete(1006)) {
			this.handler.onClosed(this, 1006);
		}
	}

	/**
	 * Queue a text frame. Frames are sent one after another in queue order.
	 * @param text the frame
	 * @return {@code false} if the queue is full or the connection is closed
	 */
	public boolean send(String text) {
		Transport current = this.transport;
		if (current == null || this.closed.isDone() || current.queued() >= MAX_QUEUED_SENDS) {
			return false;
		}
		return current.send(text);
	}

	/**
	 * Return how many frames wait to be sent.
	 * @return the queue length
	 */
	public int queuedSends() {
		Transport current = this.transport;
		return (current != null) ? current.queued() : 0;
	}

	/**
	 * Record a {@code message} frame for loss, duplicate and order accounting.
	 * @param topic the topic number
	 * @param publisher the publisher id
	 * @param seq the sequence number
	 */
	void track(int topic, long publisher, long seq) {
		long key = ((long) topic << 32) | (publisher & 0xFFFFFFFFL);
		synchronized (this.trackers) {
			this.trackers.computeIfAbsent(key, (k) -> new SequenceTracker()).record(seq);
		}
	}

	/**
	 * Visit the trackers of this connection.
	 * @param visitor receives the key ({@code topic << 32 | publisher}) and the tracker
	 */
	void forEachTracker(BiConsumer<Long, SequenceTracker> visitor) {
		synchronized (this.trackers) {
			this.trackers.forEach(visitor);
		}
	}

	/**
	 * Return a copy of this connection's trackers.
	 * @return the trackers by {@code topic << 32 | publisher}
	 */
	Map<Long, SequenceTracker> trackers() {
		synchronized (this.trackers) {
			return new HashMap<>(this.trackers);
		}
	}

	/**
	 * Return the tracker of a topic and publisher.
	 * @param topic the topic number
	 * @param publisher the publisher id
	 * @return the tracker, or {@code null} if nothing arrived
	 */
	@Nullable SequenceTracker tracker(int topic, long publisher) {
		synchronized (this.trackers) {
			return this.trackers.get(((long) topic << 32) | (publisher & 0xFFFFFFFFL));
		}
	}

	/**
	 * Start closing with 1000.
	 */
	public void close() {
		Transport current = this.transport;
		if (current != null && !this.closed.isDone()) {
			current.close(1000);
		}
	}

	/**
	 * Drop the connection at once.
	 */
	public void abort() {
		Transport current = this.transport;
		if (current != null) {
			current.abort();
		}
		closedWith(1006);
	}

	/**
	 * A complete text frame arrived. Called by the transport, one frame at a time.
	 * @param text the frame
	 * @param receivedNanos {@link System#nanoTime()} when it arrived
	 */
	void received(String text, long receivedNanos) {
		ServerFrame.Kind kind = this.frame.parse(text);
		if (kind == ServerFrame.Kind.WELCOME) {
			this.sessionId = this.frame.session();
			this.welcomeNanos = receivedNanos;
			this.welcomed.complete(this);
			return;
		}
		this.handler.onFrame(this, this.frame, receivedNanos);
	}

	/**
	 * The connection closed. Called by the transport.
	 * @param code the close code, 1006 without a close frame
	 */
	void closedWith(int code) {
		this.welcomed.completeExceptionally(new IllegalStateException("Closed with " + code + " before welcome"));
		if (this.closed.complete(code)) {
			this.handler.onClosed(this, code);
		}
	}

	/**
	 * How a connection sends and closes: the JDK client or the generator's own NIO client.
	 */
	interface Transport {

		/**
		 * Queue a text frame.
		 * @param text the frame
		 * @return {@code false} if it could not be queued
		 */
		boolean send(String text);

		/**
		 * Return how many frames wait to be written.
		 * @return the count
		 */
		int queued();

		/**
		 * Send a close frame.
		 * @param code the close code
		 */
		void close(int code);

		/**
		 * Drop the connection without a close frame.
		 */
		void abort();

	}

}
