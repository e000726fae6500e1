package io.github.wshub.session;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

import io.github.wshub.dispatch.HubThreads;

/**
 * Runs {@link LocalTopicRegistry#checkQuietHistoryTopics} on a thread of its own,
 * {@code hub-quiet-check-1}, every quarter of the quiet time (at least every 100 ms): a history
 * topic is read back once after it has been quiet that long, so that a lost last message reaches
 * this instance's subscribers without waiting for the next one. Does nothing, and starts no
 * thread, when no topic has history or the quiet time is zero.
 *
 * @author wshub
 */
public class QuietTopicCheck implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(QuietTopicCheck.class);

	private final LocalTopicRegistry registry;

	private final Duration quietFor;

	private final boolean enabled;

	private @Nullable ScheduledExecutorService executor;

	/**
	 * Create a check.
	 * @param registry the registry whose history topics are checked
	 * @param quietFor how long a topic must have been quiet; zero turns the check off
	 * @param historyEnabled whether any topic has history
	 */
	public QuietTopicCheck(LocalTopicRegistry registry, Duration quietFor, boolean historyEnabled) {
		Assert.notNull(registry, "'registry' must not be null");
		Assert.isTrue(!quietFor.isNegative(), "'quietFor' must not be negative");
		this.registry = registry;
		this.quietFor = quietFor;
		this.enabled = historyEnabled && !quietFor.isZero();
	}

	@Override
	public synchronized void start() {
		if (!this.enabled || this.executor != null) {
			return;
		}
		ScheduledExecutorService executor = Executors
			.newSingleThreadScheduledExecutor(HubThreads.daemon("hub-quiet-check-"));
		long tick = Math.max(100, this.quietFor.toMillis() / 4);
		executor.scheduleWithFixedDelay(this::checkSafely, tick, tick, TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	@Override
	public synchronized void stop() {
		ScheduledExecutorService executor = this.executor;
		if (executor != null) {
			executor.shutdownNow();
			this.executor = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

	private void checkSafely() {
		try {
			this.registry.checkQuietHistoryTopics(this.quietFor);
		}
		catch (RuntimeException ex) {
			logger.error("Quiet history topic check failed", ex);
		}
	}

}
