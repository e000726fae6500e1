package io.github.wshub.redis;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.dispatch.HubThreads;
import io.github.wshub.registry.ConnectionRegistry;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.Assert;

/**
 * {@link ConnectionRegistry} in Redis, written through a {@link StringRedisTemplate}, on a
 * single Redis, Sentinel, master/replica or Redis Cluster alike: every command and script
 * touches the keys of one hash slot (see {@link RegistryScripts}). All writes of this instance
 * run one after another on one thread, off the WebSocket threads; the sessions that open or
 * close within 25 ms are written together, in order, with one command per
 * hash, so a burst of connections costs a few commands rather than two or three per session.
 * <p>
 * <b>Liveness.</b> Every {@code heartbeatInterval} the instance refreshes its heartbeat key,
 * whose TTL is {@code instanceTtl}. Lookups ignore sessions of instances whose heartbeat key is
 * gone, and sessions their instance does not list, so a crashed instance stops being routed to
 * within the TTL and a half-written entry is never routed to. On each heartbeat, live instances
 * purge the entries of instances whose heartbeat expired.
 * <p>
 * <b>Healing.</b> A write that fails (Redis down, a Cluster failover) is not retried by itself:
 * the error is logged once, the session keeps working locally, and the next successful heartbeat
 * rewrites this instance's whole entry from its local view. The heartbeat also rewrites it when
 * Redis lost it (the heartbeat key was missing, as after a Redis restart or a failover that lost
 * writes), when the stored session count differs from the local one, after the Redis Cluster
 * client saw the cluster's topology change (a failover may have lost writes the failed master had
 * not replicated, in any of the hashes), and, for an
 * {@code instanceTtl} after it last saw one, while a purge of this instance is under way: a
 * purger that began while this instance's heartbeat was missing may still remove entries this
 * instance has written again. Lookups are retried a few times on Redis errors, so a failover's transient
 * errors do not fail them.
 * <p>
 * <b>Storage details.</b> The keys, their types and expiry are listed in {@link RedisNames};
 * the commands and scripts that write and read them are {@link RegistryScripts}.
 *
 * @author wshub
 */
