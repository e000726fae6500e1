package io.github.wshub.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One way of sending {@code PUBLISH} commands to Redis, chosen by {@link PublishGate} from the
 * connection factory. A publisher never blocks its caller, and calls made one after another
 * from one thread reach Redis in that order.
 *
 * @author wshub
 */
interface Publisher {

	/**
	 * Publish a payload.
	 * @param channel the channel
	 * @param payload the payload
	 * @return a future completed when Redis accepted it
	 */
	default CompletableFuture<Void> publish(byte[] channel, byte[] payload) {
		return publishCounting(channel, payload).thenApply((receivers) -> null);
	}

	/**
	 * Publish a payload and report how many subscribers Redis delivered it to.
	 * @param channel the channel
	 * @param payload the payload
	 * @return a future completed with Redis' reply to {@code PUBLISH}
	 */
	CompletableFuture<Long> publishCounting(byte[] channel, byte[] payload);

	/**
	 * Run a Lua script ({@code EVALSHA}, falling back to {@code EVAL} when Redis does not know
	 * it), without blocking. Only the Lettuce publisher supports scripts; history needs it.
	 * @param script the script
	 * @param keys the keys
	 * @param args the arguments
	 * @return a future completed with the script's array reply (integers as {@code Long}, strings
	 * as {@code byte[]})
	 */
	default CompletableFuture<List<Object>> eval(HistoryScripts.Script script, byte[][] keys, byte[][] args) {
		return CompletableFuture.failedFuture(
				new UnsupportedOperationException("Topic history needs the Lettuce Redis client"));
	}

	/**
	 * Release the connection or thread this publisher holds.
	 */
	void close();

}
