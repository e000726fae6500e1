package io.github.wshub.benchmarks;

import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A connection on the JDK's {@link WebSocket} ({@code --client jdk}). The JDK client allows one
 * outstanding send, so frames wait in a queue and are sent one after another.
 *
 * @author wshub
 */
final class JdkTransport implements HubConnection.Transport, WebSocket.Listener {

	private final HubConnection connection;

	private final ConcurrentLinkedQueue<String> sendQueue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger queued = new AtomicInteger();

	private final AtomicBoolean sending = new AtomicBoolean();

	private volatile @Nullable WebSocket socket;

	private @Nullable StringBuilder partial;

	JdkTransport(HubConnection connection) {
		this.connection = connection;
	}

	@Override
	public boolean send(String text) {
		this.queued.incrementAndGet();
		this.sendQueue.add(text);
		drain();
		return true;
	}

	@Override
	public int queued() {
		return this.queued.get();
	}

	private void drain() {
		WebSocket webSocket = this.socket;
		if (webSocket == null) {
			return;
		}
		// A loop rather than recursion: a send that completes at once must not grow the stack.
		while (this.sending.compareAndSet(false, true)) {
			String next = this.sendQueue.poll();
			if (next == null) {
				this.sending.set(false);
				if (this.sendQueue.isEmpty()) {
					return;
				}
				continue;
			}
			this.queued.decrementAndGet();
			CompletableFuture<WebSocket> sent;
			try {
				sent = webSocket.sendText(next, true);
			}
			catch (RuntimeException ex) {
				sent = CompletableFuture.failedFuture(ex);
			}
			if (sent.isDone()) {
				this.sending.set(false);
				continue;
			}
			sent.whenComplete((ignored, ex) -> {
				this.sending.set(false);
				drain();
			});
			return;
		}
	}

	@Override
	public void close(int code) {
		WebSocket webSocket = this.socket;
		if (webSocket == null) {
			return;
		}
		try {
			webSocket.sendClose(code, "done").exceptionally((ex) -> {
				webSocket.abort();
				return webSocket;
			});
		}
		catch (RuntimeException ex) {
			webSocket.abort();
		}
	}

	@Override
	public void abort() {
		WebSocket webSocket = this.socket;
		if (webSocket != null) {
			webSocket.abort();
		}
	}

	@Override
	public void onOpen(WebSocket webSocket) {
		this.socket = webSocket;
		// Frames are consumed synchronously in onText: no need for per-frame flow control.
		webSocket.request(Long.MAX_VALUE);
		drain();
	}

	@Override
	public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		long now = System.nanoTime();
		if (!last) {
			if (this.partial == null) {
				this.partial = new StringBuilder(256);
			}
			this.partial.append(data);
			return null;
		}
		String text;
		if (this.partial != null) {
			text = this.partial.append(data).toString();
			this.partial = null;
		}
		else {
			text = data.toString();
		}
		this.connection.received(text, now);
		return null;
	}

	@Override
	public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.connection.closedWith(statusCode);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.connection.failed(error);
	}

}
