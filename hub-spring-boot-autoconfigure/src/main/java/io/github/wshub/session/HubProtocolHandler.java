package io.github.wshub.session;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.instrumentation.HubInstrumentation.PublishSource;
import io.github.wshub.instrumentation.HubInstrumentation.RefusalReason;
import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.HistorySettings;
import io.github.wshub.broker.HistorySlice;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.protocol.ClientFrame;
import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.ErrorCode;
import io.github.wshub.protocol.FrameCodec;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.protocol.ProtocolException;
import io.github.wshub.security.TopicAuthorizer;

/**
 * Protocol v1 with each client, whatever transport carries it. A transport adapter hands it
 * every connection that opens, and every frame and close of it, by session id; it admits the
 * session to the {@link LocalSessions} and sends {@code welcome}, applies the inbound rate
 * limit, and routes subscribe, unsubscribe and publish requests to the
 * {@link LocalTopicRegistry} and the {@link TopicBroker}, answering with {@code ack} and
 * {@code error} frames.
 * <p>
 * A session's frames must be handed over one at a time, in the order they arrived, as WebSocket
 * containers deliver them. Nothing here waits for Redis on the transport's thread: subscribe and
 * publish replies are sent when the broker completes them, in request order per session (see
 * {@link HubSession#reply(CompletableFuture)}).
 *
 * @author wshub
 */
public class HubProtocolHandler {

	private static final Log logger = LogFactory.getLog(HubProtocolHandler.class);

	private final FrameCodec codec;

	private final LocalSessions sessions;

	private final LocalTopicRegistry registry;

	private final TopicBroker broker;

	private final TopicAuthorizer authorizer;

	private final SessionSettings settings;

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	private volatile HistorySettings history = HistorySettings.NONE;

	/**
	 * Create a protocol handler.
	 * @param codec the frame codec
	 * @param sessions the directory of local sessions, with their settings
	 * @param registry the local topic registry
	 * @param broker the broker that publishes client messages
	 * @param authorizer the topic policy
	 */
	public HubProtocolHandler(FrameCodec codec, LocalSessions sessions, LocalTopicRegistry registry,
			TopicBroker broker, TopicAuthorizer authorizer) {
		this.codec = codec;
		this.sessions = sessions;
		this.registry = registry;
		this.broker = broker;
		this.authorizer = authorizer;
		this.settings = sessions.getSettings();
	}

	/**
	 * Set where events are reported, for metrics.
	 * @param instrumentation the instrumentation
	 */
	public void setInstrumentation(HubInstrumentation instrumentation) {
		this.instrumentation = instrumentation;
	}

	/**
	 * Set the history limits: {@code history} requests read at most {@link HistorySettings#size()}
	 * messages, a recovery at most {@link HistorySettings#maxRecover()}. Which topics have
	 * history is the broker's to say ({@link TopicBroker#hasHistory}).
	 * @param history the history settings
	 */
	public void setHistorySettings(HistorySettings history) {
		this.history = history;
	}

	/**
	 * A connection opened: admit it (see {@link LocalSessions#open}) and send it
	 * {@code welcome}, or close it.
	 * @param transport the connection
	 * @param user the user the handshake resolved, or {@code null} for an anonymous session
	 * @param address the client address, or {@code null} when unknown
	 * @return the session, or {@code null} when the connection was refused and closed
	 */
	public @Nullable HubSession open(SessionTransport transport, @Nullable String user, @Nullable String address) {
		HubSession session = this.sessions.open(transport, user, address);
		if (session != null) {
			session.send(this.codec.welcome(session.getId(), this.sessions.getInstanceId()));
		}
		return session;
	}

	/**
	 * A text frame, or one part of it, arrived. A message longer than
	 * {@code hub.limits.max-frame-size} closes the session with 1009.
	 * @param sessionId the session id
	 * @param part the text, whole or in part
	 * @param last whether it is the message's last part
	 */
	public void handleText(String sessionId, String part, boolean last) {
		HubSession session = this.sessions.getSession(sessionId);
		if (session == null) {
			return;
		}
		session.pongReceived();
		String payload;
		try {
			payload = session.assemble(part, last, this.settings.maxTextMessageSize());
		}
		catch (HubSession.MessageTooLongException ex) {
			session.close(HubCloseStatus.TOO_BIG_TO_PROCESS);
			return;
		}
		if (payload == null || !withinRate(session)) {
			return;
		}
		ClientFrame frame;
		try {
			frame = this.codec.decode(payload);
		}
		catch (ProtocolException ex) {
			session.reply(error(ex.getId(), ex.getErrorCode(), ex.getMessage()));
			return;
		}
		try {
			switch (frame.type()) {
				case SUBSCRIBE -> subscribe(session, frame);
				case UNSUBSCRIBE -> unsubscribe(session, frame);
				case PUBLISH -> publish(session, frame);
				case HISTORY -> history(session, frame);
			}
		}
		catch (RuntimeException ex) {
			logger.error("Failed to handle a " + frame.type() + " request on session " + session.getId(), ex);
			session.reply(error(frame.id(), ErrorCode.INTERNAL_ERROR, "The server failed to handle the request"));
		}
	}

