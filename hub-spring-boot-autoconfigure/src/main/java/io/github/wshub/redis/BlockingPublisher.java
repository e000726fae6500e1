package io.github.wshub.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * For connection factories without a reactive API (Jedis): publishes on one thread, so
 * order is kept, and never on the caller's thread.
 *
 * @author wshub
 */
final class BlockingPublisher implements Publisher {

	private final RedisConnectionFactory connectionFactory;

	private final ExecutorService executor;

	BlockingPublisher(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("hub-redis-publisher-");
		threads.setDaemon(true);
		this.executor = Executors.newSingleThreadExecutor(threads);
	}

	@Override
	public CompletableFuture<Long> publishCounting(byte[] channel, byte[] payload) {
		return CompletableFuture.supplyAsync(() -> {
			try (RedisConnection connection = this.connectionFactory.getConnection()) {
				Long receivers = connection.publish(channel, payload);
				return (receivers != null) ? receivers : 0L;
			}
		}, this.executor);
	}

	@Override
	public void close() {
		this.executor.shutdown();
	}

}
