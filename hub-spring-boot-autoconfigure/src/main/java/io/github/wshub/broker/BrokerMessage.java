package io.github.wshub.broker;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A message as it travels between instances: the already encoded {@code message} frame, plus
 * when and where it was published.
 *
 * @param topic the topic
 * @param frame the UTF-8 encoded {@code message} frame, delivered to sessions as is
 * @param publishedAtMicros the publish time, in microseconds since the epoch
 * @param origin the id of the instance that published it
 * @author wshub
 */
public record BrokerMessage(String topic, byte[] frame, long publishedAtMicros, String origin) {

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
