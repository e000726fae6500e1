package io.github.wshub.security;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;


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
 * <p>
 * Memory does not grow with the number of users: a pattern with {@code {user}} is not
 * rewritten for each user. When its {@code {user}} is one whole segment, preceded only by
 * segments that each match one topic segment (no {@code **}), as in {@code user.{user}.**},
 * the topic's segment at that position is compared with the user name and the segments before
 * and after it are matched with the configured pattern's own parts; only the configured
 * patterns and their parts are ever compiled and cached. Any other pattern with {@code {user}}
 * (such as {@code **.{user}} or {@code inbox-{user}}) is matched with the user name in place,
 * compiled for each decision and never cached.
 *
 * @author wshub
 */
public class PatternTopicAuthorizer implements TopicAuthorizer {

	private static final String USER = "{user}";

	static final int MAX_CACHED_TOPICS = 10_000;

	private final AntPathMatcher matcher;

	private final List<TopicPattern> subscribePatterns;

	private final List<TopicPattern> publishPatterns;

	private final @Nullable TopicPattern userTopicPattern;

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
		this(subscribePatterns, publishPatterns, userTopicPattern, new AntPathMatcher("."));
	}

	/**
	 * Create an authorizer matching with the given matcher, whose pattern cache is turned on.
	 * @param subscribePatterns the topics clients may subscribe to
	 * @param publishPatterns the topics clients may publish on
	 * @param userTopicPattern the pattern of user-private topics, or {@code null} or empty
	 * @param matcher a matcher with {@code '.'} as the separator
	 */
	PatternTopicAuthorizer(List<String> subscribePatterns, List<String> publishPatterns,
			@Nullable String userTopicPattern, AntPathMatcher matcher) {
		Assert.notNull(subscribePatterns, "'subscribePatterns' must not be null");
		Assert.notNull(publishPatterns, "'publishPatterns' must not be null");
		// Only the configured patterns and their parts reach this matcher, so its cache stays as
		// small as the configuration.
		matcher.setCachePatterns(true);
		this.matcher = matcher;
		this.subscribePatterns = subscribePatterns.stream().map(TopicPattern::new).toList();
		this.publishPatterns = publishPatterns.stream().map(TopicPattern::new).toList();
		if (userTopicPattern != null && !userTopicPattern.isBlank()) {
			Assert.isTrue(userTopicPattern.contains(USER), "'userTopicPattern' must contain {user}");
			this.userTopicPattern = new TopicPattern(userTopicPattern);
			this.userTopicNamespace = userTopicPattern.replace(USER, "*");
		}
		else {
			this.userTopicPattern = null;
			this.userTopicNamespace = null;
		}
		this.subscribeDependsOnUser = this.subscribePatterns.stream().anyMatch(TopicPattern::dependsOnUser);
		this.publishDependsOnUser = this.publishPatterns.stream().anyMatch(TopicPattern::dependsOnUser);
	}

	@Override
	public boolean canSubscribe(SessionIdentity session, String topic) {
		if (isUserTopic(topic)) {
			return isOwnUserTopic(session, topic);
		}
		if (this.subscribeDependsOnUser) {
			return matchesAny(this.subscribePatterns, session, topic);
		}
		return cached(this.subscribeCache, topic, () -> matchesAny(this.subscribePatterns, session, topic));
	}

	@Override
	public boolean canPublish(SessionIdentity session, String topic) {
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

	private boolean isOwnUserTopic(SessionIdentity session, String topic) {
		TopicPattern pattern = this.userTopicPattern;
		return pattern != null && pattern.matches(this.matcher, session, topic);
	}

	private boolean matchesAny(List<TopicPattern> patterns, SessionIdentity session, String topic) {
		for (TopicPattern pattern : patterns) {
			if (pattern.matches(this.matcher, session, topic)) {
				return true;
			}
		}
		return false;
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

	private static boolean isWellFormed(String dotted) {
		return !dotted.isEmpty() && !dotted.startsWith(".") && !dotted.endsWith(".") && !dotted.contains("..");
	}

	/**
	 * One configured pattern. A pattern with {@code {user}} means the pattern with the user name
	 * in its place; it is matched without building that pattern when its first segments allow.
	 */
	private static final class TopicPattern {

		// Compiles nothing into a cache: for the rare patterns matched with the user name in place.
		private static final AntPathMatcher SUBSTITUTING = new AntPathMatcher(".");

		static {
			SUBSTITUTING.setCachePatterns(false);
		}

		private final String pattern;

		private final boolean dependsOnUser;

		// Position of the {user} segment, or -1 to match with the user name in place.
		private final int userSegment;

		// The segments before and after the {user} segment, or null when there are none.
		private final @Nullable String before;

		private final @Nullable String after;

		TopicPattern(String pattern) {
			Assert.notNull(pattern, "'pattern' must not be null");
			this.pattern = pattern;
			this.dependsOnUser = pattern.contains(USER);
			int userSegment = -1;
			String before = null;
			String after = null;
			if (this.dependsOnUser && isWellFormed(pattern) && pattern.indexOf(USER) == pattern.lastIndexOf(USER)) {
				List<String> segments = List.of(pattern.split("\\.", -1));
				int position = segments.indexOf(USER);
				if (position >= 0 && !segments.subList(0, position).contains("**")) {
					userSegment = position;
					before = (position > 0) ? String.join(".", segments.subList(0, position)) : null;
					after = (position < segments.size() - 1)
							? String.join(".", segments.subList(position + 1, segments.size())) : null;
				}
			}
			this.userSegment = userSegment;
			this.before = before;
			this.after = after;
		}

		boolean dependsOnUser() {
			return this.dependsOnUser;
		}

		boolean matches(AntPathMatcher matcher, SessionIdentity session, String topic) {
			if (!this.dependsOnUser) {
				return matcher.match(this.pattern, topic);
			}
			String user = session.getUser();
			if (user == null || !isSegment(user)) {
				return false;
			}
			if (this.userSegment < 0 || !isWellFormed(topic)) {
				return SUBSTITUTING.match(this.pattern.replace(USER, user), topic);
			}
			// In a well-formed topic, as in the pattern, the segments before the {user} segment
			// each match one segment, so the substituted pattern matches exactly when the topic
			// has the user name at that position and its other parts match the pattern's.
			int start = 0;
			for (int i = 0; i < this.userSegment; i++) {
				int dot = topic.indexOf('.', start);
				if (dot < 0) {
					return false;
				}
				start = dot + 1;
			}
			int dot = topic.indexOf('.', start);
			int end = (dot >= 0) ? dot : topic.length();
			if (end - start != user.length() || !topic.startsWith(user, start)) {
				return false;
			}
			if (this.before != null && !matcher.match(this.before, topic.substring(0, start - 1))) {
				return false;
			}
			if (this.after == null) {
				return dot < 0;
			}
			return matcher.match(this.after, (dot >= 0) ? topic.substring(dot + 1) : "");
		}

	}

}
