package io.github.wshub.testsupport;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit Jupiter extension that starts a private {@link RedisCluster} (three masters, three
 * replicas) before the tests of a class and kills its nodes after them. Register it as a static
 * field:
 *
 * <pre class="code">
 * &#064;RegisterExtension
 * static final RedisClusterExtension cluster = new RedisClusterExtension();
 * </pre>
 *
 * When {@code redis-server} or {@code redis-cli} is missing or older than 7.0, the tests of the
 * class are skipped (aborted) with a message that says what was found.
 *
 * @author wshub
 */
public final class RedisClusterExtension implements BeforeAllCallback, AfterAllCallback {

	private volatile @Nullable RedisCluster cluster;

	@Override
	public void beforeAll(ExtensionContext context) {
		Optional<String> unavailable = RedisCluster.unavailableReason();
		Assumptions.assumeTrue(unavailable.isEmpty(), unavailable::orElseThrow);
		this.cluster = RedisCluster.start();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		RedisCluster current = this.cluster;
		if (current != null) {
			current.close();
			this.cluster = null;
		}
	}

	/**
	 * Return the running cluster.
	 * @return the cluster
	 */
	public RedisCluster cluster() {
		RedisCluster current = this.cluster;
		if (current == null) {
			throw new IllegalStateException("Redis Cluster is not started: register the extension as a static field");
		}
		return current;
	}

	/**
	 * Return the Spring Boot properties that point {@code spring.data.redis} at the cluster.
	 * @return the properties, as {@code key=value} strings
	 */
	public String[] springProperties() {
		return cluster().springProperties();
	}

}