	/**
	 * A binary frame, or one part of it, arrived: answered with an {@code invalid_frame} error.
	 * @param sessionId the session id
	 * @param last whether it is the message's last part
	 */
	public void handleBinary(String sessionId, boolean last) {
		HubSession session = this.sessions.getSession(sessionId);
		if (session != null) {
			session.pongReceived();
			// One error per binary message, however many parts it arrives in.
			if (session.startBinaryPart(last) && withinRate(session)) {
				session.reply(error(null, ErrorCode.INVALID_FRAME, "Binary frames are not supported"));
			}
		}
	}

	/**
	 * A pong arrived.
	 * @param sessionId the session id
	 */
	public void handlePong(String sessionId) {
		HubSession session = this.sessions.getSession(sessionId);
		if (session != null) {
			session.pongReceived();
		}
	}

	/**
	 * A connection closed, whichever side closed it (see {@link LocalSessions#close}).
	 * @param sessionId the session id
	 * @param status the close status
	 */
	public void handleClose(String sessionId, HubCloseStatus status) {
		this.sessions.close(sessionId, status);
	}

	private void subscribe(HubSession session, ClientFrame frame) {
		String topic = frame.topic();
		if (!this.authorizer.canSubscribe(session, topic)) {
			session.reply(error(frame.id(), ErrorCode.FORBIDDEN, "Not allowed to subscribe to '" + topic + "'"));
			return;
		}
		if (!session.getTopics().contains(topic)
				&& session.getTopics().size() >= this.settings.maxSubscriptionsPerSession()) {
			session.reply(error(frame.id(), ErrorCode.TOO_MANY_SUBSCRIPTIONS,
					"At most " + this.settings.maxSubscriptionsPerSession() + " subscriptions per session"));
			return;
		}
		ClientFrame.Since since = frame.since();
		JsonNode id = frame.id();
		if (since != null && id != null && !session.getTopics().contains(topic) && this.broker.hasHistory(topic)) {
			subscribeRecovering(session, topic, since, id);
			return;
		}
		LocalTopicRegistry.Subscription subscription = this.registry.subscribe(session, topic);
		CompletableFuture<@Nullable EncodedFrame> reply = subscription.confirmed()
			.handle((ignored, ex) -> {
				if (ex != null) {
					// Never leave a local subscriber without a broker subscription.
					this.registry.rollback(session, subscription);
					if (session.isClosed()) {
						// Nobody to tell: no error frame, no error counted.
						return null;
					}
					return errorFrame(frame.id(), ErrorCode.BROKER_UNAVAILABLE,
							"Subscription to '" + topic + "' could not be confirmed");
				}
				return ack(frame.id());
			});
		session.reply(reply);
	}

	/**
	 * Subscribe with recovery: buffer the topic's live messages for the session, subscribe,
	 * read the history after {@code since} once the subscription is confirmed (so every later
	 * message arrives live), answer with the recovered messages in the {@code ack}, then send
	 * the buffered live messages above the history's top.
	 */
	private void subscribeRecovering(HubSession session, String topic, ClientFrame.Since since, JsonNode id) {
		Recovery recovery = session.startRecovery(topic);
		LocalTopicRegistry.Subscription subscription = this.registry.subscribe(session, topic);
		int maxRecover = this.history.maxRecover();
		// A bogus offset reads nothing (an id past any offset) and only learns the position.
		long after = (since.offset() < 0) ? Long.MAX_VALUE : since.offset();
		long[] floor = { -1 };
		CompletableFuture<@Nullable EncodedFrame> reply = subscription.confirmed()
			.thenCompose((ignored) -> this.broker.readHistory(topic, after, maxRecover))
			.handle((slice, ex) -> {
				if (ex != null) {
					// Failed: no floor (-1), the recovery ends and filters nothing from now on.
					this.registry.rollback(session, subscription);
					if (session.isClosed()) {
						return null;
					}
					return errorFrame(id, ErrorCode.BROKER_UNAVAILABLE,
							"Subscription to '" + topic + "' could not be confirmed");
				}
				floor[0] = slice.top();
				boolean recovered = isRecovered(since, slice, maxRecover);
				this.instrumentation.recoveryAnswered(recovered);
				List<byte[]> messages = recovered ? slice.entries().stream().map(HistorySlice.Entry::frame).toList()
						: List.of();
				return this.codec.ack(id, recovered, slice.epoch(), slice.top(), messages);
			});
		session.reply(reply, () -> session.releaseRecovery(topic, recovery, floor[0]));
	}

