package io.github.wshub.broker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.util.AntPathMatcher;
import org.springframework.util.Assert;

/**
 * Which topics keep a history, and how much of it.
 *
 * @author wshub
 */
public final class HistorySettings {

	/**
	 * No topic has history.
	 */
	public static final HistorySettings NONE = new HistorySettings(List.of(), 100, Duration.ofMinutes(10), 1000);

	private static final int MAX_CACHED_TOPICS = 10_000;

	private final List<String> patterns;

	private final int size;

	private final Duration ttl;

	private final int maxRecover;

	private final AntPathMatcher matcher = new AntPathMatcher(".");

	private final Map<String, Boolean> cache = new ConcurrentHashMap<>();

	/**
	 * Create settings.
	 * @param patterns the topic patterns with history, in the syntax of
	 * {@code hub.topics.subscribe-patterns} ({@code .} separates segments, {@code *} matches one
	 * segment, {@code **} any number); empty for none
	 * @param size the number of messages kept per topic
	 * @param ttl how long a topic's history lives after its last publish
	 * @param maxRecover the most messages one recovery returns
	 */
	public HistorySettings(List<String> patterns, int size, Duration ttl, int maxRecover) {
		Assert.notNull(patterns, "'patterns' must not be null");
		Assert.isTrue(patterns.stream().noneMatch((pattern) -> pattern.contains("{")),
				"History topic patterns must not contain '{' (no {user} placeholder)");
		Assert.isTrue(size > 0, "'size' must be positive");
		Assert.isTrue(ttl.toMillis() > 0, "'ttl' must be at least one millisecond");
		Assert.isTrue(maxRecover > 0, "'maxRecover' must be positive");
		this.patterns = List.copyOf(patterns);
		this.size = size;
		this.ttl = ttl;
		this.maxRecover = maxRecover;
		this.matcher.setCachePatterns(true);
	}

	/**
	 * Whether a topic keeps a history.
	 * @param topic the topic
	 * @return {@code true} when it matches one of the patterns
	 */
	public boolean hasHistory(String topic) {
		if (this.patterns.isEmpty()) {
			return false;
		}
		Boolean cached = this.cache.get(topic);
		if (cached != null) {
			return cached;
		}
		boolean matches = this.patterns.stream().anyMatch((pattern) -> this.matcher.match(pattern, topic));
		if (this.cache.size() < MAX_CACHED_TOPICS) {
			this.cache.put(topic, matches);
		}
		return matches;
	}

	/**
	 * Whether any topic keeps a history.
	 * @return {@code true} when there is at least one pattern
	 */
	public boolean isEnabled() {
		return !this.patterns.isEmpty();
	}

	/**
	 * Return the number of messages kept per topic.
	 * @return the size
	 */
	public int size() {
		return this.size;
	}

	/**
	 * Return how long a topic's history lives after its last publish.
	 * @return the TTL
	 */
	public Duration ttl() {
		return this.ttl;
	}

	/**
	 * Return the most messages one recovery returns.
	 * @return the limit
	 */
	public int maxRecover() {
		return this.maxRecover;
	}

}
