package io.github.wshub.session;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.util.Assert;

/**
 * The anonymous sessions of this instance by client address, so that one client cannot take
 * the instance's sessions when sessions need no user
 * ({@code hub.limits.max-anonymous-sessions-per-address}).
 * Admission is atomic per address, as it is per user in {@link LocalSessions}: an
 * address's set changes under its {@link ConcurrentHashMap} bin lock, so concurrent handshakes
 * cannot exceed the limit, and an address without sessions holds no entry.
 *
 * @author wshub
 */
final class AnonymousSessions {

	private final Map<String, Set<HubSession>> byAddress = new ConcurrentHashMap<>();

	private final int maxPerAddress;

	AnonymousSessions(int maxPerAddress) {
		Assert.isTrue(maxPerAddress > 0, "'maxPerAddress' must be positive");
		this.maxPerAddress = maxPerAddress;
	}

	boolean isFull(String address) {
		Set<HubSession> owned = this.byAddress.get(address);
		return owned != null && owned.size() >= this.maxPerAddress;
	}

	boolean admit(String address, HubSession session) {
		boolean[] admitted = new boolean[1];
		this.byAddress.compute(address, (key, owned) -> {
			Set<HubSession> result = (owned != null) ? owned : ConcurrentHashMap.newKeySet();
			if (result.size() < this.maxPerAddress) {
				result.add(session);
				admitted[0] = true;
			}
			return result.isEmpty() ? null : result;
		});
		return admitted[0];
	}

	void release(String address, HubSession session) {
		this.byAddress.computeIfPresent(address, (key, owned) -> {
			owned.remove(session);
			return owned.isEmpty() ? null : owned;
		});
	}

}
