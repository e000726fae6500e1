package io.github.wshub.redis;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.broker.BrokerMessageListener;
import io.github.wshub.broker.ControlMessageListener;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;

/**
 * The listener of every channel the broker subscribes. The hub's container (or, with sharded
 * Pub/Sub, Lettuce's cluster Pub/Sub connection) calls it on the Redis connection's thread, in
 * the order Redis sent the messages, and it hands each one on without blocking: the message of
 * a topic channel, once its {@link RedisEnvelope} is decoded, to the
 * {@link BrokerMessageListener}; a probe ping to the {@link LivenessProbe}; any other message of
 * the control channel to the {@link ControlMessageListener}. A payload on a topic
 * channel that is not an envelope is logged and dropped.
 *
 * @author wshub
 */
final class MessageRouter implements MessageListener {

	// The broker's logger: operators find every broker message under one name.
	private static final Log logger = LogFactory.getLog(RedisTopicBroker.class);

	private final RedisNames names;

	private final LivenessProbe probe;

	private volatile @Nullable BrokerMessageListener listener;

	private volatile @Nullable ControlMessageListener controlListener;

	MessageRouter(RedisNames names, LivenessProbe probe) {
		this.names = names;
		this.probe = probe;
	}

	void setMessageListener(BrokerMessageListener listener) {
		this.listener = listener;
	}

	void setControlMessageListener(ControlMessageListener controlListener) {
		this.controlListener = controlListener;
	}

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		route(message.getChannel(), message.getBody());
	}

	/**
	 * Route one message received on a channel of the broker.
	 * @param channel the channel, in UTF-8
	 * @param body the payload
	 */
	void route(byte[] channel, byte[] body) {
		String topic = this.names.topicOf(channel);
		if (topic == null) {
			if (this.probe.handlePing(body)) {
				return;
			}
			ControlMessageListener control = this.controlListener;
			if (control != null) {
				control.onControlMessage(body);
			}
			return;
		}
		BrokerMessage decoded = RedisEnvelope.decode(topic, body);
		BrokerMessageListener current = this.listener;
		if (decoded == null) {
			logger.warn("Ignoring a message on channel '" + this.names.topicChannel(topic)
					+ "' that is not a wshub envelope");
		}
		else if (current != null) {
			current.onMessage(decoded);
		}
	}

}
