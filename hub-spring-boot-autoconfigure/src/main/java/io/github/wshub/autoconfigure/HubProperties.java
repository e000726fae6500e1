package io.github.wshub.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for the wshub WebSocket hub.
 *
 * @author wshub
 */
@ConfigurationProperties("hub")
public class HubProperties {

	/**
	 * Path of the hub's WebSocket endpoint.
	 */
	private String path = "/ws";

	/**
	 * Origins allowed to open a WebSocket from a browser, for example
	 * "https://app.example.com". Empty means same-origin only; "*" allows every origin.
	 */
	private List<String> allowedOrigins = new ArrayList<>();

	/**
	 * Origin patterns allowed to open a WebSocket from a browser, in addition to
	 * allowed-origins, for example "https://*.example.com" or "http://localhost:[*]".
	 */
	private List<String> allowedOriginPatterns = new ArrayList<>();

	/**
	 * Id of this instance, unique in the cluster. Defaults to the host name and a random
	 * suffix, new at every start.
	 */
	private String instanceId = defaultInstanceId();

	private final Session session = new Session();

	private final Limits limits = new Limits();

	private final Topics topics = new Topics();

	private final Dispatch dispatch = new Dispatch();

	private final Redis redis = new Redis();

	private final Registry registry = new Registry();

	private final Shutdown shutdown = new Shutdown();

	private final Security security = new Security();

	private final History history = new History();

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

	public List<String> getAllowedOrigins() {
		return this.allowedOrigins;
	}

	public void setAllowedOrigins(List<String> allowedOrigins) {
		this.allowedOrigins = allowedOrigins;
	}

	public List<String> getAllowedOriginPatterns() {
		return this.allowedOriginPatterns;
	}

	public void setAllowedOriginPatterns(List<String> allowedOriginPatterns) {
		this.allowedOriginPatterns = allowedOriginPatterns;
	}

	public String getInstanceId() {
		return this.instanceId;
	}

	public void setInstanceId(String instanceId) {
		// It becomes part of channel and key names and of the message envelope's header line.
		Assert.isTrue(instanceId.matches("[A-Za-z0-9_.:@-]{1,128}"),
				"'hub.instance-id' must be 1 to 128 letters, digits or '_', '.', ':', '@', '-'");
		this.instanceId = instanceId;
	}

	public Session getSession() {
		return this.session;
	}

	public Limits getLimits() {
		return this.limits;
	}

	public Topics getTopics() {
		return this.topics;
	}