	/**
	 * Whether a history read holds everything after {@code since}: same epoch, and every
	 * offset from {@code since.offset() + 1} to the top, at most {@code maxRecover} of them.
	 */
	static boolean isRecovered(ClientFrame.Since since, HistorySlice slice, int maxRecover) {
		long offset = since.offset();
		long top = slice.top();
		if (!since.epoch().equals(slice.epoch()) || offset < 0 || offset > top || top - offset > maxRecover) {
			return false;
		}
		List<HistorySlice.Entry> entries = slice.entries();
		if (entries.size() != top - offset) {
			return false;
		}
		long expected = offset + 1;
		for (HistorySlice.Entry entry : entries) {
			if (entry.offset() != expected++) {
				return false;
			}
		}
		return true;
	}

	private void history(HubSession session, ClientFrame frame) {
		String topic = frame.topic();
		if (!this.authorizer.canSubscribe(session, topic)) {
			session.reply(error(frame.id(), ErrorCode.FORBIDDEN, "Not allowed to read '" + topic + "'"));
			return;
		}
		if (!this.broker.hasHistory(topic)) {
			session.reply(error(frame.id(), ErrorCode.NO_HISTORY, "Topic '" + topic + "' keeps no history"));
			return;
		}
		JsonNode id = frame.id();
		if (id == null) {
			// Nobody would see the answer.
			return;
		}
		int size = this.history.size();
		int limit = (frame.limit() == 0) ? size : Math.min(frame.limit(), size);
		CompletableFuture<@Nullable EncodedFrame> reply = this.broker.readHistory(topic, -1, limit)
			.handle((slice, ex) -> {
				if (ex != null) {
					return errorFrame(id, ErrorCode.BROKER_UNAVAILABLE,
							"History of '" + topic + "' could not be read");
				}
				List<byte[]> messages = slice.entries().stream().map(HistorySlice.Entry::frame).toList();
				return this.codec.ack(id, null, slice.epoch(), slice.top(), messages);
			});
		session.reply(reply);
	}

	private void unsubscribe(HubSession session, ClientFrame frame) {
		this.registry.unsubscribe(session, frame.topic());
		session.reply(CompletableFuture.completedFuture(ack(frame.id())));
	}

	private void publish(HubSession session, ClientFrame frame) {
		String topic = frame.topic();
		if (!this.authorizer.canPublish(session, topic)) {
			this.instrumentation.messageRefused(RefusalReason.FORBIDDEN);
			session.reply(error(frame.id(), ErrorCode.FORBIDDEN, "Not allowed to publish on '" + topic + "'"));
			return;
		}
		JsonNode data = frame.data();
		BrokerMessage message = BrokerMessage.now(topic, this.codec.encodeMessage(topic, data),
				this.sessions.getInstanceId());
		CompletableFuture<@Nullable EncodedFrame> reply = this.broker.publishWithPosition(message)
			.handle((position, ex) -> {
				if (ex != null) {
					this.instrumentation.messageRefused(RefusalReason.BROKER_UNAVAILABLE);
					return errorFrame(frame.id(), ErrorCode.BROKER_UNAVAILABLE,
							"Publish to '" + topic + "' was not accepted by the broker");
				}
				this.instrumentation.messagePublished(PublishSource.CLIENT);
				JsonNode id = frame.id();
				if (position != null && id != null) {
					return this.codec.ack(id, position.epoch(), position.offset());
				}
				return ack(id);
			});
		session.reply(reply);
	}

	private @Nullable EncodedFrame ack(@Nullable JsonNode id) {
		return (id != null) ? this.codec.ack(id) : null;
	}

	private CompletableFuture<@Nullable EncodedFrame> error(@Nullable JsonNode id, ErrorCode code,
			String message) {
		return CompletableFuture.completedFuture(errorFrame(id, code, message));
	}

	private EncodedFrame errorFrame(@Nullable JsonNode id, ErrorCode code, String message) {
		this.instrumentation.errorSent(code);
		return this.codec.error(id, code, message);
	}

	/**
	 * Apply the inbound rate limit: a frame over the rate gets a {@code rate_limited} error and
	 * is not processed; a session that keeps sending while limited is closed with 4502.
	 */
	private boolean withinRate(HubSession session) {
		if (session.tryAcquire(this.settings.messageRate(), this.settings.messageBurst())) {
			return true;
		}
		if (session.rateViolations() > this.settings.maxRateViolations()) {
			session.close(HubCloseStatus.POLICY_VIOLATION);
		}
		else if (session.rateViolations() == 1 || session.rateViolations() % 10 == 0) {
			// One error frame per run of refused frames (and every tenth), not one per frame.
			session.reply(error(null, ErrorCode.RATE_LIMITED,
					"More than " + formatRate(this.settings.messageRate()) + " frames per second; frame ignored"));
		}
		return false;
	}

	private static String formatRate(double rate) {
		return (rate == Math.rint(rate)) ? Long.toString((long) rate) : Double.toString(rate);
	}

}
