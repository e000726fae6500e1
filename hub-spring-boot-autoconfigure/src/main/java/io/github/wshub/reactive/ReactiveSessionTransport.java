package io.github.wshub.reactive;

import java.io.IOException;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.session.SessionTransport;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * A {@link SessionTransport} on a Spring WebFlux {@link WebSocketSession}, with a bounded
 * outbound queue per connection: the reactive counterpart of the servlet transport's
 * {@code ConcurrentWebSocketSessionDecorator}, with the same limits and the same close code.
 * <ul>
 * <li>A send does not write: the frame is queued in a unicast sink, which the session's
 * {@code send} drains as fast as the connection takes frames (Reactor Netty takes up to 128
 * frames ahead of the socket, and more as their writes complete).</li>
 * <li>The bytes queued and not yet taken by the connection are counted
 * ({@link #getBufferedBytes()}). When frames are still waiting after a send and the connection
 * has taken none of them for {@code hub.session.send-time-limit}, the send is refused with a
 * {@link SendLimitExceededException} and the hub closes the session with 4002 (slow consumer).
 * When they exceed {@code hub.session.send-buffer-size-limit}, a send on an event loop (which
 * must not wait) is refused the same way; a send on another thread (a dispatch lane) waits while
 * the connection takes frames, as the decorator's writing thread waits in a blocking write, and
 * is refused once the connection has taken none for the send time limit. A frame sent while
 * nothing waits is never refused, whatever its size, as with the decorator. Pings (from the
 * heartbeat) never wait: only the time limit applies to them.</li>
 * <li>Frames are wrapped, never copied: each send wraps the {@link EncodedFrame}'s bytes in a
 * buffer of the session's {@code DataBufferFactory} (on Netty, an unpooled buffer over the same
 * array), since each connection needs its own reader index.</li>
 * <li>A close sends the close frame after what the connection has taken, dropping the frames
 * still queued. When the close frame cannot be written within a second (a client that stopped
 * reading), the connection is dropped.</li>
 * </ul>
 *
 * @author wshub
 */
final class ReactiveSessionTransport implements SessionTransport {

	private static final Log logger = LogFactory.getLog(ReactiveSessionTransport.class);

	/**
	 * Longest wait for the close frame to be written before the connection is dropped.
	 */
	static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

	private static final byte[] EMPTY = new byte[0];

	private static final long DRAIN_POLL_NANOS = 1_000_000;

	private final WebSocketSession session;

	private final String id;

	private final @Nullable Principal principal;

	private final Runnable abort;

	private final long sendTimeLimitNanos;

	private final int sendBufferSizeLimit;

	// Sends are serialized under this sink's monitor: an unsafe sink (no serialization of its own)
	// fed by one thread at a time.
	private final Sinks.Many<WebSocketMessage> outbound = Sinks.unsafe()
		.many()
		.unicast()
		.onBackpressureBuffer(Queues.<WebSocketMessage>unbounded(16).get());

	private final AtomicInteger queuedBytes = new AtomicInteger();

	private final AtomicInteger queuedFrames = new AtomicInteger();

	// When the connection last took a frame, or the first frame was queued while none waited.
	private volatile long progressAt;

	private volatile boolean open = true;

	// Guarded by the sink's monitor.
	private boolean closeSent;

	/**
	 * Create a transport.
	 * @param session the reactive session
	 * @param id the session id, unique in the cluster
	 * @param principal the principal of the handshake, or {@code null}
	 * @param sendTimeLimit how long frames may wait while the connection takes none
	 * @param sendBufferSizeLimit how many bytes may wait
	 * @param abort drops the connection without a close frame
	 */
	ReactiveSessionTransport(WebSocketSession session, String id, @Nullable Principal principal,
			Duration sendTimeLimit, int sendBufferSizeLimit, Runnable abort) {
		this.session = session;
		this.id = id;
		this.principal = principal;
		this.abort = abort;
		this.sendTimeLimitNanos = sendTimeLimit.toNanos();
		this.sendBufferSizeLimit = sendBufferSizeLimit;
	}

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	public @Nullable Principal getPrincipal() {
		return this.principal;
	}

	@Override
	public Map<String, Object> getAttributes() {
		return this.session.getAttributes();
	}

	@Override
	public boolean isOpen() {
		return this.open;
	}

	@Override
	public void send(EncodedFrame frame) throws IOException {
		byte[] bytes = frame.bytes();
		if (enqueue(new WebSocketMessage(WebSocketMessage.Type.TEXT, this.session.bufferFactory().wrap(bytes)),
				bytes.length)) {
			checkLimits();
		}
	}

	/**
	 * Queue a ping. Only the send time limit applies: a ping adds nothing to the queued bytes,
	 * and the heartbeat that sends it must never wait for one connection.
	 */
	@Override
	public void sendPing() throws IOException {
		if (enqueue(new WebSocketMessage(WebSocketMessage.Type.PING, this.session.bufferFactory().wrap(EMPTY)), 0)) {
			checkProgress();
		}
	}

	/**
	 * Queue a message.
	 * @return whether frames are still waiting after it
	 */
	private boolean enqueue(WebSocketMessage message, int size) {
		synchronized (this.outbound) {
			if (this.closeSent) {
				return false;
			}
			this.queuedBytes.addAndGet(size);
			if (this.queuedFrames.getAndIncrement() == 0) {
				this.progressAt = System.nanoTime();
			}
			if (this.outbound.tryEmitNext(message).isFailure()) {
				// The connection's send ended: it is closing, and its close is on the way.
				taken(size);
				return false;
			}
		}
		return this.queuedFrames.get() > 0;
	}

	private void checkLimits() {
		checkProgress();
		if (this.queuedBytes.get() <= this.sendBufferSizeLimit) {
			return;
		}
		if (Schedulers.isInNonBlockingThread()) {
			throw new SendLimitExceededException("Buffer size " + this.queuedBytes.get() + " bytes for session '"
					+ this.id + "' exceeds the allowed limit " + this.sendBufferSizeLimit);
		}
		// Off the event loops, wait while the connection takes frames, as a blocking write
		// would: a client that reads keeps up, one that stops is closed at the time limit.
		do {
			LockSupport.parkNanos(DRAIN_POLL_NANOS);
			if (!this.open || Thread.currentThread().isInterrupted()) {
				return;
			}
			checkProgress();
		}
		while (this.queuedBytes.get() > this.sendBufferSizeLimit);
	}

	private void checkProgress() {
		long waited = System.nanoTime() - this.progressAt;
		if (this.queuedFrames.get() > 0 && waited > this.sendTimeLimitNanos) {
			throw new SendLimitExceededException("Send time " + Duration.ofNanos(waited).toMillis()
					+ " (ms) for session '" + this.id + "' exceeded the allowed limit "
					+ Duration.ofNanos(this.sendTimeLimitNanos).toMillis());
		}
	}

	/**
	 * Return the frames to write to the connection, for the session's {@code send}. Subscribed
	 * once.
	 * @return the outbound frames
	 */
	Flux<WebSocketMessage> outbound() {
		return this.outbound.asFlux().doOnNext((message) -> taken(message.getPayload().readableByteCount()));
	}

	private void taken(int size) {
		this.progressAt = System.nanoTime();
		this.queuedBytes.addAndGet(-size);
		this.queuedFrames.decrementAndGet();
	}

	@Override
	public int getBufferedBytes() {
		return this.queuedBytes.get();
	}

	@Override
	public void close(HubCloseStatus status) {
		synchronized (this.outbound) {
			if (this.closeSent) {
				return;
			}
			this.closeSent = true;
		}
		this.open = false;
		this.session.close(new CloseStatus(status.code(), status.reason().isEmpty() ? null : status.reason()))
			.timeout(CLOSE_TIMEOUT)
			.subscribe(null, (ex) -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Close frame for session " + this.id + " not written; dropping the connection", ex);
				}
				this.abort.run();
			});
	}

	/**
	 * The connection's inbound side ended: stop taking frames, and let the session's
	 * {@code send} complete.
	 */
	void inboundEnded() {
		this.open = false;
		synchronized (this.outbound) {
			this.outbound.tryEmitComplete();
		}
	}

	/**
	 * Convert WebFlux's close status to the hub's.
	 * @param status WebFlux's close status
	 * @return the hub's close status, with an empty reason when WebFlux's has none
	 */
	static HubCloseStatus toHubCloseStatus(CloseStatus status) {
		String reason = status.getReason();
		return new HubCloseStatus(status.getCode(), (reason != null) ? reason : "");
	}

}
