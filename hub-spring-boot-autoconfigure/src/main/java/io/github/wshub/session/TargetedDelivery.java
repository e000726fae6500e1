package io.github.wshub.session;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.broker.ControlMessageListener;
import io.github.wshub.dispatch.DispatchLanes;
import io.github.wshub.broker.TopicBroker;
import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.registry.ConnectionRegistry;

/**
 * Delivers to one user or one session wherever it is connected: looks the target up in the
 * {@link ConnectionRegistry}, then sends one control message to each instance holding a target
 * session (its own sessions are served directly). Receiving instances hand the frame to the
 * named sessions, or close them.
 * <p>
 * Control messages travel on each instance's control channel. Payload: one header line
 * {@code wshub-ctl1 <command> <session-id>[,<session-id>...]}, a {@code \n}, then for
 * {@code deliver} the encoded frame; {@code disconnect} has no body.
 *
 * @author wshub
 */
public class TargetedDelivery implements ControlMessageListener {

	private static final Log logger = LogFactory.getLog(TargetedDelivery.class);

	private static final String MAGIC = "wshub-ctl1 ";

	private static final String DELIVER = "deliver";

	private static final String DISCONNECT = "disconnect";

	private final LocalSessions sessions;

	private final ConnectionRegistry registry;

	private final TopicBroker broker;

	private final DispatchLanes lanes;

	private final String instanceId;

	private volatile HubInstrumentation instrumentation = HubInstrumentation.NONE;

	/**
	 * Create a delivery service. It receives messages for this instance's sessions once it is set
	 * as the broker's control listener ({@link TopicBroker#setControlMessageListener}).
	 * @param sessions this instance's sessions
	 * @param registry the connection registry
	 * @param broker the broker carrying control messages
	 * @param lanes the lanes that run local deliveries off the broker's thread
	 * @param instanceId this instance's id
	 */
	public TargetedDelivery(LocalSessions sessions, ConnectionRegistry registry, TopicBroker broker,
			DispatchLanes lanes, String instanceId) {
		this.sessions = sessions;
		this.registry = registry;
		this.broker = broker;
		this.lanes = lanes;
		this.instanceId = instanceId;
	}

	/**
	 * Set where dropped control messages are reported, for metrics.
	 * @param instrumentation the instrumentation
	 */
	public void setInstrumentation(HubInstrumentation instrumentation) {
		this.instrumentation = instrumentation;
	}

	/**
	 * Send an encoded frame to every session of a user.
	 * @param user the user
	 * @param frame the frame
	 * @return where it was routed
	 */
	public CompletableFuture<SendResult> sendToUser(String user, byte[] frame) {
		return this.registry.findSessionsOfUser(user).thenCompose((sessions) -> route(sessions, DELIVER, frame));
	}

	/**
	 * Send an encoded frame to one session.
	 * @param sessionId the session id
	 * @param frame the frame
	 * @return where it was routed
	 */
	public CompletableFuture<SendResult> sendToSession(String sessionId, byte[] frame) {
		return findSession(sessionId).thenCompose((sessions) -> route(sessions, DELIVER, frame));
	}

	/**
	 * Close every session of a user, on every instance, with 4501 (disconnected).
	 * @param user the user
	 * @return where the request was routed
	 */
	public CompletableFuture<SendResult> disconnectUser(String user) {
		return this.registry.findSessionsOfUser(user).thenCompose((sessions) -> route(sessions, DISCONNECT, null));
	}

	/**
	 * Close one session, wherever it is connected, with 4501 (disconnected).
	 * @param sessionId the session id
	 * @return where the request was routed
	 */
	public CompletableFuture<SendResult> disconnectSession(String sessionId) {
		return findSession(sessionId).thenCompose((sessions) -> route(sessions, DISCONNECT, null));
	}

	private CompletableFuture<Map<String, String>> findSession(String sessionId) {
		if (this.sessions.getSession(sessionId) != null) {
			return CompletableFuture.completedFuture(Map.of(sessionId, this.instanceId));
		}
		return this.registry.findInstanceOfSession(sessionId)
			.thenApply((instance) -> instance.map((id) -> Map.of(sessionId, id)).orElse(Map.of()));
	}

	private CompletableFuture<SendResult> route(Map<String, String> sessions, String command, byte @Nullable [] frame) {
		Map<String, List<String>> byInstance = new TreeMap<>();
		sessions.forEach((sessionId, instance) -> byInstance.computeIfAbsent(instance, (key) -> new ArrayList<>())
			.add(sessionId));
		CompletableFuture<SendResult> result = CompletableFuture.completedFuture(SendResult.NONE);
		for (Map.Entry<String, List<String>> entry : byInstance.entrySet()) {
			String instance = entry.getKey();
			List<String> targets = entry.getValue();
			CompletableFuture<SendResult> part;
			if (instance.equals(this.instanceId)) {
				int found = apply(command, targets, frame);
				part = CompletableFuture.completedFuture((found > 0) ? new SendResult(found, 1) : SendResult.NONE);
			}
			else {
				part = this.broker.sendToInstance(instance, encode(command, targets, frame))
					.thenApply((received) -> received ? new SendResult(targets.size(), 1) : SendResult.NONE);
			}
			result = result.thenCombine(part, SendResult::plus);
		}
		return result;
	}

	@Override
	public void onControlMessage(byte[] payload) {
		int newline = indexOf(payload, (byte) '\n');
		String header = new String(payload, 0, (newline >= 0) ? newline : payload.length, StandardCharsets.UTF_8);
		String[] parts = header.split(" ", 3);
		if (parts.length != 3 || !header.startsWith(MAGIC)) {
			logger.debug("Ignoring an unknown control message");
			return;
		}
		List<String> sessionIds = List.of(parts[2].split(","));
		byte[] frame = null;
		if (newline >= 0) {
			frame = new byte[payload.length - newline - 1];
			System.arraycopy(payload, newline + 1, frame, 0, frame.length);
		}
		String command = parts[1];
		byte[] body = frame;
		if (!this.lanes.execute("control", () -> apply(command, sessionIds, body)) && DELIVER.equals(command)) {
			this.instrumentation.messageDropped(HubInstrumentation.DropReason.LANE_FULL, sessionIds.size());
		}
	}

	private int apply(String command, Collection<String> sessionIds, byte @Nullable [] frame) {
		EncodedFrame message = (DELIVER.equals(command) && frame != null) ? new EncodedFrame(frame) : null;
		int found = 0;
		for (String sessionId : sessionIds) {
			HubSession session = this.sessions.getSession(sessionId);
			if (session == null) {
				continue;
			}
			found++;
			if (message != null) {
				session.send(message);
			}
			else if (DISCONNECT.equals(command)) {
				session.close(HubCloseStatus.DISCONNECTED);
			}
		}
		return found;
	}

	private static byte[] encode(String command, List<String> sessionIds, byte @Nullable [] frame) {
		byte[] header = (MAGIC + command + " " + String.join(",", sessionIds) + "\n").getBytes(StandardCharsets.UTF_8);
		if (frame == null) {
			return header;
		}
		byte[] payload = new byte[header.length + frame.length];
		System.arraycopy(header, 0, payload, 0, header.length);
		System.arraycopy(frame, 0, payload, header.length, frame.length);
		return payload;
	}

	private static int indexOf(byte[] bytes, byte value) {
		for (int i = 0; i < bytes.length; i++) {
			if (bytes[i] == value) {
				return i;
			}
		}
		return -1;
	}

}
