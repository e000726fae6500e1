package io.github.wshub.broker;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

/**
 * A message as it travels between instances: the already encoded {@code message} frame, plus
 * when and where it was published and, on a topic with history, its position in the topic's
 * stream.
 *
 * @param topic the topic
 * @param frame the UTF-8 encoded {@code message} frame, delivered to sessions as is
 * @param publishedAtMicros the publish time, in microseconds since the epoch
 * @param origin the id of the instance that published it
 * @param offset the message's offset in the topic's history (1, 2, 3, ...), or 0 when the topic
 * has no history or the message has not been published yet
 * @param epoch the epoch of the topic's history, or {@code null} when {@code offset} is 0
 * @author wshub
 */
public record BrokerMessage(String topic, byte[] frame, long publishedAtMicros, String origin, long offset,
		@Nullable String epoch) {

	/**
	 * Create a message without a history position.
	 * @param topic the topic
	 * @param frame the encoded {@code message} frame
	 * @param publishedAtMicros the publish time, in microseconds since the epoch
	 * @param origin the id of the publishing instance
	 */
	public BrokerMessage(String topic, byte[] frame, long publishedAtMicros, String origin) {
		this(topic, frame, publishedAtMicros, origin, 0, null);
	}

	/**
	 * Create a message stamped with the current time.
	 * @param topic the topic
	 * @param frame the encoded {@code message} frame
	 * @param origin the id of the publishing instance
	 * @return the message
	 */
	public static BrokerMessage now(String topic, byte[] frame, String origin) {
		return new BrokerMessage(topic, frame, ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()), origin);
	}

}
