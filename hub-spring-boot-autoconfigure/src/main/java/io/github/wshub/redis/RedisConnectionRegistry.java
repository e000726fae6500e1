package io.github.wshub.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.registry.ConnectionRegistry;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.Assert;

/**
 * {@link ConnectionRegistry} in Redis, written through a {@link StringRedisTemplate}. Every
 * change is one Lua script, so each is atomic; all writes of this instance run one after
 * another on one thread, off the WebSocket threads.
 * <p>
 * <b>Liveness.</b> Every {@code heartbeatInterval} the instance refreshes its heartbeat key,
 * whose TTL is {@code instanceTtl}. Lookups ignore sessions of instances whose heartbeat key is
 * gone, so a crashed instance stops being routed to within the TTL; on each heartbeat, live
 * instances purge the entries of instances whose heartbeat expired.
 * <p>
 * <b>Healing.</b> A write that fails (Redis down) is not retried by itself: the error is logged
 * once, the session keeps working locally, and the next successful heartbeat rewrites this
 * instance's whole entry from its local view. The heartbeat also rewrites it when Redis lost it
 * (the heartbeat key was missing, as after a Redis restart) or when the stored session count
 * differs from the local one.
 * <p>
 * <b>Storage details.</b> With the default namespace {@code hub:}:
 * <ul>
 * <li>{@code hub:instances}: SET of registered instance ids. {@code SADD} on every heartbeat,
 * {@code SREM} when the instance deregisters or is purged.</li>
 * <li>{@code hub:instance:<id>}: STRING heartbeat, the epoch milliseconds of the last beat, with
 * a TTL of {@code instanceTtl} ({@code SET ... PX}). Deleted when the instance deregisters.</li>
 * <li>{@code hub:instance:<id>:sessions}: HASH session id &rarr; user ({@code ""} for
 * anonymous) of every session of that instance.</li>
 * <li>{@code hub:sessions}: HASH session id &rarr; instance id, for every session in the
 * cluster.</li>
 * <li>{@code hub:user:<user>}: HASH session id &rarr; instance id of one user's sessions.</li>
 * </ul>
 * Hashes disappear when their last field is removed, so when every session has closed and every
 * instance has deregistered or been purged, the registry holds no key at all. The scripts build
 * key names from the namespace, so the registry needs a non-cluster Redis (standalone, Sentinel
 * or master/replica).
 *
 * @author wshub
 */
