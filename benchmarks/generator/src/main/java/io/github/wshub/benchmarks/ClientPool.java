package io.github.wshub.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import org.jspecify.annotations.Nullable;

/**
 * Opens connections round-robin over the instances. With the generator's own NIO client (the
 * default) connections are spread over a few selector threads; with the JDK client over several
 * {@link HttpClient}s (one per {@code connectionsPerClient} connections, each with its own
 * selector thread) that share one small executor, so neither one selector nor a thread per
 * client limits the generator.
 *
 * @author wshub
 */
public final class ClientPool implements AutoCloseable {

	private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(15);

	private final List<URI> urls;

	private final int connectionsPerClient;

	private final boolean jdk;

	private final @Nullable ExecutorService executor;

	private final List<HttpClient> clients = new ArrayList<>();

	private final List<NioLoop> loops = new ArrayList<>();

	private final List<HubConnection> connections = Collections.synchronizedList(new ArrayList<>());

	private final AtomicInteger nextIndex = new AtomicInteger();

	private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();

	/**
	 * Create a pool.
	 * @param urls the instances' addresses
	 * @param client {@code nio} for the generator's own client, {@code jdk} for
	 * {@code java.net.http.WebSocket}
	 * @param connectionsPerClient connections per {@link HttpClient} ({@code jdk} only)
	 * @param threads selector threads ({@code nio}) or threads of the clients' shared executor
	 * ({@code jdk})
	 */
	public ClientPool(List<URI> urls, String client, int connectionsPerClient, int threads) {
		this.urls = List.copyOf(urls);
		this.connectionsPerClient = Math.max(1, connectionsPerClient);
		this.jdk = "jdk".equals(client);
		if (!this.jdk && !"nio".equals(client)) {
			throw new IllegalArgumentException("--client must be nio or jdk, got '" + client + "'");
		}
		if (this.jdk) {
			AtomicInteger threadNumber = new AtomicInteger();
			this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
					new LinkedBlockingQueue<>(), (task) -> {
						Thread thread = new Thread(task, "ws-client-" + threadNumber.incrementAndGet());
						thread.setDaemon(true);
						return thread;
					});
		}
		else {
			this.executor = null;
			try {
				for (int i = 0; i < Math.max(1, threads); i++) {
					this.loops.add(new NioLoop("ws-nio-" + (i + 1)));
				}
			}
			catch (java.io.IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		}
	}

	/**
	 * Create the pool the options ask for: {@code --client} ({@code nio}),
	 * {@code --client-threads} (2 for {@code nio}, 4 for {@code jdk}) and
	 * {@code --connections-per-client} (250).
	 * @param options the options
	 * @return the pool
	 */
	public static ClientPool from(Options options) {
		String client = options.string("client", "nio");
		return new ClientPool(options.urls(), client, options.integer("connections-per-client", 250),
				options.integer("client-threads", "jdk".equals(client) ? 4 : 2));
	}

	private synchronized HttpClient client(int index) {
		int wanted = index / this.connectionsPerClient;
		while (this.clients.size() <= wanted) {
			this.clients.add(HttpClient.newBuilder().executor(this.executor).connectTimeout(HANDSHAKE_TIMEOUT).build());
		}
		return this.clients.get(wanted);
	}

