package io.github.wshub;

import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.protocol.FrameCodec;

import org.springframework.util.Assert;

/**
 * Publishes to hub topics from application code. A message published here reaches every
 * subscriber of the topic on every instance, exactly like a client's publish, and is not subject
 * to the client topic policy.
 *
 * <pre class="code">
 * hubTemplate.publish("chat.lobby", Map.of("text", "Server restarts at noon"));
 * </pre>
 *
 * @author wshub
 */
public class HubTemplate {

	private final TopicBroker broker;

	private final FrameCodec codec;

	private final String instanceId;

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	/**
	 * Create a template.
	 * @param broker the broker
	 * @param codec the frame codec (its JSON mapper serializes the data)
	 * @param instanceId this instance's id
	 */
	public HubTemplate(TopicBroker broker, FrameCodec codec, String instanceId) {
		Assert.notNull(broker, "'broker' must not be null");
		Assert.notNull(codec, "'codec' must not be null");
		Assert.hasText(instanceId, "'instanceId' must not be empty");
		this.broker = broker;
		this.codec = codec;
		this.instanceId = instanceId;
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
