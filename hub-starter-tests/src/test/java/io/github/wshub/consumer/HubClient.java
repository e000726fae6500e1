package io.github.wshub.consumer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real WebSocket client (the JDK's) speaking protocol v1: every text frame received is parsed
 * and queued, in order, for {@link #next()}.
 *
 * @author wshub
 */
final class HubClient implements AutoCloseable {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();

	private final WebSocket socket;

	private HubClient(URI uri) {
		this.socket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.connectTimeout(TIMEOUT)
			.buildAsync(uri, new Listener())
			.join();
	}

	/**
	 * Open a connection without waiting for any frame.
	 * @param uri the hub's endpoint
	 * @return the connected client
	 */
	static HubClient connect(URI uri) {
		return new HubClient(uri);
	}

	/**
	 * Send a text frame and wait until it was written.
	 * @param frame the frame
	 */
	void send(String frame) {
		this.socket.sendText(frame, true).join();
	}

	/**
	 * Return the next frame, waiting up to ten seconds for it.
	 * @return the frame
	 */
	JsonNode next() {
		try {
			JsonNode frame = this.frames.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (frame == null) {
				throw new AssertionError("No frame within " + TIMEOUT);
			}
			return frame;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			// Closed already, or the server does not answer: abort below either way.
		}
		this.socket.abort();
	}

	private final class Listener implements WebSocket.Listener {

		private final StringBuilder partial = new StringBuilder();

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				HubClient.this.frames.add(JSON.readTree(this.partial.toString()));
				this.partial.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

	}

}
