package io.github.wshub.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Publishes through Lettuce's asynchronous API on the connection factory's connection (the
 * shared native connection unless sharing is disabled): the cheapest path, with no reactive
 * operators between the caller and the command. Calls from one thread reach Redis in call
 * order (on a Redis Cluster: calls for one slot). With sharded Pub/Sub it sends {@code SPUBLISH}
 * instead of {@code PUBLISH}.
 * <p>
 * Obtaining that connection connects to Redis. It is tried once when the publisher is created
 * and, while Redis is unreachable, again on the broker's timer; until it succeeds, publishes
 * fail at once, so no caller ever waits for a connection.
 *
 * @author wshub
 */
final class LettucePublisher implements Publisher {

	// The broker's logger: operators find every broker message under one name.
	private static final Log logger = LogFactory.getLog(RedisTopicBroker.class);

	private final LettuceConnectionFactory connectionFactory;

	private final ScheduledExecutorService timer;

	private final Duration retryInterval;

	private final boolean sharded;

	private volatile @Nullable RedisClusterAsyncCommands<byte[], byte[]> commands;

	private @Nullable LettuceConnection connection;

	private boolean closed;

	LettucePublisher(LettuceConnectionFactory connectionFactory, ScheduledExecutorService timer,
			Duration retryInterval, boolean sharded) {
		this.connectionFactory = connectionFactory;
		this.timer = timer;
		this.retryInterval = retryInterval;
		this.sharded = sharded;
		connectOrRetry();
	}

	private void connectOrRetry() {
		if (connect()) {
			return;
		}
		try {
			this.timer.schedule(this::connectOrRetry, this.retryInterval.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// The broker stopped.
		}
	}

	private synchronized boolean connect() {
		if (this.closed || this.commands != null) {
			return true;
		}
		LettuceConnection candidate = null;
		try {
			candidate = (LettuceConnection) this.connectionFactory.getConnection();
			this.commands = candidate.getNativeConnection();
			this.connection = candidate;
			return true;
		}
		catch (RuntimeException ex) {
			logger.debug("No Redis connection for publishing yet", ex);
			if (candidate != null) {
				closeQuietly(candidate);
			}
			return false;
		}
	}

	@Override
	public CompletableFuture<Long> publishCounting(byte[] channel, byte[] payload) {
		RedisClusterAsyncCommands<byte[], byte[]> current = this.commands;
		if (current == null) {
			return CompletableFuture.failedFuture(new IllegalStateException("Not connected to Redis yet"));
		}
		// On a Redis Cluster, Lettuce routes SPUBLISH by the channel's slot, like a key.
		return (this.sharded ? current.spublish(channel, payload) : current.publish(channel, payload))
			.toCompletableFuture();
	}

	@Override
	public CompletableFuture<List<Object>> eval(HistoryScripts.Script script, byte[][] keys, byte[][] args) {
		RedisClusterAsyncCommands<byte[], byte[]> current = this.commands;
		if (current == null) {
			return CompletableFuture.failedFuture(new IllegalStateException("Not connected to Redis yet"));
		}
		CompletableFuture<List<Object>> result = current
			.<List<Object>>evalsha(script.sha1(), ScriptOutputType.MULTI, keys, args)
			.toCompletableFuture();
		return result.exceptionallyCompose((ex) -> {
			Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof RedisNoScriptException) {
				// First use, or Redis restarted or flushed its script cache: send the source once.
				return current.<List<Object>>eval(script.source(), ScriptOutputType.MULTI, keys, args)
					.toCompletableFuture();
			}
			return CompletableFuture.failedFuture(cause);
		});
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		this.commands = null;
		LettuceConnection current = this.connection;
		this.connection = null;
		if (current != null) {
			closeQuietly(current);
		}
	}

	private static void closeQuietly(LettuceConnection connection) {
		try {
			connection.close();
		}
		catch (RuntimeException ex) {
			logger.debug("Failed to close connection", ex);
		}
	}

}
