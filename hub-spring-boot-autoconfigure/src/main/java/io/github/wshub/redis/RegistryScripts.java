package io.github.wshub.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The connection registry's commands on Redis. Every command and every Lua script touches the
 * keys of one hash slot only, so that they run on Redis Cluster as on a single Redis: the keys of
 * an instance share the instance's hash tag, a user's hash has the user's tag, and the instances
 * set and the sessions hash are keys of their own. The names are {@link RedisNames}'.
 * <p>
 * An operation that spans slots (a session is recorded in its instance's hash, in the sessions
 * hash and in its user's hash) is a sequence of single-slot steps in a fixed order, chosen so
 * that an entry in the sessions or a user hash always has its instance's entry behind it: the
 * instance's hash is written first when a session opens and cleaned last when it closes. A step
 * that fails leaves the rest to the writer's resync ({@link RedisConnectionRegistry}); lookups
 * check every entry against its instance's hash and heartbeat, so a half-done operation is
 * never routed to.
 * <p>
 * Removing an entry from the sessions or a user hash never removes one that names another
 * instance ({@code HGET} and {@code HDEL} in one script). Every call blocks until Redis answers
 * (up to the client's command timeout) and throws when it does not.
 *
 * @author wshub
 */
final class RegistryScripts {

	/** Most fields one command or script call carries. */
	private static final int BATCH = 500;

	// KEYS: heartbeat, instance sessions, purging. ARGV: ttl millis, now millis.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> HEARTBEAT = RedisScript.of("""
			local existed = redis.call('EXISTS', KEYS[1])
			redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
			return {existed, redis.call('HLEN', KEYS[2]), redis.call('EXISTS', KEYS[3])}
			""", List.class);

	// KEYS: instance sessions. ARGV: session id, user pairs. The hash becomes exactly these.
	private static final RedisScript<Long> REPLACE = RedisScript.of("""
			redis.call('DEL', KEYS[1])
			for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
			return #ARGV / 2
			""", Long.class);

	// KEYS: sessions or a user hash. ARGV: instance id, session ids. Removes only fields that
	// still name that instance.
	private static final RedisScript<Long> UNINDEX = RedisScript.of("""
			local removed = 0
			for i = 2, #ARGV do
			  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then
			    removed = removed + redis.call('HDEL', KEYS[1], ARGV[i])
			  end
			end
			return removed
			""", Long.class);

	// KEYS: heartbeat, instance sessions, purging. ARGV: '1' to deregister (else only when the
	// heartbeat is gone), purging key TTL millis. Moves the sessions to the purging hash, which
	// outlives a purger that dies half-way and tells the instance, should it come back, that a
	// purge is running. Returns {1, session id, user, ...}, or {0} when the instance is alive.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> PURGE_BEGIN = RedisScript.of("""
			if ARGV[1] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return {0} end
			if ARGV[1] == '1' then redis.call('DEL', KEYS[1]) end
			local sessions = redis.call('HGETALL', KEYS[2])
			for i = 1, #sessions, 2 do redis.call('HSET', KEYS[3], sessions[i], sessions[i + 1]) end
			redis.call('DEL', KEYS[2])
			local result = {1}
			if redis.call('EXISTS', KEYS[3]) == 1 then
			  redis.call('PEXPIRE', KEYS[3], ARGV[2])
			  for _, value in ipairs(redis.call('HGETALL', KEYS[3])) do table.insert(result, value) end
			end
			return result
			""", List.class);

	// KEYS: heartbeat, instance sessions. ARGV: session ids. Returns {alive, listed...}: whether
	// the heartbeat exists and, if so, whether the instance lists each session.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> CHECK = RedisScript.of("""
			if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
			local result = {1}
			for i = 1, #ARGV do table.insert(result, redis.call('HEXISTS', KEYS[2], ARGV[i])) end
			return result
			""", List.class);

	// KEYS: heartbeat, instance sessions. Returns {alive, session count}.
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> DESCRIBE = RedisScript.of("""
			return {redis.call('EXISTS', KEYS[1]), redis.call('HLEN', KEYS[2])}
			""", List.class);

	private final StringRedisTemplate redis;

	private final RedisNames names;

	RegistryScripts(StringRedisTemplate redis, RedisNames names) {
		this.redis = redis;
		this.names = names;
	}

	/**
	 * Record sessions of an instance, in one command per hash (per {@value #BATCH} sessions):
	 * the instance's hash first, then the sessions hash, then the hashes of the users (anonymous
	 * sessions have none).
	 * @param instanceId the instance
	 * @param sessions the sessions' users by session id, {@code ""} for an anonymous session
	 */
	void open(String instanceId, Map<String, String> sessions) {
		List<Map.Entry<String, String>> entries = new ArrayList<>(sessions.entrySet());
		for (int from = 0; from < entries.size(); from += BATCH) {
			List<Map.Entry<String, String>> chunk = entries.subList(from, Math.min(entries.size(), from + BATCH));
			Map<String, String> owners = new LinkedHashMap<>();
			Map<String, String> located = new LinkedHashMap<>();
			Map<String, Map<String, String>> byUser = new LinkedHashMap<>();
			for (Map.Entry<String, String> entry : chunk) {
				owners.put(entry.getKey(), entry.getValue());
				located.put(entry.getKey(), instanceId);
				if (!entry.getValue().isEmpty()) {
					byUser.computeIfAbsent(entry.getValue(), (user) -> new LinkedHashMap<>())
						.put(entry.getKey(), instanceId);
				}
			}
			this.redis.opsForHash().putAll(this.names.instanceSessionsKey(instanceId), owners);
			this.redis.opsForHash().putAll(this.names.sessionsKey(), located);
			byUser.forEach((user, userSessions) -> this.redis.opsForHash().putAll(this.names.userKey(user),
					userSessions));
		}
	}

	/**
	 * Remove sessions of an instance: from the users' hashes and the sessions hash where they
	 * still name the instance, then (last) from the instance's hash.
	 * @param instanceId the instance
	 * @param sessions the sessions' users by session id, {@code ""} for an anonymous session
	 */
	void close(String instanceId, Map<String, String> sessions) {
		unindex(instanceId, sessions);
		List<String> sessionIds = new ArrayList<>(sessions.keySet());
		for (int from = 0; from < sessionIds.size(); from += BATCH) {
			this.redis.opsForHash()
				.delete(this.names.instanceSessionsKey(instanceId),
						sessionIds.subList(from, Math.min(sessionIds.size(), from + BATCH)).toArray());
		}
	}

	/**
	 * Refresh an instance's heartbeat key, then add the instance to the instances set.
	 * @param instanceId the instance
	 * @param ttl the heartbeat key's time to live
	 * @return whether the heartbeat key existed, how many sessions are stored, and whether a
	 * purge of the instance is under way
	 */
	Heartbeat heartbeat(String instanceId, Duration ttl) {
		// Heartbeat first, then the set: an instance in the set has a heartbeat or had one, so a
		// purger never takes a starting instance for a dead one (see endPurge).
		List<?> beat = this.redis.execute(HEARTBEAT, instanceKeys(instanceId), Long.toString(ttl.toMillis()),
				Long.toString(System.currentTimeMillis()));
		this.redis.opsForSet().add(this.names.instancesKey(), instanceId);
		return new Heartbeat(number(beat, 0) == 1, number(beat, 1), number(beat, 2) == 1);
	}

	/**
	 * Make Redis hold exactly the given sessions for an instance, in every hash: remove the
	 * index entries of stored sessions it no longer has, replace its own hash, then write the
	 * index entries of all of them again.
	 * @param instanceId the instance
	 * @param sessions the user ({@code ""} when anonymous) of every session, by session id
	 */
	void resync(String instanceId, Map<String, String> sessions) {
		Map<String, String> gone = new LinkedHashMap<>();
		this.redis.<String, String>opsForHash().entries(this.names.instanceSessionsKey(instanceId))
			.forEach((sessionId, user) -> {
				if (!sessions.containsKey(sessionId)) {
					gone.put(sessionId, user);
				}
			});
		unindex(instanceId, gone);
		List<String> pairs = new ArrayList<>(2 * sessions.size());
		sessions.forEach((sessionId, user) -> {
			pairs.add(sessionId);
			pairs.add(user);
		});
		this.redis.execute(REPLACE, List.of(this.names.instanceSessionsKey(instanceId)), pairs.toArray());
		index(instanceId, sessions);
	}

	private void index(String instanceId, Map<String, String> sessions) {
		Map<String, Map<String, String>> byKey = new LinkedHashMap<>();
		sessions.forEach((sessionId, user) -> {
			byKey.computeIfAbsent(this.names.sessionsKey(), (key) -> new LinkedHashMap<>()).put(sessionId, instanceId);
			if (!user.isEmpty()) {
				byKey.computeIfAbsent(this.names.userKey(user), (key) -> new LinkedHashMap<>())
					.put(sessionId, instanceId);
			}
		});
		byKey.forEach((key, fields) -> {
			Map<String, String> batch = new LinkedHashMap<>();
			for (Map.Entry<String, String> field : fields.entrySet()) {
				batch.put(field.getKey(), field.getValue());
				if (batch.size() == BATCH) {
					this.redis.opsForHash().putAll(key, batch);
					batch.clear();
				}
			}
			if (!batch.isEmpty()) {
				this.redis.opsForHash().putAll(key, batch);
			}
		});
	}

	/**
	 * Remove sessions of an instance from the users' hashes and the sessions hash, where the
	 * entries still name that instance.
	 * @param instanceId the instance
	 * @param sessions the user ({@code ""} when anonymous) of every session, by session id
	 */
	void unindex(String instanceId, Map<String, String> sessions) {
		Map<String, List<String>> byKey = new LinkedHashMap<>();
		sessions.forEach((sessionId, user) -> {
			if (!user.isEmpty()) {
				byKey.computeIfAbsent(this.names.userKey(user), (key) -> new ArrayList<>()).add(sessionId);
			}
		});
		if (!sessions.isEmpty()) {
			byKey.put(this.names.sessionsKey(), new ArrayList<>(sessions.keySet()));
		}
		byKey.forEach((key, sessionIds) -> unindex(key, instanceId, sessionIds));
	}

	private void unindex(String key, String instanceId, List<String> sessionIds) {
		for (int from = 0; from < sessionIds.size(); from += BATCH) {
			List<String> args = new ArrayList<>(BATCH + 1);
			args.add(instanceId);
			args.addAll(sessionIds.subList(from, Math.min(sessionIds.size(), from + BATCH)));
			this.redis.execute(UNINDEX, List.of(key), args.toArray());
		}
	}

	/**
	 * Start purging an instance: atomically, and unless it deregisters only if its heartbeat is
	 * gone, move its sessions to its purging hash (which expires after {@code ttl}).
	 * @param instanceId the instance
	 * @param deregister {@code true} when the instance removes itself
	 * @param ttl the purging hash's time to live
	 * @return the sessions to remove from the other hashes (user by session id), or {@code null}
	 * when the instance is alive
	 */
	@Nullable Map<String, String> beginPurge(String instanceId, boolean deregister, Duration ttl) {
		List<String> keys = new ArrayList<>(instanceKeys(instanceId));
		List<?> reply = this.redis.execute(PURGE_BEGIN, keys, deregister ? "1" : "0",
				Long.toString(ttl.toMillis()));
		if (number(reply, 0) != 1) {
			return null;
		}
		Map<String, String> sessions = new LinkedHashMap<>();
		for (int i = 1; i + 1 < reply.size(); i += 2) {
			sessions.put(String.valueOf(reply.get(i)), String.valueOf(reply.get(i + 1)));
		}
		return sessions;
	}

	/**
	 * Finish purging an instance: delete its purging hash and remove it from the instances set,
	 * unless it came back meanwhile. The set and the heartbeat are in different slots, so the
	 * check follows the removal: an instance that beat before the check is added back here, one
	 * that beats after it adds itself back (it sets its heartbeat before the set). Either way a
	 * live instance stays in the set, where purgers find it once it dies.
	 * @param instanceId the instance
	 */
	void endPurge(String instanceId) {
		this.redis.delete(this.names.purgingKey(instanceId));
		this.redis.opsForSet().remove(this.names.instancesKey(), instanceId);
		if (Boolean.TRUE.equals(this.redis.hasKey(this.names.heartbeatKey(instanceId)))) {
			this.redis.opsForSet().add(this.names.instancesKey(), instanceId);
		}
	}

	/**
	 * Return the entries of a user's hash.
	 * @param user the user
	 * @return the instance id of each session, by session id, unchecked
	 */
	Map<String, String> userEntries(String user) {
		return this.redis.<String, String>opsForHash().entries(this.names.userKey(user));
	}

	/**
	 * Return the instance the sessions hash names for a session.
	 * @param sessionId the session
	 * @return the instance id, unchecked, or {@code null}
	 */
	@Nullable String sessionEntry(String sessionId) {
		return this.redis.<String, String>opsForHash().get(this.names.sessionsKey(), sessionId);
	}

	/**
	 * Check sessions against their instance: alive, and listing them.
	 * @param instanceId the instance
	 * @param sessionIds the sessions
	 * @return for each session, whether the instance is alive and lists it; {@code null} when
	 * the instance is dead
	 */
	boolean @Nullable [] check(String instanceId, List<String> sessionIds) {
		List<?> reply = this.redis.execute(CHECK, instanceKeys(instanceId).subList(0, 2), sessionIds.toArray());
		if (number(reply, 0) != 1) {
			return null;
		}
		boolean[] listed = new boolean[sessionIds.size()];
		for (int i = 0; i < listed.length; i++) {
			listed[i] = number(reply, i + 1) == 1;
		}
		return listed;
	}

	/**
	 * Return the ids in the instances set.
	 * @return the ids, unsorted
	 */
	List<String> instanceIds() {
		Set<String> members = this.redis.opsForSet().members(this.names.instancesKey());
		return (members != null) ? new ArrayList<>(members) : List.of();
	}

	/**
	 * Describe one instance.
	 * @param instanceId the instance
	 * @return whether its heartbeat exists, and how many sessions it lists
	 */
	Heartbeat describe(String instanceId) {
		List<?> reply = this.redis.execute(DESCRIBE, instanceKeys(instanceId).subList(0, 2));
		return new Heartbeat(number(reply, 0) == 1, number(reply, 1), false);
	}

	private List<String> instanceKeys(String instanceId) {
		return List.of(this.names.heartbeatKey(instanceId), this.names.instanceSessionsKey(instanceId),
				this.names.purgingKey(instanceId));
	}

	private static long number(@Nullable List<?> reply, int index) {
		return (reply != null && reply.size() > index && reply.get(index) instanceof Number value)
				? value.longValue() : -1;
	}

	/**
	 * An instance's state in Redis.
	 *
	 * @param existed whether its heartbeat key exists (existed, for a beat)
	 * @param storedSessions how many sessions Redis lists for the instance
	 * @param purging whether a purge of the instance is under way
	 */
	record Heartbeat(boolean existed, long storedSessions, boolean purging) {
	}

}
