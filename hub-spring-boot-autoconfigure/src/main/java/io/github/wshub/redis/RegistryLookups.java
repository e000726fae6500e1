package io.github.wshub.redis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.wshub.registry.ConnectionRegistry.InstanceInfo;

import org.springframework.dao.DataAccessException;

/**
 * The connection registry's lookups. An entry of the sessions hash or of a user's hash counts
 * only if its instance's heartbeat exists and the instance lists the session, checked with one
 * script per instance (its keys share a slot). An entry that fails the check is ignored and left
 * alone: a close that failed half-way leaves the instance's own entry behind, so the instance's
 * resync (alive) or the purge (dead) removes it; removing it here could race with the instance
 * writing it again.
 *
 * @author wshub
 */
final class RegistryLookups {

	private static final Log logger = LogFactory.getLog(RedisConnectionRegistry.class);

	/** Attempts of one lookup, so that a failover's transient errors do not fail it. */
	static final int ATTEMPTS = 3;

	private static final long RETRY_DELAY_MILLIS = 200;

	private final RegistryScripts scripts;

	RegistryLookups(RegistryScripts scripts) {
		this.scripts = scripts;
	}

	/**
	 * Find a user's sessions on live instances that list them.
	 * @param user the user
	 * @return the instance id of each session, by session id
	 */
	Map<String, String> findSessionsOfUser(String user) {
		Map<String, List<String>> byInstance = new LinkedHashMap<>();
		this.scripts.userEntries(user)
			.forEach((sessionId, instanceId) -> byInstance.computeIfAbsent(instanceId, (key) -> new ArrayList<>())
				.add(sessionId));
		Map<String, String> sessions = new TreeMap<>();
		byInstance.forEach((instanceId, sessionIds) -> {
			boolean[] listed = this.scripts.check(instanceId, sessionIds);
			if (listed == null) {
				return;
			}
			for (int i = 0; i < listed.length; i++) {
				if (listed[i]) {
					sessions.put(sessionIds.get(i), instanceId);
				}
			}
		});
		return sessions;
	}

	/**
	 * Find the live instance of a session, if it lists the session.
	 * @param sessionId the session
	 * @return the instance id, or empty
	 */
	Optional<String> findInstanceOfSession(String sessionId) {
		String instanceId = this.scripts.sessionEntry(sessionId);
		if (instanceId == null) {
			return Optional.empty();
		}
		boolean[] listed = this.scripts.check(instanceId, List.of(sessionId));
		return (listed != null && listed[0]) ? Optional.of(instanceId) : Optional.empty();
	}

	/**
	 * Return every registered instance, dead ones included.
	 * @return the instances, sorted by id
	 */
	List<InstanceInfo> findInstances() {
		List<InstanceInfo> instances = new ArrayList<>();
		for (String id : this.scripts.instanceIds()) {
			RegistryScripts.Heartbeat state = this.scripts.describe(id);
			instances.add(new InstanceInfo(id, state.existed(), Math.max(0, state.storedSessions())));
		}
		instances.sort((a, b) -> a.id().compareTo(b.id()));
		return Collections.unmodifiableList(instances);
	}

	/**
	 * Run a lookup, again after a short pause when Redis fails it, up to {@value #ATTEMPTS}
	 * times: a Redis Cluster failover answers with errors for a few seconds. Each attempt is
	 * bounded by the client's command timeout.
	 * @param <T> the result type
	 * @param lookup the lookup
	 * @return its result
	 * @throws DataAccessException the last failure
	 */
	static <T> T withRetries(Supplier<T> lookup) {
		for (int attempt = 1;; attempt++) {
			try {
				return lookup.get();
			}
			catch (DataAccessException ex) {
				if (attempt >= ATTEMPTS) {
					throw ex;
				}
				if (logger.isDebugEnabled()) {
					logger.debug("Connection registry lookup failed (attempt " + attempt + "); retrying", ex);
				}
				try {
					Thread.sleep(RETRY_DELAY_MILLIS * attempt);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw ex;
				}
			}
		}
	}

}
