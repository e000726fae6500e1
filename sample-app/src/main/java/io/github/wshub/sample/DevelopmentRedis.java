package io.github.wshub.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.wshub.testsupport.RedisServer;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Development convenience of the sample app only (never of the starter): when no Redis answers
 * at {@code spring.data.redis.host:port} and that address is on this machine, start a
 * {@code redis-server} on that port, say so in the log, and stop it with the application, after
 * everything else stopped (the hub drains its sessions through Redis when it stops). A second
 * instance started afterwards finds it and shares it. Never with
 * {@code spring.data.redis.url}, Sentinel or Cluster. Disable with
 * {@code sample.embedded-redis=false}.
 * <p>
 * On SIGTERM or Ctrl+C the server is stopped by Spring's shutdown hook closing the context, in
 * the last lifecycle phase; nothing else in this JVM stops it (a JVM shutdown hook of its own
 * would run concurrently with Spring's and pull Redis away before the drain), and
 * {@link RedisServer} runs it in a session of its own where {@code setsid} exists, so that the
 * SIGINT a terminal sends its whole foreground process group reaches the JVM only. Should the
 * JVM die without closing the context (SIGKILL, a crash), {@link RedisServer}'s watchdog kills
 * the server once the JVM is gone.
 *
 * @author wshub
 */
class DevelopmentRedis implements SmartApplicationListener {

	private static final Log logger = LogFactory.getLog(DevelopmentRedis.class);

	private volatile RedisServer server;

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return ApplicationEnvironmentPreparedEvent.class.isAssignableFrom(eventType)
				|| ApplicationPreparedEvent.class.isAssignableFrom(eventType)
				|| ApplicationFailedEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
			startIfMissing(prepared.getEnvironment());
		}
		else if (event instanceof ApplicationPreparedEvent prepared && this.server != null) {
			prepared.getApplicationContext().getBeanFactory().registerSingleton("developmentRedis", new Stopper());
		}
		else if (event instanceof ApplicationFailedEvent) {
			stop();
		}
	}

	private synchronized void stop() {
		if (this.server != null) {
			logger.info("Stopping the development redis-server on port " + this.server.port());
			this.server.stop();
			this.server = null;
		}
	}

	private void startIfMissing(ConfigurableEnvironment environment) {
		if (!environment.getProperty("sample.embedded-redis", Boolean.class, true)
				|| "memory".equals(environment.getProperty("hub.broker"))) {
			return;
		}
		if (environment.containsProperty("spring.data.redis.url")
				|| environment.containsProperty("spring.data.redis.sentinel.master")
				|| environment.containsProperty("spring.data.redis.cluster.nodes")) {
			logger.info("Redis is configured by URL, Sentinel or Cluster: not looking for a development Redis");
			return;
		}
		String host = environment.getProperty("spring.data.redis.host", "localhost");
		int port = environment.getProperty("spring.data.redis.port", Integer.class, 6379);
		if (answersPing(host, port)) {
			logger.info("Using Redis at " + host + ":" + port);
			return;
		}
		if (!isLocal(host)) {
			logger.warn("No Redis answers at " + host + ":" + port + "; not starting one for a remote address");
			return;
		}
		this.server = RedisServer.startOnPort(port);
		logger.warn("No Redis answered at " + host + ":" + port + ", so the sample app started a development "
				+ "redis-server there (pid " + this.server.pid() + ", " + RedisServer.binary()
				+ "). It stops with this instance; use a real Redis in production.");
		environment.getPropertySources()
			.addFirst(new MapPropertySource("developmentRedis",
					Map.of("spring.data.redis.host", "127.0.0.1", "spring.data.redis.port", port)));
	}

	private static boolean isLocal(String host) {
		try {
			InetAddress address = InetAddress.getByName(host);
			return address.isLoopbackAddress() || address.isAnyLocalAddress();
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static boolean answersPing(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 500);
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[64];
			int read = in.read(reply);
			// "+PONG", or "-NOAUTH" from a Redis that wants a password: either way, Redis is there.
			return read > 0 && (reply[0] == '+' || reply[0] == '-');
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Stops the development Redis in the last shutdown phase, once the hub and the Redis clients
	 * have stopped: a {@code ContextClosedEvent} would come before them.
	 */
	private final class Stopper implements SmartLifecycle {

		@Override
		public void start() {
			// The server started with the environment, before the context existed.
		}

		@Override
		public void stop() {
			DevelopmentRedis.this.stop();
		}

		@Override
		public boolean isRunning() {
			return DevelopmentRedis.this.server != null;
		}

		@Override
		public int getPhase() {
			return Integer.MIN_VALUE;
		}

	}

}
