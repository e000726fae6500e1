package io.github.wshub.benchmarks;

/**
 * One publishing connection's schedule: message {@code k} goes to topic
 * {@code (offset + k) mod topics} at {@code start + k / rate}, stamped with that intended time
 * (so a late send shows up as latency rather than hiding it) and with the next sequence number
 * of its topic.
 * <p>
 * Frames look like
 * {@code {"type":"publish","topic":"bench.t7","data":{"p":3,"s":41,"t":<nanos>,"x":"..."},"id":12}},
 * with {@code x} padding {@code data} to the payload size.
 *
 * @author wshub
 */
public final class Publisher {

	private final int id;

	private final HubConnection connection;

	private final int topics;

	private final int offset;

	private final double ratePerSecond;

	private final long quota;

	private final int payload;

	private final String padding;

	private final long[] sentPerTopic;

	private long sent;

	private long nextRequestId = 1;

	private long startNanos;

	/**
	 * Create a publisher.
	 * @param id the publisher id ({@code data.p}), unique in the run
	 * @param connection its connection, or {@code null} to only compute frames (tests)
	 * @param topics the number of topics
	 * @param offset the topic of its first message
	 * @param ratePerSecond its publish rate
	 * @param quota how many messages it publishes in all
	 * @param payload the size of {@code data} in bytes
	 */
	public Publisher(int id, @org.jspecify.annotations.Nullable HubConnection connection, int topics, int offset,
			double ratePerSecond, long quota, int payload) {
		this.id = id;
		this.connection = connection;
		this.topics = topics;
		this.offset = offset;
		this.ratePerSecond = ratePerSecond;
		this.quota = quota;
		this.payload = payload;
		this.padding = "x".repeat(Math.max(0, payload));
		this.sentPerTopic = new long[topics];
	}

	/**
	 * Set the schedule's origin.
	 * @param startNanos {@link System#nanoTime()} of message 0
	 */
	public void start(long startNanos) {
		this.startNanos = startNanos;
	}

	/**
	 * Send every message due by {@code now}, as long as the connection's send queue has room.
	 * @param now {@link System#nanoTime()}
	 * @param maxQueued stop while the connection has this many frames queued
	 * @return whether the publisher has sent its whole quota
	 */
	public boolean sendDue(long now, int maxQueued) {
		long due = Math.min(this.quota, (long) Math.floor((now - this.startNanos) * this.ratePerSecond / 1e9) + 1);
		while (this.sent < due && this.connection != null && this.connection.queuedSends() < maxQueued) {
			long intended = this.startNanos + (long) (this.sent * 1e9 / this.ratePerSecond);
			if (!this.connection.send(nextFrame(intended))) {
				break;
			}
		}
		return this.sent >= this.quota;
	}

	/**
	 * Build the next frame and count it as sent.
	 * @param stampNanos the send time to stamp
	 * @return the frame
	 */
	String nextFrame(long stampNanos) {
		int topic = (int) ((this.offset + this.sent) % this.topics);
		long seq = this.sentPerTopic[topic]++;
		this.sent++;
		String head = "{\"p\":" + this.id + ",\"s\":" + seq + ",\"t\":" + stampNanos + ",\"x\":\"";
		int pad = Math.max(0, this.payload - head.length() - 2);
		return "{\"type\":\"publish\",\"topic\":\"" + ServerFrame.TOPIC_PREFIX + topic + "\",\"data\":" + head
				+ this.padding.substring(0, Math.min(pad, this.padding.length())) + "\"},\"id\":" + (this.nextRequestId++)
				+ "}";
	}

	/**
	 * Return when a publish was meant to be sent: requests are numbered from 1 in send order, so
	 * request {@code k} is message {@code k - 1} of the schedule.
	 * @param requestId the publish's request id, as its ack echoes it
	 * @return its intended send time, {@link System#nanoTime()}
	 */
	public long intendedNanos(long requestId) {
		return this.startNanos + (long) ((requestId - 1) * 1e9 / this.ratePerSecond);
	}

	/**
	 * Return the publisher id.
	 * @return the id
	 */
	public int id() {
		return this.id;
	}

	/**
	 * Return how many messages were sent.
	 * @return the count
	 */
	public long sent() {
		return this.sent;
	}

	/**
	 * Return how many messages it had to send.
	 * @return the quota
	 */
	public long quota() {
		return this.quota;
	}

	/**
	 * Return how many messages were sent to a topic: its sequence numbers are {@code 0} to that
	 * count minus one.
	 * @param topic the topic number
	 * @return the count
	 */
	public long sentTo(int topic) {
		return this.sentPerTopic[topic];
	}

}
