package io.github.wshub.redis;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.ReactiveRedisConnection;

/**
 * Publishes without blocking on the connection factory's shared reactive connection; calls
 * from one thread reach Redis in call order because the command is written on subscribe.
 *
 * @author wshub
 */
final class ReactivePublisher implements Publisher {

	// The broker's logger: operators find every broker message under one name.
	private static final Log logger = LogFactory.getLog(RedisTopicBroker.class);

	private final ReactiveRedisConnection connection;

	ReactivePublisher(ReactiveRedisConnection connection) {
		this.connection = connection;
	}

	@Override
	public CompletableFuture<Long> publishCounting(byte[] channel, byte[] payload) {
		return this.connection.pubSubCommands().publish(ByteBuffer.wrap(channel), ByteBuffer.wrap(payload)).toFuture();
	}

	@Override
	public void close() {
		this.connection.closeLater().subscribe(null, (ex) -> logger.debug("Failed to close connection", ex));
	}

}
