package io.github.wshub.session;

import java.io.IOException;
import java.security.Principal;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.instrumentation.HubInstrumentation.DropReason;
import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.security.SessionIdentity;
import io.github.wshub.session.SessionTransport.SendLimitExceededException;

/**
 * One client connection of this instance: its identity, its subscribed topics and its bounded
 * outbound queue, over the {@link SessionTransport} that carries it. Sends never block longer
 * than the configured send time limit and never slow other sessions: a session that cannot keep
 * up is closed with {@link HubCloseStatus#SLOW_CONSUMER}.
 *
 * @author wshub
 */
public final class HubSession implements SessionIdentity {

	private static final Log logger = LogFactory.getLog(HubSession.class);

	private final SessionTransport transport;

	private final @Nullable String user;

	// The client address an anonymous session counts against until it closes; null for a
	// user's session.
	private final @Nullable String anonymousAddress;

	// Sized for the few topics most sessions hold (a table of 4 rather than 16); grows as needed.
	private final Set<String> topics = ConcurrentHashMap.newKeySet(2);

	// Topic -> number of the latest subscribe request, so a failed older one does not undo a
	// newer one. Only changed under the topic's lock in LocalTopicRegistry.
	private final Map<String, Long> subscribeAttempts = new ConcurrentHashMap<>(2);

	private final SessionRecoveries recoveries = new SessionRecoveries();

	private volatile boolean closing;

	// Set when the hub handles the close, before the session's topics are removed; see
	// LocalTopicRegistry#subscribe for why a subscribe in flight can then never leak.
	private volatile boolean closed;

	private final Executor replyExecutor;

	private final HubInstrumentation instrumentation;

	// Only touched by the container thread that delivers this session's messages, one at a time.
	private CompletableFuture<Void> replies = CompletableFuture.completedFuture(null);

	// Token bucket for inbound frames; only touched by the thread delivering this session's
	// inbound messages, one at a time.
	private double tokens = -1;

	private long tokensAt;

	private int rateViolations;

	// Parts of a message the container delivers in pieces; only touched by the thread delivering
	// this session's inbound messages. Null between messages, so an idle session holds nothing.
	private @Nullable StringBuilder partial;

	private boolean binaryInProgress;

	private volatile long pingSentAt;

	private volatile long lastPingAt;

	HubSession(SessionTransport transport, @Nullable String user, @Nullable String anonymousAddress,
			Executor replyExecutor, HubInstrumentation instrumentation) {
		this.instrumentation = instrumentation;
		this.transport = transport;
		this.user = user;
		this.anonymousAddress = anonymousAddress;
		this.replyExecutor = replyExecutor;
		this.lastPingAt = System.nanoTime();
	}

	/**
	 * Return the session id, unique within this instance.
	 * @return the id
	 */
	@Override
	public String getId() {
		return this.transport.getId();
	}

	/**
	 * Return the name of the authenticated user, or {@code null} for an anonymous session.
	 * @return the user name
	 */
	@Override
	public @Nullable String getUser() {
		return this.user;
	}

	/**
	 * Return the principal of the handshake, if any.
	 * @return the principal
	 */
	@Override
	public @Nullable Principal getPrincipal() {
		return this.transport.getPrincipal();
	}

	/**
	 * Return the attributes copied from the handshake.
	 * @return the attributes
	 */
	@Override
	public Map<String, Object> getAttributes() {
		return this.transport.getAttributes();
	}

	/**
	 * Return the topics this session is subscribed to.
	 * @return an unmodifiable live view
	 */
	public Set<String> getTopics() {
		return Collections.unmodifiableSet(this.topics);
	}

	/**
	 * Whether the connection is open.
	 * @return {@code true} if open
	 */
	public boolean isOpen() {
		return this.transport.isOpen();
	}

	/**
	 * Return the bytes queued for this session and not yet written to its socket.
	 * @return the buffered size
	 */
	public int getBufferedBytes() {
		return this.transport.getBufferedBytes();
	}

	@Nullable String anonymousAddress() {
		return this.anonymousAddress;
	}

	Set<String> topics() {
		return this.topics;
	}

	long nextSubscribeAttempt(String topic) {
		return this.subscribeAttempts.merge(topic, 1L, Long::sum);
	}

