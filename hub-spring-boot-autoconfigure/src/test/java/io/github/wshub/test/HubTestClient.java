package io.github.wshub.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real WebSocket client (the JDK's) speaking protocol v1, for tests. Every received text frame
 * is parsed and queued; helpers wait for the frames a test expects. Frames skipped while
 * looking for another kind are kept, in order, for the next look-up.
 *
 * @author wshub
 */
public final class HubTestClient implements AutoCloseable {

	public static final Duration TIMEOUT = Duration.ofSeconds(15);

	static final JsonMapper JSON = JsonMapper.builder()
		.enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
		.build();

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();

	private final List<JsonNode> stash = new ArrayList<>();

	private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

	private final WebSocket socket;

	private CompletableFuture<WebSocket> sending;

	private final JsonNode welcome;

	private HubTestClient(URI uri, Map<String, String> headers) {
		Listener listener = new Listener();
		WebSocket.Builder builder = HTTP.newWebSocketBuilder();
		headers.forEach(builder::header);
		this.socket = builder.buildAsync(uri, listener).join();
		this.sending = CompletableFuture.completedFuture(this.socket);
		this.welcome = next();
	}

	/**
	 * Connect to {@code ws://127.0.0.1:port/ws} and wait for the welcome frame.
	 * @param port the server port
	 * @return the connected client
	 */
	public static HubTestClient connect(int port) {
		return connect(URI.create("ws://127.0.0.1:" + port + "/ws"));
	}

	public static HubTestClient connect(URI uri) {
		return connect(uri, Map.of());
	}

	/**
	 * Connect with extra handshake headers and wait for the welcome frame.
	 * @param uri the endpoint
	 * @param headers the headers, for example {@code X-Forwarded-For}
	 * @return the connected client
	 */
	public static HubTestClient connect(URI uri, Map<String, String> headers) {
		return new HubTestClient(uri, headers);
	}

	/**
	 * Open a connection without waiting for anything.
	 * @param port the server port
	 * @return a future of the client
	 */
	public static CompletableFuture<HubTestClient> connectAsync(int port) {
		return CompletableFuture.supplyAsync(() -> connect(port));
	}

	public JsonNode welcome() {
		return this.welcome;
	}

	public String sessionId() {
		return this.welcome.get("session").stringValue();
	}

	public String instanceId() {
		return this.welcome.get("instance").stringValue();
	}

	/**
	 * Send a text frame and wait until it was written.
	 * @param text the frame
	 * @return this client
	 */
	public HubTestClient send(String text) {
		sendAsync(text);
		this.sending.join();
		return this;
	}

	/**
	 * Queue a text frame without waiting. The JDK client allows one outstanding send at a time,
	 * so sends are chained: they go out in call order, none is dropped.
	 * @param text the frame
	 * @return this client
	 */
	public synchronized HubTestClient sendAsync(String text) {
		this.sending = this.sending.thenCompose((ws) -> ws.sendText(text, true));
		return this;
	}

	public HubTestClient sendBinary(byte[] bytes) {
		synchronized (this) {
			this.sending = this.sending.thenCompose((ws) -> ws.sendBinary(ByteBuffer.wrap(bytes), true));
		}
		this.sending.join();
		return this;
	}

	/**
	 * Subscribe and wait for the ack.
	 * @param topic the topic
	 * @return this client
	 */
	public HubTestClient subscribe(String topic) {
		String id = "sub-" + topic;
		send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"id\":\"" + id + "\"}");
		expectAck(id);
		return this;
	}

	public HubTestClient unsubscribe(String topic) {
		String id = "unsub-" + topic;
		send("{\"type\":\"unsubscribe\",\"topic\":\"" + topic + "\",\"id\":\"" + id + "\"}");
		expectAck(id);
		return this;
	}

	/**
	 * Publish and wait for the ack.
	 * @param topic the topic
	 * @param dataJson the data as JSON text
	 * @return this client
	 */
	public HubTestClient publish(String topic, String dataJson) {
		String id = "pub-" + System.nanoTime();
		send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":" + dataJson + ",\"id\":\"" + id + "\"}");
		expectAck(id);
		return this;
	}

	public JsonNode expectAck(String id) {
		JsonNode frame = next((f) -> !"message".equals(type(f)));
		if (!"ack".equals(type(frame)) || !id.equals(frame.get("id").asString())) {
			throw new AssertionError("Expected ack for " + id + " but got " + frame);
		}
		return frame;
	}

	/**
	 * Return the next frame of any type.
	 * @return the frame
	 */
	public JsonNode next() {
		return next((frame) -> true);
	}

	/**
	 * Return the next frame matching a predicate, discarding the frames before it.
	 * @param predicate the predicate
	 * @return the frame
	 */
	public synchronized JsonNode next(Predicate<JsonNode> predicate) {
		for (java.util.Iterator<JsonNode> it = this.stash.iterator(); it.hasNext();) {
			JsonNode frame = it.next();
			if (predicate.test(frame)) {
				it.remove();
				return frame;
			}
		}
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (true) {
			JsonNode frame = poll(deadline - System.nanoTime());
			if (frame == null) {
				throw new AssertionError("No matching frame within " + TIMEOUT + " (closed: "
						+ this.closeCode.getNow(null) + ", stashed: " + this.stash + ")");
			}
			if (predicate.test(frame)) {
				return frame;
			}
			this.stash.add(frame);
		}
	}

	/**
	 * Return the next {@code message} frame.
	 * @return the frame
	 */
	public JsonNode nextMessage() {
		return next((frame) -> "message".equals(type(frame)));
	}

	/**
	 * Collect {@code count} message frames.
	 * @param count how many
	 * @return the frames
	 */
	public List<JsonNode> messages(int count) {
		List<JsonNode> result = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			result.add(nextMessage());
		}
		return result;
	}

	/**
	 * Return a frame if one arrives within {@code timeout}, else {@code null}.
	 * @param timeout how long to wait
	 * @return the frame or {@code null}
	 */
	public synchronized @Nullable JsonNode poll(Duration timeout) {
		if (!this.stash.isEmpty()) {
			return this.stash.remove(0);
		}
		return poll(timeout.toNanos());
	}

	private @Nullable JsonNode poll(long nanos) {
		try {
			return this.frames.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	public synchronized int pendingFrames() {
		return this.frames.size() + this.stash.size();
	}

	/**
	 * Wait for the server to close the connection and return its close code.
	 * @return the close code
	 */
	public int awaitClose() {
		return this.closeCode.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
	}

	public boolean isClosed() {
		return this.closeCode.isDone();
	}

	@Override
	public void close() {
		if (!this.socket.isOutputClosed()) {
			try {
				this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
			}
			catch (Exception ex) {
				this.socket.abort();
			}
		}
		this.socket.abort();
	}

	public static String type(JsonNode frame) {
		JsonNode type = frame.get("type");
		return (type != null) ? type.asString() : "";
	}

	private final class Listener implements WebSocket.Listener {

		private final StringBuilder partial = new StringBuilder();

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				String text = this.partial.toString();
				this.partial.setLength(0);
				HubTestClient.this.frames.add(JSON.readTree(text));
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			HubTestClient.this.closeCode.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			HubTestClient.this.closeCode.complete(1006);
		}

	}

}
