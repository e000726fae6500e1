package io.github.wshub.security;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PatternTopicAuthorizer}.
 *
 * @author wshub
 */
class PatternTopicAuthorizerTests {

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

}