	/**
	 * Open one connection to the next instance in round-robin order.
	 * @param handler receives its frames
	 * @return the connection; its {@link HubConnection#welcomed()} completes on {@code welcome}
	 */
	public HubConnection open(HubConnection.Handler handler) {
		int index = this.nextIndex.getAndIncrement();
		int instance = index % this.urls.size();
		URI uri = this.urls.get(instance);
		HubConnection connection = new HubConnection(index, instance, uri, handler);
		this.connections.add(connection);
		connection.welcomed().whenComplete((c, ex) -> {
			if (ex != null) {
				this.failures.computeIfAbsent(describe(ex), (key) -> new AtomicLong()).incrementAndGet();
			}
		});
		if (this.jdk) {
			JdkTransport transport = new JdkTransport(connection);
			connection.attach(transport);
			client(index).newWebSocketBuilder()
				.connectTimeout(HANDSHAKE_TIMEOUT)
				.buildAsync(uri, transport)
				.whenComplete((webSocket, ex) -> {
					if (ex != null) {
						connection.failed(ex);
					}
				});
		}
		else {
			NioTransport.connect(connection, this.loops.get(index % this.loops.size()), uri);
		}
		connection.welcomed().orTimeout(HANDSHAKE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
		return connection;
	}

	/**
	 * Open connections with at most {@code concurrency} handshakes in flight, and wait until
	 * each has its {@code welcome} or failed.
	 * @param count how many to open
	 * @param concurrency the most handshakes in flight
	 * @param handlers the handler of each connection, by number (0 to count-1)
	 * @param deadline when to give up, {@link System#nanoTime()}
	 * @return the connections that received {@code welcome}, in the order they were opened
	 * @throws InterruptedException if interrupted
	 */
	public List<HubConnection> openAll(int count, int concurrency, IntFunction<HubConnection.Handler> handlers,
			long deadline) throws InterruptedException {
		Semaphore inFlight = new Semaphore(concurrency);
		List<HubConnection> opened = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			long left = deadline - System.nanoTime();
			if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
				break;
			}
			HubConnection connection = open(handlers.apply(i));
			opened.add(connection);
			connection.welcomed().whenComplete((c, ex) -> inFlight.release());
		}
		List<HubConnection> ready = new ArrayList<>(opened.size());
		for (HubConnection connection : opened) {
			long left = Math.max(0, deadline - System.nanoTime());
			try {
				connection.welcomed().get(left, TimeUnit.NANOSECONDS);
				ready.add(connection);
			}
			catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
				// Counted by cause in failures().
			}
		}
		return ready;
	}

	/**
	 * Return handshake failures by cause (HTTP status, timeout, exception class).
	 * @return counts by cause
	 */
	public Map<String, Long> failures() {
		Map<String, Long> counts = new java.util.TreeMap<>();
		this.failures.forEach((key, value) -> counts.put(key, value.get()));
		return counts;
	}

	/**
	 * Return every connection opened so far.
	 * @return the connections
	 */
	public List<HubConnection> connections() {
		synchronized (this.connections) {
			return new ArrayList<>(this.connections);
		}
	}

	private static String describe(Throwable ex) {
		Throwable cause = ex;
		while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		if (cause instanceof WebSocketHandshakeException handshake) {
			return "http-" + handshake.getResponse().statusCode();
		}
		if (cause instanceof HandshakeFailedException handshake) {
			return "http-" + handshake.status();
		}
		if (cause instanceof java.util.concurrent.TimeoutException) {
			return "timeout";
		}
		if (cause instanceof IllegalStateException && String.valueOf(cause.getMessage()).startsWith("Closed with")) {
			return "closed-before-welcome";
		}
		return cause.getClass().getSimpleName();
	}

	/**
	 * Close every connection with 1000, wait up to {@code timeout} for them to close, then
	 * drop the rest.
	 * @param timeout how long to wait
	 */
	public void closeAll(Duration timeout) {
		List<HubConnection> all = connections();
		for (HubConnection connection : all) {
			connection.close();
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		for (HubConnection connection : all) {
			long left = deadline - System.nanoTime();
			try {
				if (left > 0) {
					connection.closed().get(left, TimeUnit.NANOSECONDS);
				}
			}
			catch (Exception ex) {
				// Dropped below.
			}
			if (!connection.closed().isDone()) {
				connection.abort();
			}
		}
	}

	@Override
	public void close() {
		closeAll(Duration.ofSeconds(5));
		// JDK 17's HttpClient has no close(): its selector threads end once the clients are unreachable.
		if (this.executor != null) {
			this.executor.shutdownNow();
		}
		synchronized (this) {
			this.clients.clear();
		}
		for (NioLoop loop : this.loops) {
			loop.close();
		}
	}

	/**
	 * Wait for all futures, up to a deadline.
	 * @param futures the futures
	 * @param deadline {@link System#nanoTime()} to give up at
	 * @return how many completed normally
	 */
	public static int awaitAll(List<? extends CompletableFuture<?>> futures, long deadline) {
		int done = 0;
		for (CompletableFuture<?> future : futures) {
			long left = Math.max(0, deadline - System.nanoTime());
			try {
				future.get(left, TimeUnit.NANOSECONDS);
				done++;
			}
			catch (Exception ex) {
				// Counted as not done.
			}
		}
		return done;
	}

}
