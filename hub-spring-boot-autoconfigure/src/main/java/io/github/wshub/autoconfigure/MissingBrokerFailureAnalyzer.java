package io.github.wshub.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link MissingBrokerException} and how to fix it.
 *
 * @author wshub
 */
class MissingBrokerFailureAnalyzer extends AbstractFailureAnalyzer<MissingBrokerException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingBrokerException cause) {
		return new FailureAnalysis(
				"The WebSocket hub is configured to carry messages between instances through Redis "
						+ "(hub.broker=redis, the default), but no RedisConnectionFactory bean exists.",
				"Add spring-boot-starter-data-redis (hub-spring-boot-starter includes it) and configure "
						+ "spring.data.redis.*, or set hub.broker=memory to run a single instance without Redis, "
						+ "or define your own TopicBroker bean.",
				cause);
	}

}
