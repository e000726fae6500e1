package io.github.wshub.testsupport;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit Jupiter extension that starts a private {@link RedisServer} before the tests of a class
 * and kills it after them. Register it as a static field:
 *
 * <pre class="code">
 * &#064;RegisterExtension
 * static final RedisServerExtension redis = new RedisServerExtension();
 * </pre>
 *
 * @author wshub
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

	private final String[] extraArgs;

	private volatile @Nullable RedisServer server;

	/**
	 * Create an extension that starts {@code redis-server} with the given extra arguments.
	 * @param extraArgs additional {@code redis-server} arguments
	 */
	public RedisServerExtension(String... extraArgs) {
		this.extraArgs = extraArgs;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.server = RedisServer.start(this.extraArgs);
	}

	@Override
	public void afterAll(ExtensionContext context) {
		RedisServer current = this.server;
		if (current != null) {
			current.kill();
			this.server = null;
		}
	}

	/**
	 * Return the running server.
	 * @return the server
	 */
	public RedisServer server() {
		RedisServer current = this.server;
		if (current == null) {
			throw new IllegalStateException("redis-server is not started: register the extension as a static field");
		}
		return current;
	}

	/**
	 * Return the port of the running server.
	 * @return the port
	 */
	public int port() {
		return server().port();
	}

	/**
	 * Return the Spring Boot properties that point {@code spring.data.redis} at this server.
	 * @return the properties, as {@code key=value} strings
	 */
	public String[] springProperties() {
		return new String[] { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port() };
	}

	/**
	 * Return the channels that have at least one subscriber and match a glob pattern
	 * ({@code PUBSUB CHANNELS pattern}).
	 * @param pattern the glob pattern
	 * @return the channel names
	 */
	@SuppressWarnings("unchecked")
	public List<String> pubsubChannels(String pattern) {
		Object reply = server().execute("PUBSUB", "CHANNELS", pattern);
		return (reply != null) ? (List<String>) reply : List.of();
	}

	/**
	 * Return the subscriber count of each channel ({@code PUBSUB NUMSUB}).
	 * @param channels the channels
	 * @return subscriber counts by channel
	 */
	@SuppressWarnings("unchecked")
	public Map<String, Long> pubsubNumsub(String... channels) {
		String[] args = new String[channels.length + 2];
		args[0] = "PUBSUB";
		args[1] = "NUMSUB";
		System.arraycopy(channels, 0, args, 2, channels.length);
		List<Object> reply = (List<Object>) server().execute(args);
		Map<String, Long> counts = new TreeMap<>();
		for (int i = 0; reply != null && i + 1 < reply.size(); i += 2) {
			counts.put((String) reply.get(i), (Long) reply.get(i + 1));
		}
		return counts;
	}

	/**
	 * Return how often Redis ran a command since it started or since {@code CONFIG RESETSTAT},
	 * read from {@code INFO commandstats}.
	 * @param command the command name, for example {@code subscribe}
	 * @return the number of calls
	 */
	public long commandCalls(String command) {
		return server().commandCalls(command);
	}

}
