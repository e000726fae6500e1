package io.github.wshub.security;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import io.github.wshub.session.HubSession;

import org.springframework.util.AntPathMatcher;
import org.springframework.util.Assert;

/**
 * {@link TopicAuthorizer} that allows a topic when it matches one of a list of patterns.
 * Patterns use {@code '.'} as the segment separator: {@code *} matches one segment and
 * {@code **} any number of segments, so {@code chat.**} allows {@code chat.lobby} and
 * {@code chat.room.42}. An empty list allows nothing.
 * <p>
 * A pattern may contain {@code {user}}, replaced by the session's user name; it never matches
 * for an anonymous session, nor for a user whose name is not a valid topic segment.
 * <p>
 * <b>User-private topics.</b> With a user topic pattern such as {@code user.{user}.**} (the
 * default of {@code hub.topics.user-topic-pattern}), every topic of the form
 * {@code user.<name>.**} belongs to the user {@code <name>}: only that user may subscribe to it
 * (whatever the subscribe patterns say), and a client may only publish on its own private
 * topics, and only if the publish patterns allow it. Server code publishes to any user's topics
 * through {@link io.github.wshub.HubTemplate}.
 * <p>
 * Decisions that do not depend on the user are cached per topic (at most
 * {@value #MAX_CACHED_TOPICS} topics, then the cache starts over), so the publish path does not
 * match patterns for every message.
 *
 * @author wshub
 */
public class PatternTopicAuthorizer implements TopicAuthorizer {

	private static final String USER = "{user}";

	static final int MAX_CACHED_TOPICS = 10_000;

	private final AntPathMatcher matcher = new AntPathMatcher(".");

	private final List<String> subscribePatterns;

	private final List<String> publishPatterns;

	private final @Nullable String userTopicPattern;

	private final @Nullable String userTopicNamespace;

	private final Map<String, Boolean> subscribeCache = new ConcurrentHashMap<>();

	private final Map<String, Boolean> publishCache = new ConcurrentHashMap<>();

	private final Map<String, Boolean> userTopicCache = new ConcurrentHashMap<>();

	private final boolean subscribeDependsOnUser;

	private final boolean publishDependsOnUser;

	/**
	 * Create an authorizer without user-private topics.
	 * @param subscribePatterns the topics clients may subscribe to
	 * @param publishPatterns the topics clients may publish on
	 */
	public PatternTopicAuthorizer(List<String> subscribePatterns, List<String> publishPatterns) {
		this(subscribePatterns, publishPatterns, null);
	}

	/**
	 * Create an authorizer.
	 * @param subscribePatterns the topics clients may subscribe to
	 * @param publishPatterns the topics clients may publish on
	 * @param userTopicPattern the pattern of user-private topics, containing {@code {user}} once,
	 * or {@code null} or empty for none
	 */
	public PatternTopicAuthorizer(List<String> subscribePatterns, List<String> publishPatterns,
			@Nullable String userTopicPattern) {
		Assert.notNull(subscribePatterns, "'subscribePatterns' must not be null");
		Assert.notNull(publishPatterns, "'publishPatterns' must not be null");
		this.subscribePatterns = List.copyOf(subscribePatterns);
		this.publishPatterns = List.copyOf(publishPatterns);
		if (userTopicPattern != null && !userTopicPattern.isBlank()) {
			Assert.isTrue(userTopicPattern.contains(USER), "'userTopicPattern' must contain {user}");
			this.userTopicPattern = userTopicPattern;
			this.userTopicNamespace = userTopicPattern.replace(USER, "*");
		}
		else {
			this.userTopicPattern = null;
			this.userTopicNamespace = null;
		}
		this.matcher.setCachePatterns(true);
		this.subscribeDependsOnUser = this.subscribePatterns.stream().anyMatch((pattern) -> pattern.contains(USER));
		this.publishDependsOnUser = this.publishPatterns.stream().anyMatch((pattern) -> pattern.contains(USER));
	}

	@Override
	public boolean canSubscribe(HubSession session, String topic) {
		if (isUserTopic(topic)) {
			return isOwnUserTopic(session, topic);
		}
		if (this.subscribeDependsOnUser) {
			return matchesAny(this.subscribePatterns, session, topic);
		}
		return cached(this.subscribeCache, topic, () -> matchesAny(this.subscribePatterns, session, topic));
	}

	@Override
	public boolean canPublish(HubSession session, String topic) {
		if (isUserTopic(topic) && !isOwnUserTopic(session, topic)) {
			return false;
		}
		if (this.publishDependsOnUser) {
			return matchesAny(this.publishPatterns, session, topic);
		}
		return cached(this.publishCache, topic, () -> matchesAny(this.publishPatterns, session, topic));
	}

	private boolean isUserTopic(String topic) {
		String namespace = this.userTopicNamespace;
		return namespace != null && cached(this.userTopicCache, topic, () -> this.matcher.match(namespace, topic));
	}

	private static boolean cached(Map<String, Boolean> cache, String topic,
			java.util.function.BooleanSupplier decision) {
		Boolean known = cache.get(topic);
		if (known != null) {
			return known;
		}
		boolean result = decision.getAsBoolean();
		if (cache.size() >= MAX_CACHED_TOPICS) {
			cache.clear();
		}
		cache.put(topic, result);
		return result;
	}

	private boolean isOwnUserTopic(HubSession session, String topic) {
		String pattern = withUser(this.userTopicPattern, session);
		return pattern != null && this.matcher.match(pattern, topic);
	}

	private boolean matchesAny(List<String> patterns, HubSession session, String topic) {
		for (String pattern : patterns) {
			String resolved = withUser(pattern, session);
			if (resolved != null && this.matcher.match(resolved, topic)) {
				return true;
			}
		}
		return false;
	}

	private static @Nullable String withUser(@Nullable String pattern, HubSession session) {
		if (pattern == null || !pattern.contains(USER)) {
			return pattern;
		}
		String user = session.getUser();
		return (user != null && isSegment(user)) ? pattern.replace(USER, user) : null;
	}

	private static boolean isSegment(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
					|| c == '-' || c == ':' || c == '@';
			if (!allowed) {
				return false;
			}
		}
		return !value.isEmpty();
	}

}
