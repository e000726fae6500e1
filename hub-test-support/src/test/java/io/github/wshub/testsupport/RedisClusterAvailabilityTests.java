package io.github.wshub.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisCluster#unavailableReason()}, the message cluster tests are skipped
 * with.
 *
 * @author wshub
 */
class RedisClusterAvailabilityTests {

	@Test
	void missingRedisCliIsReportedWithWhatWasFound() {
		String previous = System.getProperty("wshub.redis-cli");
		System.setProperty("wshub.redis-cli", "/nonexistent/redis-cli");
		try {
			assertThat(RedisCluster.unavailableReason()).hasValueSatisfying((reason) -> assertThat(reason)
				.startsWith("Redis Cluster tests need redis-server and redis-cli 7.0+; found ")
				.contains("no usable redis-cli"));
		}
		finally {
			if (previous != null) {
				System.setProperty("wshub.redis-cli", previous);
			}
			else {
				System.clearProperty("wshub.redis-cli");
			}
		}
	}

}
