package io.github.wshub.redis;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * How the broker's subscriptions reach Redis: classic Pub/Sub through the listener container
 * ({@link ContainerSubscriptions}) or sharded Pub/Sub on a Redis Cluster
 * ({@link ShardedSubscriptions}). Everything else of the broker (wanted and held state, the
 * subscription thread, the probe, the publish fence, history) is the same for both.
 * <p>
 * Only the subscription thread ({@link SubscriptionReconciler}) calls {@link #subscribe},
 * {@link #unsubscribe}, {@link #maintain} and {@link #unsubscribeAll}, one call at a time; they
 * may block until Redis answers. The other methods may be called from any thread.
 *
 * @author wshub
 */
interface SubscriptionTransport {

	/**
	 * Subscribe channels and wait until Redis confirmed them. Subscribing a channel that is
	 * already subscribed is harmless.
	 * @param channels the channels
	 * @throws RuntimeException if Redis did not confirm every channel
	 */
	void subscribe(List<String> channels);

	/**
	 * Unsubscribe channels.
	 * @param channels the channels
	 * @throws RuntimeException if Redis did not confirm it; Redis may still hold them
	 */
	void unsubscribe(List<String> channels);

	/**
	 * Subscribe every channel again after a lost connection or a recovery, on whichever node
	 * owns it now.
	 * @param channels every channel the broker holds, its control channel included
	 * @throws RuntimeException if Redis did not confirm every channel
	 */
	default void resubscribe(List<String> channels) {
		subscribe(channels);
	}

	/**
	 * Check and repair the subscriptions on the subscription thread, between batches: called
	 * at least every 200 ms, cheap when there is nothing to do.
	 */
	default void maintain() {
	}

	/**
	 * Drop every subscription, when the broker stops.
	 */
	void unsubscribeAll();

	/**
	 * Return where the liveness probe pings: one channel per Redis node the broker is
	 * subscribed on, each subscribed by this instance.
	 * @return the probe's targets
	 */
	List<ProbeTarget> probeTargets();

	/**
	 * Return how many topic channels are subscribed on each Redis node.
	 * @return counts by node ({@code host:port}), empty when there is only one node to tell of
	 */
	default Map<String, Integer> subscriptionsPerNode() {
		return Map.of();
	}

	/**
	 * Say why subscriptions cannot work right now.
	 * @return the reason, or {@code null}
	 */
	@Nullable String getProblem();

	/**
	 * A channel the probe pings, subscribed by this instance.
	 *
	 * @param node the Redis node it reaches, as named in health details
	 * @param channel the channel
	 */
	record ProbeTarget(String node, byte[] channel) {
	}

}
