package io.github.wshub.session;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.testsupport.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The history cases on real Redis with two real instances, plus what needs two instances.
 *
 * @author wshub
 */
class RedisHistoryIntegrationTests extends AbstractHistoryIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@BeforeAll
	static void start() {
		a = TestHubApplication.start(redis, HISTORY);
		b = TestHubApplication.start(redis, HISTORY);
	}

	@AfterAll
	static void stop() {
		a.close();
		b.close();
	}

	@Test
	void publishesFromTwoInstancesHaveTheSameOffsetsEverywhereStrictlyIncreasing() throws Exception {
		String topic = "hist.two";
		try (HubTestClient onA = a.connect(); HubTestClient onB = b.connect()) {
			onA.subscribe(topic);
			onB.subscribe(topic);
			CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> {
				for (int i = 0; i < 100; i++) {
					a.template().publish(topic, Map.of("from", "a", "n", i)).join();
				}
			});
			CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> {
				for (int i = 0; i < 100; i++) {
					b.template().publish(topic, Map.of("from", "b", "n", i)).join();
				}
			});
			fromA.get();
			fromB.get();
			Map<Long, String> seenOnA = offsets(onA.messages(200));
			Map<Long, String> seenOnB = offsets(onB.messages(200));
			assertThat(seenOnA).hasSize(200).isEqualTo(seenOnB);
		}
	}

}
