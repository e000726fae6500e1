package io.github.wshub.protocol;

import org.springframework.util.Assert;

/**
 * Topic syntax: one or more segments separated by {@code '.'}; each segment is a non-empty run
 * of ASCII letters, digits, {@code '_'}, {@code '-'}, {@code ':'} or {@code '@'}. The
 * characters {@code '*'} and {@code '#'} are reserved for patterns.
 *
 * @author wshub
 */
public final class TopicNames {

	private final int maxLength;

	/**
	 * Create a validator.
	 * @param maxLength the maximum topic length in characters
	 */
	public TopicNames(int maxLength) {
		Assert.isTrue(maxLength > 0, "'maxLength' must be positive");
		this.maxLength = maxLength;
	}

	/**
	 * Return why {@code topic} is not a valid topic, or {@code null} when it is.
	 * @param topic the candidate
	 * @return the reason, or {@code null}
	 */
	public @org.jspecify.annotations.Nullable String problem(String topic) {
		if (topic.isEmpty()) {
			return "'topic' must not be empty";
		}
		if (topic.length() > this.maxLength) {
			return "'topic' must be at most " + this.maxLength + " characters";
		}
		char previous = '.';
		for (int i = 0; i < topic.length(); i++) {
			char c = topic.charAt(i);
			if (c == '.') {
				if (previous == '.') {
					return "'topic' must not have empty segments";
				}
			}
			else if (!isSegmentChar(c)) {
				return "'topic' must only contain letters, digits and '_', '-', ':', '@', '.'";
			}
			previous = c;
		}
		if (previous == '.') {
			return "'topic' must not have empty segments";
		}
		return null;
	}

	/**
	 * Whether {@code topic} is valid.
	 * @param topic the candidate
	 * @return {@code true} if valid
	 */
	public boolean isValid(String topic) {
		return problem(topic) == null;
	}

	private static boolean isSegmentChar(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
				|| c == ':' || c == '@';
	}

}
