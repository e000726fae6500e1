package io.github.wshub.benchmarks;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A frame received from the hub, parsed into reusable fields. The frames the benchmarks see by
 * the ten thousand ({@code message} frames of the benchmark's own publishes, and numeric
 * {@code ack}s) are read by a small scanner that relies on the server writing {@code type}
 * first; anything else goes through Jackson.
 * <p>
 * Not thread-safe: each connection parses into its own instance.
 *
 * @author wshub
 */
public final class ServerFrame {

	/**
	 * The kind of frame.
	 */
	public enum Kind {

		/** A {@code message} frame. */
		MESSAGE,
		/** An {@code ack} frame. */
		ACK,
		/** An {@code error} frame. */
		ERROR,
		/** The {@code welcome} frame. */
		WELCOME,
		/** Anything else, including {@code direct} frames and unknown types. */
		OTHER

	}

	static final String TOPIC_PREFIX = "bench.t";

	private static final String MESSAGE_PREFIX = "{\"type\":\"message\",\"topic\":\"";

	private static final String ACK_PREFIX = "{\"type\":\"ack\",\"id\":";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private Kind kind = Kind.OTHER;

	private int topic;

	private long publisher;

	private long seq;

	private long sentNanos;

	private long id;

	private @Nullable String code;

	private @Nullable String session;

	/**
	 * Parse a frame into this object, replacing what it held.
	 * @param frame the text frame
	 * @return the kind of frame
	 */
	public Kind parse(String frame) {
		this.topic = -1;
		this.publisher = -1;
		this.seq = -1;
		this.sentNanos = 0;
		this.id = -1;
		this.code = null;
		this.session = null;
		if (frame.startsWith(MESSAGE_PREFIX)) {
			int start = MESSAGE_PREFIX.length();
			int end = frame.indexOf('"', start);
			if (end > 0 && frame.startsWith(TOPIC_PREFIX, start)) {
				this.topic = (int) parseLong(frame, start + TOPIC_PREFIX.length(), end);
				this.publisher = field(frame, "\"p\":", end);
				this.seq = field(frame, "\"s\":", end);
				this.sentNanos = field(frame, "\"t\":", end);
			}
			return this.kind = Kind.MESSAGE;
		}
		if (frame.startsWith(ACK_PREFIX) && frame.endsWith("}")) {
			long value = parseLong(frame, ACK_PREFIX.length(), frame.length() - 1);
			if (value >= 0) {
				this.id = value;
				return this.kind = Kind.ACK;
			}
		}
		return parseTree(frame);
	}

	private Kind parseTree(String frame) {
		JsonNode root;
		try {
			root = JSON.readTree(frame);
		}
		catch (JacksonException ex) {
			return this.kind = Kind.OTHER;
		}
		if (root == null || !root.isObject()) {
			return this.kind = Kind.OTHER;
		}
		JsonNode idNode = root.get("id");
		if (idNode != null && idNode.canConvertToLong()) {
			this.id = idNode.asLong();
		}
		String type = root.path("type").asString("");
		switch (type) {
			case "message" -> {
				String topicName = root.path("topic").asString("");
				if (topicName.startsWith(TOPIC_PREFIX)) {
					this.topic = (int) parseLong(topicName, TOPIC_PREFIX.length(), topicName.length());
				}
				JsonNode data = root.path("data");
				this.publisher = data.path("p").asLong(-1);
				this.seq = data.path("s").asLong(-1);
				this.sentNanos = data.path("t").asLong(0);
				return this.kind = Kind.MESSAGE;
			}
			case "ack" -> {
				return this.kind = Kind.ACK;
			}
			case "error" -> {
				this.code = root.path("code").asString("unknown");
				return this.kind = Kind.ERROR;
			}
			case "welcome" -> {
				this.session = root.path("session").asString("");
				return this.kind = Kind.WELCOME;
			}
			default -> {
				return this.kind = Kind.OTHER;
			}
		}
	}

	private static long field(String frame, String name, int from) {
		int at = frame.indexOf(name, from);
		if (at < 0) {
			return -1;
		}
		int start = at + name.length();
		int end = start;
		while (end < frame.length() && (Character.isDigit(frame.charAt(end)) || frame.charAt(end) == '-')) {
			end++;
		}
		return parseLong(frame, start, end);
	}

	private static long parseLong(String text, int start, int end) {
		if (start >= end) {
			return -1;
		}
		boolean negative = text.charAt(start) == '-';
		long value = 0;
		for (int i = negative ? start + 1 : start; i < end; i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return negative ? -value : value;
	}

	/**
	 * Return the kind of the last frame parsed.
	 * @return the kind
	 */
	public Kind kind() {
		return this.kind;
	}

	/**
	 * Return the topic number of a {@code message} frame ({@code bench.t<n>}).
	 * @return the number, or -1 for another topic
	 */
	public int topic() {
		return this.topic;
	}

	/**
	 * Return the publisher id ({@code data.p}) of a {@code message} frame.
	 * @return the id, or -1
	 */
	public long publisher() {
		return this.publisher;
	}

	/**
	 * Return the sequence number ({@code data.s}) of a {@code message} frame.
	 * @return the sequence number, or -1
	 */
	public long seq() {
		return this.seq;
	}

	/**
	 * Return the send time ({@code data.t}, {@link System#nanoTime()} of the generator) of a
	 * {@code message} frame.
	 * @return the send time
	 */
	public long sentNanos() {
		return this.sentNanos;
	}

	/**
	 * Return the numeric id of an {@code ack} or {@code error} frame.
	 * @return the id, or -1
	 */
	public long id() {
		return this.id;
	}

	/**
	 * Return the error code of an {@code error} frame.
	 * @return the code
	 */
	public @Nullable String code() {
		return this.code;
	}

	/**
	 * Return the session id of a {@code welcome} frame.
	 * @return the session id
	 */
	public @Nullable String session() {
		return this.session;
	}

}