	public Dispatch getDispatch() {
		return this.dispatch;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public Registry getRegistry() {
		return this.registry;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public History getHistory() {
		return this.history;
	}

	public Security getSecurity() {
		return this.security;
	}

	static String defaultInstanceId() {
		String host = System.getenv("HOSTNAME");
		String prefix = (host != null && !host.isBlank()) ? host.replaceAll("[^A-Za-z0-9_.-]", "-") : "hub";
		byte[] random = new byte[4];
		ThreadLocalRandom.current().nextBytes(random);
		return prefix + "-" + HexFormat.of().formatHex(random);
	}

	/**
	 * Per-session sending and heartbeat settings.
	 */
	public static class Session {

		/**
		 * How often the server pings each session, so proxies keep idle connections open and
		 * dead peers are found.
		 */
		private Duration pingInterval = Duration.ofSeconds(25);

		/**
		 * How long the server waits for the pong to a ping before closing the session with
		 * 4001.
		 */
		private Duration pongTimeout = Duration.ofSeconds(10);

		/**
		 * Longest time one send to a session may take; a session exceeding it is closed as a
		 * slow consumer (4002).
		 */
		private Duration sendTimeLimit = Duration.ofSeconds(10);

		/**
		 * Most data that may wait to be sent to one session; a session exceeding it is closed as
		 * a slow consumer (4002).
		 */
		private DataSize sendBufferSizeLimit = DataSize.ofKilobytes(512);

		/**
		 * Size of Tomcat's per-session buffer for incoming messages (Tomcat allocates it as
		 * large as the message size limit). Larger messages are received in parts and assembled
		 * up to limits.max-frame-size, so this bounds the memory of every idle session, not the
		 * message size. Containers that allocate on demand (Jetty) ignore it.
		 */
		private DataSize messageBufferSize = DataSize.ofKilobytes(1);

		/**
		 * Size of Tomcat's read and write buffers of every connection (its connector's
		 * socket.appReadBufSize and socket.appWriteBufSize, 8 KB each by default). Smaller
		 * buffers lower the memory of mostly idle connections; frames larger than the buffer
		 * are read and written in several steps. Unset keeps Tomcat's default. Other containers
		 * ignore it.
		 */
		private @Nullable DataSize tomcatSocketBufferSize;

		public Duration getPingInterval() {
			return this.pingInterval;
		}

		public void setPingInterval(Duration pingInterval) {
			this.pingInterval = pingInterval;
		}

		public Duration getPongTimeout() {
			return this.pongTimeout;
		}

		public void setPongTimeout(Duration pongTimeout) {
			this.pongTimeout = pongTimeout;
		}

		public Duration getSendTimeLimit() {
			return this.sendTimeLimit;
		}

		public void setSendTimeLimit(Duration sendTimeLimit) {
			this.sendTimeLimit = sendTimeLimit;
		}

		public DataSize getMessageBufferSize() {
			return this.messageBufferSize;
		}

		public void setMessageBufferSize(DataSize messageBufferSize) {
			this.messageBufferSize = messageBufferSize;
		}

		public @Nullable DataSize getTomcatSocketBufferSize() {
			return this.tomcatSocketBufferSize;
		}

		public void setTomcatSocketBufferSize(@Nullable DataSize tomcatSocketBufferSize) {
			this.tomcatSocketBufferSize = tomcatSocketBufferSize;
		}

		public DataSize getSendBufferSizeLimit() {
			return this.sendBufferSizeLimit;
		}

		public void setSendBufferSizeLimit(DataSize sendBufferSizeLimit) {
			this.sendBufferSizeLimit = sendBufferSizeLimit;
		}

	}

	/**
	 * Limits on what clients send.
	 */
	public static class Limits {

		/**
		 * Largest text message a client may send, counted in characters; a larger one closes
		 * the session with 1009.
		 */
		private DataSize maxFrameSize = DataSize.ofKilobytes(64);

		/**
		 * Longest topic name, in characters.
		 */
		private int maxTopicLength = 200;

		/**
		 * Longest request id: characters of a string id, or of a number id's JSON text.
		 */
		private int maxIdLength = 128;

		/**
		 * Deepest nesting of JSON arrays and objects accepted in a client frame.
		 */
		private int maxNestingDepth = 64;

		/**
		 * Most sessions on one instance; beyond it handshakes are refused with 503.
		 */
		private int maxSessions = 10_000;

		/**
		 * Most sessions of one user on one instance; beyond it handshakes are refused with 429.
		 */
		private int maxSessionsPerUser = 16;

		/**
		 * Most anonymous sessions (sessions without a user) from one client address on one
		 * instance; beyond it handshakes are refused with 429. The address is the request's
		 * remote address: behind a proxy, set server.forward-headers-strategy so that it is
		 * the client's, or every client shares the proxy's.
		 */
		private int maxAnonymousSessionsPerAddress = 16;

		/**
		 * Most topics one session may subscribe to; beyond it subscribes fail with
		 * too_many_subscriptions.
		 */
		private int maxSubscriptionsPerSession = 100;

		/**
		 * Frames per second one session may send, on average (token bucket refill rate).
		 * Frames over the rate get a rate_limited error and are not processed.
		 */
		private double messageRate = 50;

		/**
		 * Frames one session may send at once before the rate applies (token bucket size).
		 */
		private int messageBurst = 100;

		/**
		 * Frames refused in a row for the rate after which the session is closed with 4502.
		 */
		private int maxRateViolations = 100;

		public DataSize getMaxFrameSize() {
			return this.maxFrameSize;
		}

		public void setMaxFrameSize(DataSize maxFrameSize) {
			this.maxFrameSize = maxFrameSize;
		}

		public int getMaxTopicLength() {
			return this.maxTopicLength;
		}

		public void setMaxTopicLength(int maxTopicLength) {
			this.maxTopicLength = maxTopicLength;
		}

		public int getMaxIdLength() {
			return this.maxIdLength;
		}

		public void setMaxIdLength(int maxIdLength) {
			this.maxIdLength = maxIdLength;
		}

		public int getMaxNestingDepth() {
			return this.maxNestingDepth;
		}

		public void setMaxNestingDepth(int maxNestingDepth) {
			this.maxNestingDepth = maxNestingDepth;
		}

		public int getMaxSessions() {
			return this.maxSessions;
		}

		public void setMaxSessions(int maxSessions) {
			this.maxSessions = maxSessions;
		}

		public int getMaxSessionsPerUser() {
			return this.maxSessionsPerUser;
		}

		public void setMaxSessionsPerUser(int maxSessionsPerUser) {
			this.maxSessionsPerUser = maxSessionsPerUser;
		}

		public int getMaxAnonymousSessionsPerAddress() {
			return this.maxAnonymousSessionsPerAddress;
		}

		public void setMaxAnonymousSessionsPerAddress(int maxAnonymousSessionsPerAddress) {
			this.maxAnonymousSessionsPerAddress = maxAnonymousSessionsPerAddress;
		}

		public int getMaxSubscriptionsPerSession() {
			return this.maxSubscriptionsPerSession;
		}

		public void setMaxSubscriptionsPerSession(int maxSubscriptionsPerSession) {
			this.maxSubscriptionsPerSession = maxSubscriptionsPerSession;
		}

		public double getMessageRate() {
			return this.messageRate;
		}

		public void setMessageRate(double messageRate) {
			this.messageRate = messageRate;
		}

		public int getMessageBurst() {
			return this.messageBurst;
		}

		public void setMessageBurst(int messageBurst) {
			this.messageBurst = messageBurst;
		}

		public int getMaxRateViolations() {
			return this.maxRateViolations;
		}

		public void setMaxRateViolations(int maxRateViolations) {
			this.maxRateViolations = maxRateViolations;
		}

	}

	/**
	 * Topic policy for clients. Patterns use '.' between segments, '*' for one segment and
	 * '**' for any number of segments.
	 */
	public static class Topics {

		/**
		 * Topic patterns clients may subscribe to.
		 */
		private List<String> subscribePatterns = new ArrayList<>(List.of("**"));

		/**
		 * Topic patterns clients may publish on. Empty denies every client publish; server code
		 * can always publish through HubTemplate.
		 */
		private List<String> publishPatterns = new ArrayList<>();

		/**
		 * Pattern of user-private topics, containing {user}: only that user may subscribe to
		 * them, and clients may only publish on their own. Empty disables user-private topics.
		 */
		private String userTopicPattern = "user.{user}.**";

		public List<String> getSubscribePatterns() {
			return this.subscribePatterns;
		}

		public void setSubscribePatterns(List<String> subscribePatterns) {
			this.subscribePatterns = subscribePatterns;
		}

		public List<String> getPublishPatterns() {
			return this.publishPatterns;
		}

		public void setPublishPatterns(List<String> publishPatterns) {
			this.publishPatterns = publishPatterns;
		}

		public String getUserTopicPattern() {
			return this.userTopicPattern;
		}

		public void setUserTopicPattern(String userTopicPattern) {
			this.userTopicPattern = userTopicPattern;
		}

	}

	/**
	 * Threads that fan messages out to local sessions.
	 */
	public static class Dispatch {

		/**
		 * Number of dispatch lanes (threads). Each topic is served by one lane, which keeps its
		 * order. Zero means one lane per available processor.
		 */
		private int lanes = 0;

		/**
		 * Most tasks that may wait in one lane; beyond it messages are dropped and logged.
		 */
		private int queueCapacity = 100_000;

		public int getLanes() {
			return this.lanes;
		}

		public void setLanes(int lanes) {
			this.lanes = lanes;
		}

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

	}

	/**
	 * Redis broker settings. The connection itself is configured with spring.data.redis.*.
	 */
	public static class Redis {

		/**
		 * How topics travel through Redis Pub/Sub.
		 */
		public enum PubSub {

			/**
			 * Sharded on a Redis Cluster with Lettuce, classic otherwise.
			 */
			AUTO,

			/**
			 * SUBSCRIBE and PUBLISH.
			 */
			CLASSIC,

			/**
			 * SSUBSCRIBE and SPUBLISH (Redis 7+), on a Redis Cluster with Lettuce.
			 */
			SHARDED

		}

		/**
		 * Prefix of every Redis channel and key the hub uses, so several applications can
		 * share one Redis.
		 */
		private String namespace = "hub:";

		/**
		 * How long a topic's Redis subscription is kept after its last local subscriber left,
		 * so quick re-subscribes do not churn Redis.
		 */
		private Duration unsubscribeGrace = Duration.ofSeconds(2);

		/**
		 * How long a client's subscribe may wait for Redis to confirm the subscription before
		 * it fails with broker_unavailable.
		 */
		private Duration subscribeTimeout = Duration.ofSeconds(10);

		/**
		 * How topics travel through Redis Pub/Sub: 'sharded' (SSUBSCRIBE/SPUBLISH, Redis 7+, a
		 * topic's messages pass only through the cluster node that owns its slot) needs a Redis
		 * Cluster and the Lettuce client; 'classic' (SUBSCRIBE/PUBLISH) works everywhere but on a
		 * cluster sends every message to every node, so it does not scale with the cluster;
		 * 'auto' chooses sharded when spring.data.redis.cluster.nodes configures a cluster with
		 * Lettuce, classic otherwise.
		 */
		private PubSub pubsub = PubSub.AUTO;

		public PubSub getPubsub() {
			return this.pubsub;
		}

		public void setPubsub(PubSub pubsub) {
			this.pubsub = pubsub;
		}

		public String getNamespace() {
			return this.namespace;
		}

		public void setNamespace(String namespace) {
			this.namespace = namespace;
		}

		public Duration getUnsubscribeGrace() {
			return this.unsubscribeGrace;
		}

		public void setUnsubscribeGrace(Duration unsubscribeGrace) {
			this.unsubscribeGrace = unsubscribeGrace;
		}

		/**
		 * How long a publish may wait for Redis to accept it before it fails with
		 * broker_unavailable.
		 */
		private Duration publishTimeout = Duration.ofSeconds(5);

		/**
		 * How often each instance checks its Redis subscription by publishing a ping on its own
		 * control channel (Lettuce reconnects silently; this finds out).
		 */
		private Duration probeInterval = Duration.ofSeconds(5);

		/**
		 * How long that ping may take to come back before Redis counts as unreachable: health
		 * turns DOWN and clients get broker_unavailable at once.
		 */
		private Duration probeTimeout = Duration.ofSeconds(3);

		/**
		 * After a Redis connection was lost, how long publishes on a topic are refused with
		 * broker_unavailable until Redis delivers them to as many subscribers (instances) as
		 * the topic had before; a topic that does not get back to that count within this time
		 * (an instance died meanwhile) is accepted as it is.
		 */
		private Duration resubscribeWait = Duration.ofSeconds(10);

		public Duration getSubscribeTimeout() {
			return this.subscribeTimeout;
		}

		public void setSubscribeTimeout(Duration subscribeTimeout) {
			this.subscribeTimeout = subscribeTimeout;
		}

		public Duration getPublishTimeout() {
			return this.publishTimeout;
		}

		public void setPublishTimeout(Duration publishTimeout) {
			this.publishTimeout = publishTimeout;
		}

		public Duration getProbeInterval() {
			return this.probeInterval;
		}

		public void setProbeInterval(Duration probeInterval) {
			this.probeInterval = probeInterval;
		}

		public Duration getProbeTimeout() {
			return this.probeTimeout;
		}

		public void setProbeTimeout(Duration probeTimeout) {
			this.probeTimeout = probeTimeout;
		}

		public Duration getResubscribeWait() {
			return this.resubscribeWait;
		}

		public void setResubscribeWait(Duration resubscribeWait) {
			this.resubscribeWait = resubscribeWait;
		}

	}

	/**
	 * Connection registry settings: which user and session is on which instance.
	 */
	public static class Registry {

		/**
		 * How often each instance refreshes its heartbeat in Redis and purges instances whose
		 * heartbeat expired.
		 */
		private Duration heartbeatInterval = Duration.ofSeconds(10);

		/**
		 * How long an instance's heartbeat lives without refresh. A crashed instance stops being
		 * routed to within this time.
		 */
		private Duration instanceTtl = Duration.ofSeconds(30);

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public Duration getInstanceTtl() {
			return this.instanceTtl;
		}

		public void setInstanceTtl(Duration instanceTtl) {
			this.instanceTtl = instanceTtl;
		}

	}

	/**
	 * Graceful shutdown: how sessions are drained when the application stops.
	 */
	public static class Shutdown {

		/**
		 * Time over which session closes are spread, so clients do not all reconnect to the
		 * other instances at the same instant.
		 */
		private Duration drainPeriod = Duration.ofSeconds(10);

		/**
		 * Most time the whole drain may take, including flushing each session's queued
		 * messages. Keep it below spring.lifecycle.timeout-per-shutdown-phase.
		 */
		private Duration timeout = Duration.ofSeconds(20);

		public Duration getDrainPeriod() {
			return this.drainPeriod;
		}

		public void setDrainPeriod(Duration drainPeriod) {
			this.drainPeriod = drainPeriod;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Handshake security.
	 */
	public static class Security {

		/**
		 * Whether handshakes without a user (no principal, or nothing from the HubUserResolver)
		 * are refused with 401.
		 */
		private boolean requireUser;

		public boolean isRequireUser() {
			return this.requireUser;
		}

		public void setRequireUser(boolean requireUser) {
			this.requireUser = requireUser;
		}

	}

	/**
	 * Message history and recovery, per topic.
	 */
	public static class History {

		/**
		 * Topic patterns whose messages carry an offset and are kept for recovery and history
		 * requests, in the syntax of hub.topics.subscribe-patterns (without {user}). Empty keeps
		 * no history. The Redis broker needs the Lettuce client for it.
		 */
		private List<String> topics = new ArrayList<>();

		/**
		 * Number of messages kept per topic.
		 */
		private int size = 100;

		/**
		 * How long a topic's history lives after its last publish.
		 */
		private Duration ttl = Duration.ofMinutes(10);

		/**
		 * Most messages one recovery returns; a client that missed more is not recovered. Also
		 * the longest gap an instance reads back from the history.
		 */
		private int maxRecover = 1000;

		/**
		 * How long a history topic must have been without messages before its instance reads
		 * the history once, to deliver a last message that its Redis subscription missed and
		 * that no later message revealed. 0 turns the check off.
		 */
		private Duration quietCheck = Duration.ofSeconds(5);

		public List<String> getTopics() {
			return this.topics;
		}

		public void setTopics(List<String> topics) {
			this.topics = topics;
		}

		public int getSize() {
			return this.size;
		}

		public void setSize(int size) {
			this.size = size;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public int getMaxRecover() {
			return this.maxRecover;
		}

		public void setMaxRecover(int maxRecover) {
			this.maxRecover = maxRecover;
		}

		public Duration getQuietCheck() {
			return this.quietCheck;
		}

		public void setQuietCheck(Duration quietCheck) {
			this.quietCheck = quietCheck;
		}

	}

}
