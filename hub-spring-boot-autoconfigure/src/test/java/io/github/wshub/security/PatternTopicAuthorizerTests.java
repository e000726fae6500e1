package io.github.wshub.security;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import io.github.wshub.session.HubSession;
import io.github.wshub.session.TestHubSessions;

import org.springframework.util.AntPathMatcher;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PatternTopicAuthorizer}.
 *
 * @author wshub
 */
class PatternTopicAuthorizerTests {

	private static final AntPathMatcher ORACLE = new AntPathMatcher(".");

	@Test
	void patternsUseDotSegments() {
		PatternTopicAuthorizer authorizer = new PatternTopicAuthorizer(List.of("chat.**", "news.*"),
				List.of("chat.*.public"));
		assertThat(authorizer.canSubscribe(null, "chat.lobby")).isTrue();
		assertThat(authorizer.canSubscribe(null, "chat.room.42")).isTrue();
		assertThat(authorizer.canSubscribe(null, "news.sport")).isTrue();
		assertThat(authorizer.canSubscribe(null, "news.sport.football")).isFalse();
		assertThat(authorizer.canSubscribe(null, "admin.logs")).isFalse();
		assertThat(authorizer.canPublish(null, "chat.room.public")).isTrue();
		assertThat(authorizer.canPublish(null, "chat.room.private")).isFalse();
		assertThat(authorizer.canPublish(null, "chat.lobby")).isFalse();
	}

	@Test
	void emptyListDeniesEverything() {
		PatternTopicAuthorizer authorizer = new PatternTopicAuthorizer(List.of(), List.of());
		assertThat(authorizer.canSubscribe(null, "chat")).isFalse();
		assertThat(authorizer.canPublish(null, "chat")).isFalse();
	}

	@Test
	void cachedDecisionsStayCorrectAndBounded() {
		PatternTopicAuthorizer authorizer = new PatternTopicAuthorizer(List.of("chat.**"), List.of("chat.*"));
		for (int round = 0; round < 2; round++) {
			assertThat(authorizer.canSubscribe(null, "chat.a.b")).isTrue();
			assertThat(authorizer.canPublish(null, "chat.a.b")).isFalse();
			assertThat(authorizer.canPublish(null, "chat.a")).isTrue();
			assertThat(authorizer.canSubscribe(null, "news")).isFalse();
		}
		for (int i = 0; i < PatternTopicAuthorizer.MAX_CACHED_TOPICS + 10; i++) {
			assertThat(authorizer.canSubscribe(null, "chat.t" + i)).isTrue();
		}
		assertThat(authorizer.canSubscribe(null, "news")).isFalse();
	}

	@Test
	void userPatternsMatchAsIfTheUserWereSubstituted() {
		List<String> patterns = List.of("user.{user}.**", "user.{user}", "{user}", "{user}.**", "**.{user}",
				"**.{user}.**", "user.*.{user}", "*.{user}.outbox", "user.{user}.{user}", "inbox-{user}",
				"chat-*.{user}.**", "user.{room}.{user}.*", "{user}-x.**", "user.{user}.**.x", "user.**.{user}",
				"user..{user}", ".user.{user}", "user.{user}.", "user.{user}x", "u?er.{user}.*", "user.{user}.*.**",
				"user.{user}.*", "chat.**");
		List<@Nullable String> users = Arrays.asList("bob", "alice", "x", "user", "a:b", "b.o", "bob*", "", null);
		List<String> topics = topics(List.of("user", "bob", "x", "outbox", "chat-1", "bob-x", "a:b"), 4);
		for (String pattern : patterns) {
			PatternTopicAuthorizer plain = new PatternTopicAuthorizer(List.of(pattern), List.of(pattern));
			PatternTopicAuthorizer privateTopics = pattern.contains("{user}")
					? new PatternTopicAuthorizer(List.of("**"), List.of("**"), pattern) : null;
			for (String user : users) {
				HubSession session = TestHubSessions.of(user);
				for (String topic : topics) {
					boolean expected = substituted(pattern, user, topic);
					assertThat(plain.canSubscribe(session, topic)).as("%s subscribing to %s with %s", user, topic, pattern)
						.isEqualTo(expected);
					assertThat(plain.canPublish(session, topic)).as("%s publishing on %s with %s", user, topic, pattern)
						.isEqualTo(expected);
					if (privateTopics != null) {
						boolean someonesTopic = ORACLE.match(pattern.replace("{user}", "*"), topic);
						assertThat(privateTopics.canSubscribe(session, topic))
							.as("%s subscribing to %s with user topics %s", user, topic, pattern)
							.isEqualTo(!someonesTopic || expected);
					}
				}
			}
		}
	}

