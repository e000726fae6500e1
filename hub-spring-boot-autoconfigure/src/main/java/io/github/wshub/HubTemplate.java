package io.github.wshub;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.protocol.FrameCodec;
import io.github.wshub.registry.ConnectionRegistry;
import io.github.wshub.session.SendResult;
import io.github.wshub.session.TargetedDelivery;

import org.springframework.util.Assert;

/**
 * The hub's API for application code: publish to topics, send to one user or session wherever
 * it is connected, find out where a user is connected, and disconnect users or sessions
 * cluster-wide. Nothing here blocks: every operation returns a future.
 * <p>
 * A message published here reaches every subscriber of the topic on every instance, exactly like
 * a client's publish, and is not subject to the client topic policy. A targeted send reaches the
 * target's sessions as a {@code direct} frame.
 *
 * <pre class="code">
 * hubTemplate.publish("chat.lobby", Map.of("text", "Server restarts at noon"));
 * hubTemplate.sendToUser("alice", Map.of("text", "You have mail"))
 *     .thenAccept((result) -&gt; log.info("alice online: " + result.isDelivered()));
 * </pre>
 *
 * @author wshub
 */
public class HubTemplate {

	private final TopicBroker broker;

	private final FrameCodec codec;

	private final String instanceId;

	private final TargetedDelivery targetedDelivery;

	private final ConnectionRegistry registry;

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	/**
	 * Create a template.
	 * @param broker the broker
	 * @param codec the frame codec (its JSON mapper serializes the data)
	 * @param instanceId this instance's id
	 * @param targetedDelivery delivery to users and sessions
	 * @param registry the connection registry
	 */
	public HubTemplate(TopicBroker broker, FrameCodec codec, String instanceId, TargetedDelivery targetedDelivery,
			ConnectionRegistry registry) {
		Assert.notNull(broker, "'broker' must not be null");
		Assert.notNull(codec, "'codec' must not be null");
		Assert.hasText(instanceId, "'instanceId' must not be empty");
		this.broker = broker;
		this.codec = codec;
		this.instanceId = instanceId;
		this.targetedDelivery = targetedDelivery;
		this.registry = registry;
	}

	/**
	 * Publish a message to a topic. Never blocks.
	 * @param topic the topic
	 * @param data the payload: any value Jackson can serialize, or a {@code JsonNode}
	 * @return a future completed when the broker accepted the message, or completed
	 * exceptionally with a {@link io.github.wshub.broker.BrokerUnavailableException} when it did
	 * not
	 * @throws IllegalArgumentException if the topic is not a valid topic name
	 */
	public CompletableFuture<Void> publish(String topic, @Nullable Object data) {
		Assert.notNull(topic, "'topic' must not be null");
		String problem = this.codec.topicNames().problem(topic);
		Assert.isNull(problem, () -> "Invalid topic: " + problem);
		byte[] frame = this.codec.encodeMessage(topic, data);
		HubInstrumentation current = this.instrumentation;
		return this.broker.publish(BrokerMessage.now(topic, frame, this.instanceId)).whenComplete((ignored, ex) -> {
			if (ex == null) {
				current.messagePublished(HubInstrumentation.PublishSource.SERVER);
			}
			else {
				current.messageRefused(HubInstrumentation.RefusalReason.BROKER_UNAVAILABLE);
			}
		});
	}

	/**
	 * Send a {@code direct} frame to every session of a user, on every instance.
	 * @param user the user
	 * @param data the payload: any value Jackson can serialize, or a {@code JsonNode}
	 * @return where it was routed; {@link SendResult#NONE} when the user is offline
	 */
	public CompletableFuture<SendResult> sendToUser(String user, @Nullable Object data) {
		Assert.hasText(user, "'user' must not be empty");
		return counted(this.targetedDelivery.sendToUser(user, this.codec.encodeDirect(data)));
	}

	/**
	 * Send a {@code direct} frame to one session, wherever it is connected.
	 * @param sessionId the session id (the {@code session} of its {@code welcome} frame)
	 * @param data the payload
	 * @return where it was routed; {@link SendResult#NONE} when the session is gone
	 */
	public CompletableFuture<SendResult> sendToSession(String sessionId, @Nullable Object data) {
		Assert.hasText(sessionId, "'sessionId' must not be empty");
		return counted(this.targetedDelivery.sendToSession(sessionId, this.codec.encodeDirect(data)));
	}

	private CompletableFuture<SendResult> counted(CompletableFuture<SendResult> send) {
		HubInstrumentation current = this.instrumentation;
		return send.whenComplete((result, ex) -> current.directSent((ex != null) ? HubInstrumentation.DirectOutcome.FAILED
				: result.isDelivered() ? HubInstrumentation.DirectOutcome.DELIVERED
						: HubInstrumentation.DirectOutcome.OFFLINE));
	}

	/**
	 * Find where a user is connected.
	 * @param user the user
	 * @return the instance id of each of the user's sessions, by session id; empty when offline
	 */
	public CompletableFuture<Map<String, String>> locateUser(String user) {
		return this.registry.findSessionsOfUser(user);
	}

	/**
	 * Whether a user has at least one session on a live instance.
	 * @param user the user
	 * @return {@code true} when online
	 */
	public CompletableFuture<Boolean> isOnline(String user) {
		return locateUser(user).thenApply((sessions) -> !sessions.isEmpty());
	}

	/**
	 * Close every session of a user, on every instance, with close code 4501.
	 * @param user the user
	 * @return where the request was routed
	 */
	public CompletableFuture<SendResult> disconnectUser(String user) {
		return this.targetedDelivery.disconnectUser(user);
	}

	/**
	 * Close one session, wherever it is connected, with close code 4501.
	 * @param sessionId the session id
	 * @return where the request was routed
	 */
	public CompletableFuture<SendResult> disconnectSession(String sessionId) {
		return this.targetedDelivery.disconnectSession(sessionId);
	}

	/**
	 * Set where events are reported, for metrics.
	 * @param instrumentation the instrumentation
	 */
	public void setInstrumentation(HubInstrumentation instrumentation) {
		Assert.notNull(instrumentation, "'instrumentation' must not be null");
		this.instrumentation = instrumentation;
	}

	/**
	 * Return the id of this instance.
	 * @return the instance id
	 */
	public String getInstanceId() {
		return this.instanceId;
	}

}
