package io.github.wshub.memory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import io.github.wshub.registry.ConnectionRegistry;

/**
 * {@link ConnectionRegistry} of a single instance without Redis: it knows only its own
 * sessions.
 *
 * @author wshub
 */
public class InMemoryConnectionRegistry implements ConnectionRegistry {

	private static final String ANONYMOUS = "";

	private final String instanceId;

	private final Map<String, String> users = new ConcurrentHashMap<>();

	/**
	 * Create a registry.
	 * @param instanceId this instance's id
	 */
	public InMemoryConnectionRegistry(String instanceId) {
		this.instanceId = instanceId;
	}

	@Override
	public void sessionOpened(String sessionId, @Nullable String user) {
		this.users.put(sessionId, (user != null) ? user : ANONYMOUS);
	}

	@Override
	public void sessionClosed(String sessionId, @Nullable String user) {
		this.users.remove(sessionId);
	}

	@Override
	public CompletableFuture<Map<String, String>> findSessionsOfUser(String user) {
		Map<String, String> sessions = new TreeMap<>();
		this.users.forEach((sessionId, owner) -> {
			if (owner.equals(user)) {
				sessions.put(sessionId, this.instanceId);
			}
		});
		return CompletableFuture.completedFuture(sessions);
	}

	@Override
	public CompletableFuture<Optional<String>> findInstanceOfSession(String sessionId) {
		return CompletableFuture.completedFuture(
				this.users.containsKey(sessionId) ? Optional.of(this.instanceId) : Optional.empty());
	}

	@Override
	public CompletableFuture<List<InstanceInfo>> findInstances() {
		return CompletableFuture.completedFuture(List.of(new InstanceInfo(this.instanceId, true, this.users.size())));
	}

}