	@Test
	void memoryStaysBoundedWhateverTheNumberOfUsers() {
		RecordingMatcher matcher = new RecordingMatcher();
		PatternTopicAuthorizer authorizer = new PatternTopicAuthorizer(List.of("chat.**", "inbox.{user}.*"),
				List.of("chat.**", "user.{user}.outbox"), "user.{user}.**", matcher);
		decideFor(authorizer, 0, 2_000);
		Set<String> compiledForFirstUsers = Set.copyOf(matcher.compiled);
		long before = usedHeapAfterGc();
		decideFor(authorizer, 2_000, 200_000);
		long growth = usedHeapAfterGc() - before;
		Reference.reachabilityFence(authorizer);
		assertThat(matcher.compiled).as("patterns the matcher compiled and cached")
			.isEqualTo(compiledForFirstUsers)
			.hasSizeLessThan(20);
		assertThat(growth).as("heap growth after 200,000 distinct users, in bytes")
			.isLessThan(DataSize.ofMegabytes(8).toBytes());
	}

	private static void decideFor(PatternTopicAuthorizer authorizer, int from, int to) {
		for (int i = from; i < to; i++) {
			String user = "user-" + i;
			HubSession session = TestHubSessions.of(user);
			assertThat(authorizer.canSubscribe(session, "user." + user + ".inbox")).isTrue();
			assertThat(authorizer.canSubscribe(session, "inbox." + user + ".news")).isTrue();
			assertThat(authorizer.canSubscribe(session, "user.someone-else.inbox")).isFalse();
			assertThat(authorizer.canPublish(session, "user." + user + ".outbox")).isTrue();
			assertThat(authorizer.canPublish(session, "chat.lobby")).isTrue();
		}
	}

	private static long usedHeapAfterGc() {
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 5; i++) {
			System.gc();
			used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
		}
		return used;
	}

	/**
	 * The documented meaning of a pattern with {@code {user}}: the pattern with the user name
	 * in its place, never matching for an anonymous user or a name that is not a topic segment.
	 */
	private static boolean substituted(String pattern, @Nullable String user, String topic) {
		if (!pattern.contains("{user}")) {
			return ORACLE.match(pattern, topic);
		}
		if (user == null || !user.matches("[A-Za-z0-9_:@-]+")) {
			return false;
		}
		return ORACLE.match(pattern.replace("{user}", user), topic);
	}

	private static List<String> topics(List<String> segments, int maxSegments) {
		List<String> topics = new ArrayList<>(segments);
		List<String> previous = segments;
		for (int length = 2; length <= maxSegments; length++) {
			List<String> longer = new ArrayList<>();
			for (String prefix : previous) {
				for (String segment : segments) {
					longer.add(prefix + "." + segment);
				}
			}
			topics.addAll(longer);
			previous = longer;
		}
		return topics;
	}

	/**
	 * Records every pattern and pattern segment the matcher compiles: with its pattern cache on,
	 * these are the keys of its caches.
	 */
	static final class RecordingMatcher extends AntPathMatcher {

		final Set<String> compiled = ConcurrentHashMap.newKeySet();

		RecordingMatcher() {
			super(".");
		}

		@Override
		protected String[] tokenizePattern(String pattern) {
			this.compiled.add(pattern);
			return super.tokenizePattern(pattern);
		}

		@Override
		protected AntPathStringMatcher getStringMatcher(String pattern) {
			this.compiled.add(pattern);
			return super.getStringMatcher(pattern);
		}

	}

}