	boolean isLatestSubscribeAttempt(String topic, long attempt) {
		Long latest = this.subscribeAttempts.get(topic);
		return latest != null && latest == attempt;
	}

	void forgetSubscribeAttempts(String topic) {
		this.subscribeAttempts.remove(topic);
		this.recoveries.forget(topic);
	}

	/**
	 * Start recovering a topic: from now until {@link #releaseRecovery}, the topic's messages for
	 * this session are buffered instead of sent. Must be called before the session is added to
	 * the topic's subscribers.
	 * @param topic the topic
	 * @return the recovery, to release
	 */
	Recovery startRecovery(String topic) {
		return this.recoveries.start(topic);
	}

	/**
	 * Send the messages buffered during a recovery, after its {@code ack}: those with an offset
	 * above {@code floor} (the recovery's history read ended there), and from now on drop
	 * messages at or below {@code floor}, which may still be on their way.
	 * @param recovery the recovery
	 * @param floor the top offset the recovery read, or {@code -1} when it failed: then
	 * everything buffered is sent and the recovery is forgotten
	 */
	void releaseRecovery(String topic, Recovery recovery, long floor) {
		this.recoveries.release(topic, recovery, floor, this::send);
	}

	/**
	 * Send a topic message, or buffer it while the topic is recovering (see
	 * {@link #startRecovery}). Called on the topic's dispatch lane.
	 * @param topic the topic
	 * @param offset the message's offset, 0 without history
	 * @param frame the frame
	 * @return {@code true} if the frame was written, queued or buffered
	 */
	boolean sendTopicMessage(String topic, long offset, EncodedFrame frame) {
		Recovery.Verdict verdict = this.recoveries.offer(topic, offset, frame);
		if (verdict == null || verdict == Recovery.Verdict.SEND) {
			return send(frame);
		}
		if (verdict == Recovery.Verdict.OVERFLOW) {
			this.instrumentation.messageDropped(DropReason.SLOW_CONSUMER, 1);
			close(HubCloseStatus.SLOW_CONSUMER);
			return false;
		}
		return verdict == Recovery.Verdict.BUFFERED;
	}

	/**
	 * Mark the session closed for the hub: from now on it cannot subscribe to a topic.
	 */
	void markClosed() {
		this.closed = true;
	}

	boolean isClosed() {
		return this.closed;
	}

	/**
	 * Queue a frame for this session. Returns at once when another thread is writing to the
	 * session; closes the session if it exceeds its send limits.
	 * @param frame the frame
	 * @return {@code true} if the frame was written or queued
	 */
	boolean send(EncodedFrame frame) {
		if (this.closing || !this.transport.isOpen()) {
			return false;
		}
		try {
			this.transport.send(frame);
			return true;
		}
		catch (IOException | RuntimeException ex) {
			sendFailed(ex);
			return false;
		}
	}

	/**
	 * Queue a ping for this session, like {@link #send(EncodedFrame)}.
	 */
	void sendPing() {
		if (this.closing || !this.transport.isOpen()) {
			return;
		}
		try {
			this.transport.sendPing();
		}
		catch (IOException | RuntimeException ex) {
			sendFailed(ex);
		}
	}

	private void sendFailed(Exception ex) {
		if (ex instanceof SendLimitExceededException) {
			if (logger.isDebugEnabled()) {
				logger.debug("Closing slow session " + getId() + ": " + ex.getMessage());
			}
			this.instrumentation.messageDropped(DropReason.SLOW_CONSUMER, 1);
			close(HubCloseStatus.SLOW_CONSUMER);
		}
		else {
			if (logger.isDebugEnabled()) {
				logger.debug("Send to session " + getId() + " failed, closing it", ex);
			}
			this.instrumentation.messageDropped(DropReason.SEND_FAILED, 1);
			close(HubCloseStatus.SERVER_ERROR);
		}
	}

	/**
	 * Send the replies to this session's requests in request order, whatever order they
	 * complete in. Must be called from the thread handling this session's inbound messages.
	 * @param reply the reply, completing with {@code null} when there is nothing to send
	 */
	void reply(CompletableFuture<? extends @Nullable EncodedFrame> reply) {
		reply(reply, null);
	}

