package io.github.wshub.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * Cluster-wide directory of which session, and which user, is connected to which instance.
 * Writes are asynchronous and never block the caller (they are made when sessions open and
 * close, on WebSocket threads); lookups return futures. Lookups only report sessions of
 * instances that are alive.
 *
 * @author wshub
 * @see io.github.wshub.redis.RedisConnectionRegistry
 * @see InMemoryConnectionRegistry
 */
public interface ConnectionRegistry {

	/**
	 * Record that a session opened on this instance. Must not block.
	 * @param sessionId the session id
	 * @param user the user, or {@code null} for an anonymous session
	 */
	void sessionOpened(String sessionId, @Nullable String user);

	/**
	 * Record that a session of this instance closed. Must not block.
	 * @param sessionId the session id
	 * @param user the user, or {@code null} for an anonymous session
	 */
	void sessionClosed(String sessionId, @Nullable String user);

	/**
	 * Find the sessions of a user on every live instance.
	 * @param user the user
	 * @return the instance id of each session, by session id; empty when the user is offline
	 */
	CompletableFuture<Map<String, String>> findSessionsOfUser(String user);

	/**
	 * Find the live instance a session is connected to.
	 * @param sessionId the session id
	 * @return the instance id, or empty when the session is unknown or its instance is gone
	 */
	CompletableFuture<Optional<String>> findInstanceOfSession(String sessionId);

	/**
	 * Return the instances known to the registry.
	 * @return the instances, sorted by id
	 */
	CompletableFuture<List<InstanceInfo>> findInstances();

	/**
	 * An instance as the registry sees it.
	 *
	 * @param id the instance id
	 * @param alive whether its heartbeat is current
	 * @param sessions how many sessions it has registered
	 */
	record InstanceInfo(String id, boolean alive, long sessions) {
	}

}