public class RedisConnectionRegistry implements ConnectionRegistry, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisConnectionRegistry.class);

	private static final String ANONYMOUS = "";

	/**
	 * How long session writes are gathered before they are written together.
	 */
	static final Duration WRITE_DELAY = Duration.ofMillis(25);

	private final RegistryScripts scripts;

	private final RegistryLookups lookups;

	private final @Nullable RedisConnectionFactory connectionFactory;

	private final String instanceId;

	private final Duration heartbeatInterval;

	private final Duration instanceTtl;

	private final Map<String, String> localSessions = new ConcurrentHashMap<>();

	// Session opens and closes not yet written, in order; see write(SessionWrite).
	private final Queue<SessionWrite> pendingWrites = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean drainScheduled = new AtomicBoolean();

	private final Object lifecycleMonitor = new Object();

	private volatile boolean running;

	// Set when a write failed; cleared by a successful resync. Only touched on the writer thread.
	private boolean dirty;

	private volatile boolean failing;

	// Set when the cluster's topology changed: a failover may have lost writes.
	private volatile boolean resyncRequested;

	private @Nullable ClusterTopologyWatch topologyWatch;

	// Until when every heartbeat resyncs, after a purge of this instance was seen under way.
	// Only touched on the writer thread.
	private long resyncUntil = System.nanoTime();

	private @Nullable ScheduledThreadPoolExecutor writer;

	private @Nullable ExecutorService readers;

	private int phase = DEFAULT_PHASE - 3584;

	/**
	 * Create a registry.
	 * @param redis the template
	 * @param namespace the key prefix, for example {@code hub:}
	 * @param instanceId this instance's id
	 * @param heartbeatInterval how often to refresh the heartbeat and purge dead instances
	 * @param instanceTtl how long the heartbeat lives without refresh
	 */
	public RedisConnectionRegistry(StringRedisTemplate redis, String namespace, String instanceId,
			Duration heartbeatInterval, Duration instanceTtl) {
		Assert.notNull(redis, "'redis' must not be null");
		Assert.notNull(namespace, "'namespace' must not be null");
		Assert.hasText(instanceId, "'instanceId' must not be empty");
		Assert.isTrue(!heartbeatInterval.isNegative() && !heartbeatInterval.isZero(),
				"'heartbeatInterval' must be positive");
		Assert.isTrue(instanceTtl.compareTo(heartbeatInterval) > 0, "'instanceTtl' must be longer than the heartbeat interval");
		this.scripts = new RegistryScripts(redis, new RedisNames(namespace));
		this.lookups = new RegistryLookups(this.scripts);
		this.connectionFactory = redis.getConnectionFactory();
		this.instanceId = instanceId;
		this.heartbeatInterval = heartbeatInterval;
		this.instanceTtl = instanceTtl;
	}

	@Override
	public void sessionOpened(String sessionId, @Nullable String user) {
		String owner = (user != null) ? user : ANONYMOUS;
		this.localSessions.put(sessionId, owner);
		write(new SessionWrite(true, sessionId, owner));
	}

	@Override
	public void sessionClosed(String sessionId, @Nullable String user) {
		String owner = (user != null) ? user : ANONYMOUS;
		this.localSessions.remove(sessionId);
		write(new SessionWrite(false, sessionId, owner));
	}

	// Queues the write; one task on the writer thread, WRITE_DELAY after the first write queued,
	// writes every write queued by then, in order: a burst of sessions costs a few commands
	// rather than two or three per session.
	private void write(SessionWrite write) {
		ScheduledThreadPoolExecutor current = this.writer;
		if (current == null) {
			// Not started yet or stopped: the next heartbeat's resync records the session.
			return;
		}
		this.pendingWrites.add(write);
		if (this.drainScheduled.compareAndSet(false, true)) {
			try {
				current.schedule(this::drainWrites, WRITE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (RejectedExecutionException ex) {
				this.drainScheduled.set(false);
				throw ex;
			}
		}
	}

	private void drainWrites() {
		// Cleared first: a write queued from now on schedules another drain.
		this.drainScheduled.set(false);
		Map<String, String> batch = new LinkedHashMap<>();
		boolean batchOpens = true;
		SessionWrite write;
		while ((write = this.pendingWrites.poll()) != null) {
			if (write.open() != batchOpens && !batch.isEmpty()) {
				flush(batchOpens, batch);
			}
			batchOpens = write.open();
			batch.put(write.sessionId(), write.owner());
		}
		if (!batch.isEmpty()) {
			flush(batchOpens, batch);
		}
	}

	private void flush(boolean opens, Map<String, String> batch) {
		// While dirty (Redis was unreachable), the heartbeat's resync writes the whole state.
		if (!this.dirty) {
			try {
				if (opens) {
					this.scripts.open(this.instanceId, batch);
				}
				else {
					this.scripts.close(this.instanceId, batch);
				}
			}
			catch (RuntimeException ex) {
				this.dirty = true;
				reportFailure(ex);
			}
		}
		batch.clear();
	}

	private void heartbeat() {
		try {
			RegistryScripts.Heartbeat beat = this.scripts.heartbeat(this.instanceId, this.instanceTtl);
			long now = System.nanoTime();
			if (beat.purging()) {
				this.resyncUntil = now + this.instanceTtl.toNanos();
			}
			boolean topologyChanged = this.resyncRequested;
			this.resyncRequested = false;
			if (topologyChanged) {
				logger.info("Redis Cluster topology changed; re-registering " + this.localSessions.size()
						+ " local session(s) in case a failover lost writes");
			}
			if (this.dirty || !beat.existed() || beat.storedSessions() != this.localSessions.size()
					|| now - this.resyncUntil < 0 || topologyChanged) {
				resync();
			}
			if (this.failing) {
				this.failing = false;
				logger.info("Connection registry reaches Redis again; " + this.localSessions.size()
						+ " local session(s) re-registered");
			}
			purgeDeadInstances();
		}
		catch (RuntimeException ex) {
			this.dirty = true;
			reportFailure(ex);
		}
	}

	private void resync() {
		// Dirty until the whole resync went through: a failure half-way leaves it for the next beat.
		this.dirty = true;
		this.scripts.resync(this.instanceId, Map.copyOf(this.localSessions));
		this.dirty = false;
	}

	private void purgeDeadInstances() {
		for (String id : this.scripts.instanceIds()) {
			if (!id.equals(this.instanceId) && !this.scripts.describe(id).existed()) {
				long purged = purge(id, false);
				if (purged >= 0) {
					logger.info("Purged " + purged + " session(s) of dead instance '" + id + "'");
				}
			}
		}
	}

	/**
	 * Purge an instance in three steps, each in one hash slot: move its sessions to its purging
	 * hash (only if its heartbeat is gone, unless it deregisters), remove them from the sessions
	 * and user hashes, then delete the purging hash and remove the instance from the set. A
	 * purger that dies half-way leaves the purging hash behind; the next one finishes the work.
	 * @return how many sessions were removed, or {@code -1} when the instance is alive
	 */
	private long purge(String id, boolean deregister) {
		Map<String, String> sessions = this.scripts.beginPurge(id, deregister, this.instanceTtl);
		if (sessions == null) {
			return -1;
		}
		this.scripts.unindex(id, sessions);
		this.scripts.endPurge(id);
		return sessions.size();
	}

	private void reportFailure(RuntimeException ex) {
		if (!this.failing) {
			this.failing = true;
			logger.warn("Connection registry cannot write to Redis (" + ex.getMessage()
					+ "); sessions keep working locally and are re-registered once Redis answers");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Connection registry write failed again", ex);
		}
	}

	@Override
	public CompletableFuture<Map<String, String>> findSessionsOfUser(String user) {
		return read(() -> this.lookups.findSessionsOfUser(user));
	}

	@Override
	public CompletableFuture<Optional<String>> findInstanceOfSession(String sessionId) {
		return read(() -> this.lookups.findInstanceOfSession(sessionId));
	}

	@Override
	public CompletableFuture<List<InstanceInfo>> findInstances() {
		return read(this.lookups::findInstances);
	}

	private <T> CompletableFuture<T> read(java.util.function.Supplier<T> lookup) {
		ExecutorService current = this.readers;
		if (current == null) {
			return CompletableFuture.failedFuture(new IllegalStateException("Connection registry is not running"));
		}
		try {
			return CompletableFuture.supplyAsync(() -> RegistryLookups.withRetries(lookup), current);
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			return CompletableFuture.failedFuture(
					new IllegalStateException("Too many connection registry lookups in flight", ex));
		}
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			ThreadFactory writerThreads = HubThreads.daemon("hub-registry-");
			ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, writerThreads);
			executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
			executor.scheduleWithFixedDelay(this::heartbeat, 0, this.heartbeatInterval.toMillis(),
					TimeUnit.MILLISECONDS);
			// Writes queued while stopped are covered by the first heartbeat's resync.
			this.pendingWrites.clear();
			this.drainScheduled.set(false);
			this.writer = executor;
			this.topologyWatch = ClusterTopologyWatch.start(this.connectionFactory,
					() -> this.resyncRequested = true);
			ThreadFactory readerThreads = HubThreads.daemon("hub-registry-lookup-");
			this.readers = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(10_000),
					readerThreads);
			this.running = true;
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (!this.running) {
				return;
			}
			this.running = false;
			ClusterTopologyWatch watch = this.topologyWatch;
			this.topologyWatch = null;
			if (watch != null) {
				watch.close();
			}
			ScheduledThreadPoolExecutor executor = this.writer;
			this.writer = null;
			if (executor != null) {
				// Writes already queued still run (the delayed drain does not run after the
				// shutdown), then this instance removes itself.
				executor.execute(this::drainWrites);
				executor.execute(this::deregister);
				executor.shutdown();
				try {
					if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
						executor.shutdownNow();
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			ExecutorService readerPool = this.readers;
			this.readers = null;
			if (readerPool != null) {
				// Let queued lookups finish, so no caller waits on a future that never completes.
				readerPool.shutdown();
				try {
					if (!readerPool.awaitTermination(5, TimeUnit.SECONDS)) {
						readerPool.shutdownNow();
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}
	}

	private void deregister() {
		try {
			purge(this.instanceId, true);
			logger.info("Instance '" + this.instanceId + "' deregistered from the connection registry");
		}
		catch (RuntimeException ex) {
			logger.warn("Could not deregister instance '" + this.instanceId + "' (" + ex.getMessage()
					+ "); live instances purge it once its heartbeat expires");
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	/**
	 * Set the lifecycle phase. The default stops the registry after the hub closed its sessions
	 * and before the Redis broker and connection factory.
	 * @param phase the phase
	 */
	public void setPhase(int phase) {
		this.phase = phase;
	}

	/**
	 * A session's open or close, queued for the writer thread.
	 *
	 * @param open {@code true} for an open, {@code false} for a close
	 * @param sessionId the session id
	 * @param owner the session's user, {@code ""} for an anonymous session
	 */
	private record SessionWrite(boolean open, String sessionId, String owner) {
	}

}
