package io.github.wshub.actuate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import io.github.wshub.broker.TopicBroker;
import io.github.wshub.HubTemplate;
import io.github.wshub.session.SendResult;
import io.github.wshub.registry.ConnectionRegistry;
import io.github.wshub.registry.ConnectionRegistry.InstanceInfo;
import io.github.wshub.session.HubSession;
import io.github.wshub.session.LocalSessions;
import io.github.wshub.session.LocalTopicRegistry;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@link Endpoint @Endpoint} exposing the hub's state on this instance:
 * <ul>
 * <li>{@code GET /actuator/hub}: a summary ({@link HubDescriptor});</li>
 * <li>{@code GET /actuator/hub/topics} and {@code /actuator/hub/topics/{topic}}: each topic's
 * local refcount and whether this instance holds its broker subscription;</li>
 * <li>{@code GET /actuator/hub/sessions} and {@code /actuator/hub/sessions/{id}}: local
 * sessions;</li>
 * <li>{@code GET /actuator/hub/instances}: every instance in the cluster, from the connection
 * registry;</li>
 * <li>{@code GET /actuator/hub/users/{user}}: which instance holds which session of a user,
 * cluster-wide;</li>
 * <li>{@code DELETE /actuator/hub/sessions/{id}} and {@code /actuator/hub/users/{user}}: close a
 * session, or a user's sessions, cluster-wide, with 4501 (disconnected). Write access is off by
 * default; enable it with {@code management.endpoint.hub.access=unrestricted}.</li>
 * </ul>
 * Listings hold at most {@value #MAX_LISTED} entries and say when they were cut.
 *
 * @author wshub
 */
@Endpoint(id = "hub", defaultAccess = Access.READ_ONLY)
public class HubEndpoint {

	/**
	 * Most entries in one listing.
	 */
	public static final int MAX_LISTED = 1000;

	private final LocalSessions sessions;

	private final LocalTopicRegistry registry;

	private final TopicBroker broker;

	private final ConnectionRegistry connections;

	private final HubTemplate template;

	/**
	 * Create an endpoint.
	 * @param sessions this instance's sessions
	 * @param registry the local topic registry
	 * @param broker the broker
	 * @param connections the cluster-wide connection registry
	 * @param template the template, for cluster-wide disconnects
	 */
	public HubEndpoint(LocalSessions sessions, LocalTopicRegistry registry, TopicBroker broker,
			ConnectionRegistry connections, HubTemplate template) {
		this.sessions = sessions;
		this.registry = registry;
		this.broker = broker;
		this.connections = connections;
		this.template = template;
	}

	/**
	 * Summary of the hub on this instance.
	 * @return the summary
	 */
	@ReadOperation
	public HubDescriptor hub() {
		return new HubDescriptor(this.sessions.getInstanceId(),
				this.sessions.getState().name().toLowerCase(java.util.Locale.ROOT), this.sessions.getSessionCount(),
				this.sessions.getUserCount(), this.registry.topicCount(), this.broker.subscribedTopics().size(),
				brokerDescriptor(), liveInstances());
	}

	private @Nullable Integer liveInstances() {
		try {
			return (int) await(this.connections.findInstances()).stream().filter(InstanceInfo::alive).count();
		}
		catch (IllegalStateException ex) {
			// The registry is unreachable (Redis down): the summary still answers.
			return null;
		}
	}

	/**
	 * A listing: {@code topics}, {@code sessions} or {@code instances}.
	 * @param section the listing
	 * @return the listing, or {@code null} (404) for an unknown one
	 */
	@ReadOperation
	public @Nullable Object section(@Selector String section) {
		return switch (section) {
			case "topics" -> topics();
			case "sessions" -> sessions();
			case "instances" -> new InstancesDescriptor(await(this.connections.findInstances()));
			default -> null;
		};
	}

	/**
	 * One entry: {@code topics/{topic}}, {@code sessions/{id}} or {@code users/{user}}.
	 * @param section the kind of entry
	 * @param name the topic or session id
	 * @return the entry, or {@code null} (404) when there is none
	 */
	@ReadOperation
	public @Nullable Object entry(@Selector String section, @Selector String name) {
		return switch (section) {
			case "topics" -> topic(name);
			case "sessions" -> {
				HubSession session = this.sessions.getSession(name);
				yield (session != null) ? SessionDescriptor.of(session) : null;
			}
			case "users" -> {
				Map<String, String> sessions = await(this.connections.findSessionsOfUser(name));
				yield sessions.isEmpty() ? null : new UserDescriptor(name, sessions);
			}
			default -> null;
		};
	}

	/**
	 * Close a session ({@code sessions/{id}}) or every session of a user ({@code users/{user}}),
	 * on whichever instances they are connected to, with close code 4501.
	 * @param section {@code sessions} or {@code users}
	 * @param name the session id or user name
	 * @return what was closed, or {@code null} (404) when nothing matched
	 */
	@DeleteOperation
	public @Nullable SendResult disconnect(@Selector String section, @Selector String name) {
		SendResult result = switch (section) {
			case "sessions" -> await(this.template.disconnectSession(name));
			case "users" -> await(this.template.disconnectUser(name));
			default -> SendResult.NONE;
		};
		return result.isDelivered() ? result : null;
	}

	private static <T> T await(CompletableFuture<T> future) {
		try {
			return future.get(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Connection registry lookup failed: " + ex.getMessage(), ex);
		}
	}

	private TopicsDescriptor topics() {
		Map<String, Integer> refCounts = this.registry.refCounts();
		Set<String> held = this.broker.subscribedTopics();
		Set<String> all = new TreeSet<>(refCounts.keySet());
		all.addAll(held);
		List<TopicDescriptor> topics = new ArrayList<>();
		for (String topic : all) {
			if (topics.size() == MAX_LISTED) {
				break;
			}
			topics.add(new TopicDescriptor(topic, refCounts.getOrDefault(topic, 0), held.contains(topic)));
		}
		return new TopicsDescriptor(all.size(), all.size() > MAX_LISTED, topics);
	}

	private @Nullable TopicDescriptor topic(String topic) {
		int refCount = this.registry.refCount(topic);
		boolean held = this.broker.subscribedTopics().contains(topic);
		return (refCount > 0 || held) ? new TopicDescriptor(topic, refCount, held) : null;
	}

	private SessionsDescriptor sessions() {
		List<HubSession> sessions = new ArrayList<>(this.sessions.getSessions());
		sessions.sort(Comparator.comparing(HubSession::getId));
		List<SessionDescriptor> listed = sessions.stream().limit(MAX_LISTED).map(SessionDescriptor::of).toList();
		return new SessionsDescriptor(sessions.size(), sessions.size() > MAX_LISTED, listed);
	}

	private BrokerDescriptor brokerDescriptor() {
		return new BrokerDescriptor(this.broker.getType(), this.broker.isConnected(),
				this.broker.subscriptionsPerNode());
	}

	/**
	 * Summary of the hub on this instance.
	 *
	 * @param instance the instance id
	 * @param state {@code starting}, {@code running}, {@code draining} or {@code stopped}
	 * @param sessions open sessions
	 * @param users distinct users with an open session
	 * @param topics topics with at least one local subscriber
	 * @param brokerSubscriptions topic subscriptions held in the broker (Redis channels)
	 * @param broker the broker's type and connection state
	 * @param liveInstances instances in the cluster whose heartbeat is current, or {@code null}
	 * when the connection registry cannot be reached
	 */
	public record HubDescriptor(String instance, String state, int sessions, int users, int topics,
			int brokerSubscriptions, BrokerDescriptor broker, @Nullable Integer liveInstances) {
	}

	/**
	 * The broker.
	 *
	 * @param type the broker's type: {@code redis}, {@code memory}, or what a custom broker says
	 * @param connected whether it can deliver messages now
	 * @param subscriptionsPerNode with sharded Pub/Sub on a Redis Cluster, how many topic
	 * subscriptions this instance holds on each master ({@code host:port}; channels being moved
	 * to a new owner count under {@code resubscribing}); empty otherwise
	 */
	public record BrokerDescriptor(String type, boolean connected, Map<String, Integer> subscriptionsPerNode) {
	}

	/**
	 * Topics with local subscribers or a broker subscription.
	 *
	 * @param total how many topics there are
	 * @param truncated whether the list was cut at {@value HubEndpoint#MAX_LISTED} entries
	 * @param topics the topics, sorted by name
	 */
	public record TopicsDescriptor(int total, boolean truncated, List<TopicDescriptor> topics) {
	}

	/**
	 * One topic on this instance. Outside the unsubscribe grace period, {@code brokerSubscribed}
	 * is {@code true} exactly when {@code localSubscribers > 0}.
	 *
	 * @param topic the topic
	 * @param localSubscribers local sessions subscribed (the refcount)
	 * @param brokerSubscribed whether this instance holds the topic's broker subscription
	 */
	public record TopicDescriptor(String topic, int localSubscribers, boolean brokerSubscribed) {
	}

	/**
	 * Local sessions.
	 *
	 * @param total how many sessions there are
	 * @param truncated whether the list was cut at {@value HubEndpoint#MAX_LISTED} entries
	 * @param sessions the sessions, sorted by id
	 */
	public record SessionsDescriptor(int total, boolean truncated, List<SessionDescriptor> sessions) {
	}

	/**
	 * One local session.
	 *
	 * @param id the session id
	 * @param user the user, or {@code null} when anonymous
	 * @param topics how many topics it is subscribed to
	 * @param bufferedBytes bytes queued for it and not yet written
	 */
	public record SessionDescriptor(String id, @Nullable String user, int topics, int bufferedBytes) {

		static SessionDescriptor of(HubSession session) {
			return new SessionDescriptor(session.getId(), session.getUser(), session.getTopics().size(),
					session.getBufferedBytes());
		}

	}

	/**
	 * Every instance the connection registry knows.
	 *
	 * @param instances the instances, sorted by id
	 */
	public record InstancesDescriptor(List<InstanceInfo> instances) {
	}

	/**
	 * Where a user is connected.
	 *
	 * @param user the user
	 * @param sessions the instance id of each session, by session id
	 */
	public record UserDescriptor(String user, Map<String, String> sessions) {
	}

}