public class RedisConnectionRegistry implements ConnectionRegistry, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisConnectionRegistry.class);

	private static final String ANONYMOUS = "";

	// Removes one session's three entries, each only if it still points at this instance.
	private static final String REMOVE_SESSION = """
			local function remove(ns, iid, sid, user)
			  redis.call('HDEL', ns .. 'instance:' .. iid .. ':sessions', sid)
			  if redis.call('HGET', ns .. 'sessions', sid) == iid then redis.call('HDEL', ns .. 'sessions', sid) end
			  if user ~= '' and redis.call('HGET', ns .. 'user:' .. user, sid) == iid then
			    redis.call('HDEL', ns .. 'user:' .. user, sid)
			  end
			end
			""";

	private static final RedisScript<Long> OPEN = RedisScript.of("""
			local ns, iid, sid, user = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
			redis.call('HSET', ns .. 'instance:' .. iid .. ':sessions', sid, user)
			redis.call('HSET', ns .. 'sessions', sid, iid)
			if user ~= '' then redis.call('HSET', ns .. 'user:' .. user, sid, iid) end
			return 1
			""", Long.class);

	private static final RedisScript<Long> CLOSE = RedisScript.of(REMOVE_SESSION + """
			remove(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
			return 1
			""", Long.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> HEARTBEAT = RedisScript.of("""
			local ns, iid = ARGV[1], ARGV[2]
			local beat = ns .. 'instance:' .. iid
			local existed = redis.call('EXISTS', beat)
			redis.call('SET', beat, ARGV[4], 'PX', ARGV[3])
			redis.call('SADD', ns .. 'instances', iid)
			return {existed, redis.call('HLEN', beat .. ':sessions')}
			""", List.class);

	private static final RedisScript<Long> RESYNC = RedisScript.of(REMOVE_SESSION + """
			local ns, iid = ARGV[1], ARGV[2]
			local own = ns .. 'instance:' .. iid .. ':sessions'
			local wanted = {}
			for i = 3, #ARGV, 2 do wanted[ARGV[i]] = ARGV[i + 1] end
			local old = redis.call('HGETALL', own)
			for i = 1, #old, 2 do
			  if wanted[old[i]] == nil then remove(ns, iid, old[i], old[i + 1]) end
			end
			for sid, user in pairs(wanted) do
			  redis.call('HSET', own, sid, user)
			  redis.call('HSET', ns .. 'sessions', sid, iid)
			  if user ~= '' then redis.call('HSET', ns .. 'user:' .. user, sid, iid) end
			end
			return 1
			""", Long.class);

	// ARGV[3] = '1' removes the instance unconditionally (it deregisters itself); otherwise only
	// if its heartbeat is gone, checked atomically with the removal.
	private static final RedisScript<Long> PURGE = RedisScript.of(REMOVE_SESSION + """
			local ns, iid = ARGV[1], ARGV[2]
			if ARGV[3] ~= '1' and redis.call('EXISTS', ns .. 'instance:' .. iid) == 1 then return -1 end
			local own = ns .. 'instance:' .. iid .. ':sessions'
			local old = redis.call('HGETALL', own)
			for i = 1, #old, 2 do remove(ns, iid, old[i], old[i + 1]) end
			redis.call('DEL', own)
			redis.call('SREM', ns .. 'instances', iid)
			if ARGV[3] == '1' then redis.call('DEL', ns .. 'instance:' .. iid) end
			return #old / 2
			""", Long.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> FIND_USER = RedisScript.of("""
			local ns = ARGV[1]
			local entries = redis.call('HGETALL', ns .. 'user:' .. ARGV[2])
			local alive, result = {}, {}
			for i = 1, #entries, 2 do
			  local iid = entries[i + 1]
			  if alive[iid] == nil then alive[iid] = redis.call('EXISTS', ns .. 'instance:' .. iid) end
			  if alive[iid] == 1 then
			    table.insert(result, entries[i])
			    table.insert(result, iid)
			  end
			end
			return result
			""", List.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> FIND_SESSION = RedisScript.of("""
			local ns = ARGV[1]
			local iid = redis.call('HGET', ns .. 'sessions', ARGV[2])
			if iid and redis.call('EXISTS', ns .. 'instance:' .. iid) == 1 then return {iid} end
			return {}
			""", List.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> FIND_INSTANCES = RedisScript.of("""
			local ns = ARGV[1]
			local result = {}
			for _, iid in ipairs(redis.call('SMEMBERS', ns .. 'instances')) do
			  table.insert(result, iid)
			  table.insert(result, redis.call('EXISTS', ns .. 'instance:' .. iid))
			  table.insert(result, redis.call('HLEN', ns .. 'instance:' .. iid .. ':sessions'))
			end
			return result
			""", List.class);

	private final StringRedisTemplate redis;

	private final String namespace;

	private final String instanceId;

	private final Duration heartbeatInterval;

	private final Duration instanceTtl;

	private final Map<String, String> localSessions = new ConcurrentHashMap<>();

	private final Object lifecycleMonitor = new Object();

	private volatile boolean running;

	// Set when a write failed; cleared by a successful resync. Only touched on the writer thread.
	private boolean dirty;

	private volatile boolean failing;

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
		this.redis = redis;
		this.namespace = namespace;
		this.instanceId = instanceId;
		this.heartbeatInterval = heartbeatInterval;
		this.instanceTtl = instanceTtl;
	}

	@Override
	public void sessionOpened(String sessionId, @Nullable String user) {
		String owner = (user != null) ? user : ANONYMOUS;
		this.localSessions.put(sessionId, owner);
		write(() -> this.redis.execute(OPEN, List.of(), this.namespace, this.instanceId, sessionId, owner));
	}

	@Override
	public void sessionClosed(String sessionId, @Nullable String user) {
		String owner = (user != null) ? user : ANONYMOUS;
		this.localSessions.remove(sessionId);
		write(() -> this.redis.execute(CLOSE, List.of(), this.namespace, this.instanceId, sessionId, owner));
	}

	private void write(Runnable command) {
		ScheduledThreadPoolExecutor current = this.writer;
		if (current == null) {
			// Not started yet or stopped: the next heartbeat's resync records the session.
			return;
		}
		current.execute(() -> {
			if (this.dirty) {
				// Redis was unreachable: the heartbeat's resync will write the whole state.
				return;
			}
			try {
				command.run();
			}
			catch (RuntimeException ex) {
				this.dirty = true;
				reportFailure(ex);
			}
		});
	}

	private void heartbeat() {
		try {
			@SuppressWarnings("unchecked")
			List<Long> beat = this.redis.execute(HEARTBEAT, List.of(), this.namespace, this.instanceId,
					Long.toString(this.instanceTtl.toMillis()), Long.toString(System.currentTimeMillis()));
			boolean existed = beat != null && !beat.isEmpty() && beat.get(0) == 1L;
			long stored = (beat != null && beat.size() > 1) ? beat.get(1) : -1;
			if (this.dirty || !existed || stored != this.localSessions.size()) {
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
		List<String> args = new ArrayList<>(2 + 2 * this.localSessions.size());
		args.add(this.namespace);
		args.add(this.instanceId);
		this.localSessions.forEach((sessionId, user) -> {
			args.add(sessionId);
			args.add(user);
		});
		this.redis.execute(RESYNC, List.of(), args.toArray());
		this.dirty = false;
	}

	private void purgeDeadInstances() {
		List<InstanceInfo> instances = readInstances();
		for (InstanceInfo instance : instances) {
			if (!instance.alive() && !instance.id().equals(this.instanceId)) {
				Long purged = this.redis.execute(PURGE, List.of(), this.namespace, instance.id(), "0");
				if (purged != null && purged >= 0) {
					logger.info("Purged " + purged + " session(s) of dead instance '" + instance.id() + "'");
				}
			}
		}
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
		return read(() -> {
			List<?> flat = this.redis.execute(FIND_USER, List.of(), this.namespace, user);
			Map<String, String> sessions = new TreeMap<>();
			for (int i = 0; flat != null && i + 1 < flat.size(); i += 2) {
				sessions.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
			}
			return sessions;
		});
	}

	@Override
	public CompletableFuture<Optional<String>> findInstanceOfSession(String sessionId) {
		return read(() -> {
			List<?> found = this.redis.execute(FIND_SESSION, List.of(), this.namespace, sessionId);
			return (found == null || found.isEmpty()) ? Optional.empty() : Optional.of(String.valueOf(found.get(0)));
		});
	}

	@Override
	public CompletableFuture<List<InstanceInfo>> findInstances() {
		return read(this::readInstances);
	}

	private List<InstanceInfo> readInstances() {
		List<?> flat = this.redis.execute(FIND_INSTANCES, List.of(), this.namespace);
		List<InstanceInfo> instances = new ArrayList<>();
		for (int i = 0; flat != null && i + 2 < flat.size(); i += 3) {
			instances.add(new InstanceInfo(String.valueOf(flat.get(i)), ((Number) flat.get(i + 1)).longValue() == 1,
					((Number) flat.get(i + 2)).longValue()));
		}
		instances.sort((a, b) -> a.id().compareTo(b.id()));
		return Collections.unmodifiableList(instances);
	}

	private <T> CompletableFuture<T> read(java.util.function.Supplier<T> lookup) {
		ExecutorService current = this.readers;
		if (current == null) {
			return CompletableFuture.failedFuture(new IllegalStateException("Connection registry is not running"));
		}
		try {
			return CompletableFuture.supplyAsync(lookup, current);
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
			CustomizableThreadFactory writerThreads = new CustomizableThreadFactory("hub-registry-");
			writerThreads.setDaemon(true);
			ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, writerThreads);
			executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
			executor.scheduleWithFixedDelay(this::heartbeat, 0, this.heartbeatInterval.toMillis(),
					TimeUnit.MILLISECONDS);
			this.writer = executor;
			CustomizableThreadFactory readerThreads = new CustomizableThreadFactory("hub-registry-lookup-");
			readerThreads.setDaemon(true);
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
			ScheduledThreadPoolExecutor executor = this.writer;
			this.writer = null;
			if (executor != null) {
				// Writes already queued still run, then this instance removes itself.
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
			ExecutorService lookups = this.readers;
			this.readers = null;
			if (lookups != null) {
				// Let queued lookups finish, so no caller waits on a future that never completes.
				lookups.shutdown();
				try {
					if (!lookups.awaitTermination(5, TimeUnit.SECONDS)) {
						lookups.shutdownNow();
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
			this.redis.execute(PURGE, List.of(), this.namespace, this.instanceId, "1");
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

}
