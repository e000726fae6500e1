package io.github.wshub.security;

import java.util.List;

import io.github.wshub.session.HubSession;

import org.springframework.util.AntPathMatcher;
import org.springframework.util.Assert;

/**
 * {@link TopicAuthorizer} that allows a topic when it matches one of a list of patterns.
 * Patterns use {@code '.'} as the segment separator: {@code *} matches one segment and
 * {@code **} any number of segments, so {@code chat.**} allows {@code chat.lobby} and
 * {@code chat.room.42}. An empty list allows nothing.
 *
 * @author wshub
 */
public class PatternTopicAuthorizer implements TopicAuthorizer {

	private final AntPathMatcher matcher = new AntPathMatcher(".");

	private final List<String> subscribePatterns;

	private final List<String> publishPatterns;

	/**
	 * Create an authorizer.
	 * @param subscribePatterns the topics clients may subscribe to
	 * @param publishPatterns the topics clients may publish on
	 */
	public PatternTopicAuthorizer(List<String> subscribePatterns, List<String> publishPatterns) {
		Assert.notNull(subscribePatterns, "'subscribePatterns' must not be null");
		Assert.notNull(publishPatterns, "'publishPatterns' must not be null");
		this.subscribePatterns = List.copyOf(subscribePatterns);
		this.publishPatterns = List.copyOf(publishPatterns);
		this.matcher.setCachePatterns(true);
	}

	@Override
	public boolean canSubscribe(HubSession session, String topic) {
		return matchesAny(this.subscribePatterns, topic);
	}

	@Override
	public boolean canPublish(HubSession session, String topic) {
		return matchesAny(this.publishPatterns, topic);
	}

	private boolean matchesAny(List<String> patterns, String topic) {
		for (String pattern : patterns) {
			if (this.matcher.match(pattern, topic)) {
				return true;
			}
		}
		return false;
	}

}
