package io.github.wshub.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

import io.github.wshub.dispatch.HubThreads;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

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
		ThreadFactory threads = HubThreads.daemon("hub-redis-publisher-");
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