	/**
	 * Like {@link #reply(CompletableFuture)}, then run an action right after the reply was
	 * sent, on the thread that sent it.
	 * @param reply the reply, completing with {@code null} when there is nothing to send
	 * @param afterSend the action, or {@code null}
	 */
	void reply(CompletableFuture<? extends @Nullable EncodedFrame> reply, @Nullable Runnable afterSend) {
		CompletableFuture<Void> previous = this.replies;
		if (previous.isDone() && reply.isDone()) {
			// Fast path on the container thread: nothing to wait for, nothing to reorder.
			EncodedFrame frame = reply.join();
			if (frame != null) {
				send(frame);
			}
			if (afterSend != null) {
				afterSend.run();
			}
			return;
		}
		this.replies = previous.thenCompose((ignored) -> reply).thenAcceptAsync((frame) -> {
			if (frame != null) {
				send(frame);
			}
			if (afterSend != null) {
				afterSend.run();
			}
		}, this.replyExecutor).exceptionally((ex) -> {
			logger.error("Reply to session " + getId() + " failed", ex);
			return null;
		});
	}

	/**
	 * Close the session with the given status; never throws.
	 * @param status the close status
	 */
	public void close(HubCloseStatus status) {
		this.closing = true;
		try {
			this.transport.close(status);
		}
		catch (IOException | RuntimeException ex) {
			if (logger.isDebugEnabled()) {
				logger.debug("Failed to close session " + getId(), ex);
			}
		}
	}

	/**
	 * Take a token for one inbound frame.
	 * @param rate tokens added per second
	 * @param burst bucket size
	 * @return {@code true} if the frame may be processed
	 */
	boolean tryAcquire(double rate, int burst) {
		long now = System.nanoTime();
		if (this.tokens < 0) {
			this.tokens = burst;
		}
		else {
			this.tokens = Math.min(burst, this.tokens + (now - this.tokensAt) * rate / 1_000_000_000d);
		}
		this.tokensAt = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			this.rateViolations = 0;
			return true;
		}
		this.rateViolations++;
		return false;
	}

	int rateViolations() {
		return this.rateViolations;
	}

	/**
	 * Add one part of a text message.
	 * @param part the part
	 * @param last whether it is the last part
	 * @param maxLength the longest message accepted, in characters
	 * @return the whole message once the last part arrived, {@code null} while parts are
	 * missing
	 * @throws MessageTooLongException if the message exceeds {@code maxLength}
	 */
	@Nullable String assemble(String part, boolean last, int maxLength) {
		StringBuilder pending = this.partial;
		if (pending == null && last) {
			if (part.length() > maxLength) {
				throw new MessageTooLongException();
			}
			return part;
		}
		if (pending == null) {
			pending = new StringBuilder(Math.min(maxLength, Math.max(256, part.length() * 2)));
			this.partial = pending;
		}
		if (pending.length() + part.length() > maxLength) {
			this.partial = null;
			throw new MessageTooLongException();
		}
		pending.append(part);
		if (!last) {
			return null;
		}
		this.partial = null;
		return pending.toString();
	}

	/**
	 * Note one part of a binary message.
	 * @param last whether it is the last part
	 * @return {@code true} for the first part of a message
	 */
	boolean startBinaryPart(boolean last) {
		boolean first = !this.binaryInProgress;
		this.binaryInProgress = !last;
		return first;
	}

	boolean pingDue(long now, long pingIntervalNanos) {
		return this.pingSentAt == 0 && now - this.lastPingAt >= pingIntervalNanos;
	}

	boolean pongOverdue(long now, long pongTimeoutNanos) {
		long sent = this.pingSentAt;
		return sent != 0 && now - sent >= pongTimeoutNanos;
	}

	void pingSent(long now) {
		this.pingSentAt = now;
		this.lastPingAt = now;
	}

	void pongReceived() {
		this.pingSentAt = 0;
	}

	@Override
	public String toString() {
		return "HubSession[id=" + getId() + ", user=" + this.user + ", topics=" + this.topics.size() + "]";
	}

	/**
	 * A client message longer than {@code hub.limits.max-frame-size}.
	 */
	static final class MessageTooLongException extends RuntimeException {

		MessageTooLongException() {
			super("Message too long", null, false, false);
		}

	}

}
