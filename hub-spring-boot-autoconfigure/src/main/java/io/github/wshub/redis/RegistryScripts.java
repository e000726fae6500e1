package io.github.wshub.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.github.wshub.registry.ConnectionRegistry.InstanceInfo;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The connection registry's operations on Redis, each one Lua script, so Redis applies each
 * atomically: no client ever sees a session in one hash and not yet in another. Removing a
 * session from the cluster-wide hashes never removes an entry that names another instance, and
 * lookups leave out the sessions of instances whose heartbeat key is gone. The keys are
 * described in {@link RedisNames}; the scripts name them with {@link RedisNames#LUA_FUNCTIONS}.
 * <p>
 * Every call blocks until Redis answers (up to the client's command timeout) and throws when it
 * does not.
 *
 * @author wshub
 */
final class RegistryScripts {

	// Add and remove one session's three entries; removal only where they point at this instance.
	private static final String SESSION_FUNCTIONS = RedisNames.LUA_FUNCTIONS + """
			local function add(ns, iid, sid, user)
			  redis.call('HSET', instance_sessions_key(ns, iid), sid, user)
			  redis.call('HSET', sessions_key(ns), sid, iid)
			  if user ~= '' then redis.call('HSET', user_key(ns, user), sid, iid) end
			end
			local function remove(ns, iid, sid, user)
			  redis.call('HDEL', instance_sessions_key(ns, iid), sid)
			  if redis.call('HGET', sessions_key(ns), sid) == iid then redis.call('HDEL', sessions_key(ns), sid) end
			  if user ~= '' and redis.call('HGET', user_key(ns, user), sid) == iid then
			    redis.call('HDEL', user_key(ns, user), sid)
			  end
			end
			""";

	private static final RedisScript<Long> OPEN = RedisScript.of(SESSION_FUNCTIONS + """
			add(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
			return 1
			""", Long.class);

	private static final RedisScript<Long> CLOSE = RedisScript.of(SESSION_FUNCTIONS + """
			remove(ARGV[1], ARGV[2], ARGV[3], ARGV[4])
			return 1
			""", Long.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> HEARTBEAT = RedisScript.of(RedisNames.LUA_FUNCTIONS + """
			local ns, iid = ARGV[1], ARGV[2]
			local beat = instance_key(ns, iid)
			local existed = redis.call('EXISTS', beat)
			redis.call('SET', beat, ARGV[4], 'PX', ARGV[3])
			redis.call('SADD', instances_key(ns), iid)
			return {existed, redis.call('HLEN', instance_sessions_key(ns, iid))}
			""", List.class);

	private static final RedisScript<Long> RESYNC = RedisScript.of(SESSION_FUNCTIONS + """
			local ns, iid = ARGV[1], ARGV[2]
			local wanted = {}
			for i = 3, #ARGV, 2 do wanted[ARGV[i]] = ARGV[i + 1] end
			local old = redis.call('HGETALL', instance_sessions_key(ns, iid))
			for i = 1, #old, 2 do
			  if wanted[old[i]] == nil then remove(ns, iid, old[i], old[i + 1]) end
			end
			for sid, user in pairs(wanted) do add(ns, iid, sid, user) end
			return 1
			""", Long.class);

	// ARGV[3] = '1' removes the instance unconditionally (it deregisters itself); otherwise only
	// if its heartbeat is gone, checked atomically with the removal.
	private static final RedisScript<Long> PURGE = RedisScript.of(SESSION_FUNCTIONS + """
			local ns, iid = ARGV[1], ARGV[2]
			if ARGV[3] ~= '1' and redis.call('EXISTS', instance_key(ns, iid)) == 1 then return -1 end
			local own = instance_sessions_key(ns, iid)
			local old = redis.call('HGETALL', own)
			for i = 1, #old, 2 do remove(ns, iid, old[i], old[i + 1]) end
			redis.call('DEL', own)
			redis.call('SREM', instances_key(ns), iid)
			if ARGV[3] == '1' then redis.call('DEL', instance_key(ns, iid)) end
			return #old / 2
			""", Long.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> FIND_USER = RedisScript.of(RedisNames.LUA_FUNCTIONS + """
			local ns = ARGV[1]
			local entries = redis.call('HGETALL', user_key(ns, ARGV[2]))
			local alive, result = {}, {}
			for i = 1, #entries, 2 do
			  local iid = entries[i + 1]
			  if alive[iid] == nil then alive[iid] = redis.call('EXISTS', instance_key(ns, iid)) end
			  if alive[iid] == 1 then
			    table.insert(result, entries[i])
			    table.insert(result, iid)
			  end
			end
			return result
			""", List.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> FIND_SESSION = RedisScript.of(RedisNames.LUA_FUNCTIONS + """
			local ns = ARGV[1]
			local iid = redis.call('HGET', sessions_key(ns), ARGV[2])
			if iid and redis.call('EXISTS', instance_key(ns, iid)) == 1 then return {iid} end
			return {}
			""", List.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> FIND_INSTANCES = RedisScript.of(RedisNames.LUA_FUNCTIONS + """
			local ns = ARGV[1]
			local result = {}
			for _, iid in ipairs(redis.call('SMEMBERS', instances_key(ns))) do
			  table.insert(result, iid)
			  table.insert(result, redis.call('EXISTS', instance_key(ns, iid)))
			  table.insert(result, redis.call('HLEN', instance_sessions_key(ns, iid)))
			end
			return result
			""", List.class);

	private final StringRedisTemplate redis;

	private final String namespace;

	RegistryScripts(StringRedisTemplate redis, RedisNames names) {
		this.redis = redis;
		this.namespace = names.namespace();
	}

	/**
	 * Record a session of an instance in the instance's, the cluster's and the user's hash.
	 * @param instanceId the instance
	 * @param sessionId the session
	 * @param user the user, {@code ""} for an anonymous session
	 */
	void open(String instanceId, String sessionId, String user) {
		this.redis.execute(OPEN, List.of(), this.namespace, instanceId, sessionId, user);
	}

	/**
	 * Remove a session of an instance from the three hashes.
	 * @param instanceId the instance
	 * @param sessionId the session
	 * @param user the user, {@code ""} for an anonymous session
	 */
	void close(String instanceId, String sessionId, String user) {
		this.redis.execute(CLOSE, List.of(), this.namespace, instanceId, sessionId, user);
	}

	/**
	 * Refresh an instance's heartbeat key and its entry in the instance set.
	 * @param instanceId the instance
	 * @param ttl the heartbeat key's time to live
	 * @return whether the heartbeat key existed before, and how many sessions are stored
	 */
	Heartbeat heartbeat(String instanceId, Duration ttl) {
		@SuppressWarnings("unchecked")
		List<Long> beat = this.redis.execute(HEARTBEAT, List.of(), this.namespace, instanceId,
				Long.toString(ttl.toMillis()), Long.toString(System.currentTimeMillis()));
		boolean existed = beat != null && !beat.isEmpty() && beat.get(0) == 1L;
		long stored = (beat != null && beat.size() > 1) ? beat.get(1) : -1;
		return new Heartbeat(existed, stored);
	}

	/**
	 * Make Redis hold exactly the given sessions for an instance: remove the stored ones it no
	 * longer has and write all of them again.
	 * @param instanceId the instance
	 * @param sessions the user ({@code ""} when anonymous) of every session, by session id
	 */
	void resync(String instanceId, Map<String, String> sessions) {
		List<String> args = new ArrayList<>(2 + 2 * sessions.size());
		args.add(this.namespace);
		args.add(instanceId);
		sessions.forEach((sessionId, user) -> {
			args.add(sessionId);
			args.add(user);
		});
		this.redis.execute(RESYNC, List.of(), args.toArray());
	}

	/**
	 * Remove an instance with all its sessions.
	 * @param instanceId the instance
	 * @param deregister {@code true} when the instance removes itself; otherwise it is removed
	 * only if its heartbeat key is gone
	 * @return how many sessions were removed, or {@code -1} if the instance is alive
	 */
	long purge(String instanceId, boolean deregister) {
		Long purged = this.redis.execute(PURGE, List.of(), this.namespace, instanceId, deregister ? "1" : "0");
		return (purged != null) ? purged : -1;
	}

	/**
	 * Find a user's sessions on live instances.
	 * @param user the user
	 * @return the instance id of each session, by session id
	 */
	Map<String, String> findSessionsOfUser(String user) {
		List<?> flat = this.redis.execute(FIND_USER, List.of(), this.namespace, user);
		Map<String, String> sessions = new TreeMap<>();
		for (int i = 0; flat != null && i + 1 < flat.size(); i += 2) {
			sessions.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
		}
		return sessions;
	}

	/**
	 * Find the live instance of a session.
	 * @param sessionId the session
	 * @return the instance id, or empty
	 */
	Optional<String> findInstanceOfSession(String sessionId) {
		List<?> found = this.redis.execute(FIND_SESSION, List.of(), this.namespace, sessionId);
		return (found == null || found.isEmpty()) ? Optional.empty() : Optional.of(String.valueOf(found.get(0)));
	}

	/**
	 * Return every registered instance, dead ones included.
	 * @return the instances, sorted by id
	 */
	List<InstanceInfo> findInstances() {
		List<?> flat = this.redis.execute(FIND_INSTANCES, List.of(), this.namespace);
		List<InstanceInfo> instances = new ArrayList<>();
		for (int i = 0; flat != null && i + 2 < flat.size(); i += 3) {
			instances.add(new InstanceInfo(String.valueOf(flat.get(i)), ((Number) flat.get(i + 1)).longValue() == 1,
					((Number) flat.get(i + 2)).longValue()));
		}
		instances.sort((a, b) -> a.id().compareTo(b.id()));
		return Collections.unmodifiableList(instances);
	}

	/**
	 * The answer to a heartbeat.
	 *
	 * @param existed whether the heartbeat key existed before this beat
	 * @param storedSessions how many sessions Redis holds for the instance
	 */
	record Heartbeat(boolean existed, long storedSessions) {
	}

}
