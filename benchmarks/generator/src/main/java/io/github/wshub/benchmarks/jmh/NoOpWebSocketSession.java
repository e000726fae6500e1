package io.github.wshub.benchmarks.jmh;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * An open {@link WebSocketSession} that writes nowhere: it counts the messages and bytes sent
 * to it, so the benchmarks measure the hub's work without a socket.
 *
 * @author wshub
 */
public final class NoOpWebSocketSession implements WebSocketSession {

	private static final AtomicLong IDS = new AtomicLong();

	private final String id = "noop-" + IDS.incrementAndGet();

	private final Map<String, Object> attributes = new ConcurrentHashMap<>();

	private final AtomicLong messages = new AtomicLong();

	private final AtomicLong bytes = new AtomicLong();

	private volatile boolean open = true;

	private int textLimit = 64 * 1024;

	private int binaryLimit = 64 * 1024;

	/**
	 * Return the messages sent to this session.
	 * @return the count
	 */
	public long messages() {
		return this.messages.get();
	}

	/**
	 * Return the payload bytes sent to this session.
	 * @return the count
	 */
	public long bytes() {
		return this.bytes.get();
	}

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	public @Nullable URI getUri() {
		return URI.create("ws://127.0.0.1/ws");
	}

	@Override
	public HttpHeaders getHandshakeHeaders() {
		return new HttpHeaders();
	}

	@Override
	public Map<String, Object> getAttributes() {
		return this.attributes;
	}

	@Override
	public @Nullable Principal getPrincipal() {
		return null;
	}

	@Override
	public @Nullable InetSocketAddress getLocalAddress() {
		return null;
	}

	@Override
	public @Nullable InetSocketAddress getRemoteAddress() {
		return null;
	}

	@Override
	public @Nullable String getAcceptedProtocol() {
		return null;
	}

	@Override
	public void setTextMessageSizeLimit(int messageSizeLimit) {
		this.textLimit = messageSizeLimit;
	}

	@Override
	public int getTextMessageSizeLimit() {
		return this.textLimit;
	}

	@Override
	public void setBinaryMessageSizeLimit(int messageSizeLimit) {
		this.binaryLimit = messageSizeLimit;
	}

	@Override
	public int getBinaryMessageSizeLimit() {
		return this.binaryLimit;
	}

	@Override
	public List<WebSocketExtension> getExtensions() {
		return List.of();
	}

	@Override
	public void sendMessage(WebSocketMessage<?> message) {
		this.messages.incrementAndGet();
		this.bytes.addAndGet(message.getPayloadLength());
	}

	@Override
	public boolean isOpen() {
		return this.open;
	}

	@Override
	public void close() {
		this.open = false;
	}

	@Override
	public void close(CloseStatus status) {
		this.open = false;
	}

}
