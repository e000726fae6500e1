package io.github.wshub.session;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.github.wshub.test.TestHubApplication;

/**
 * The history cases on the in-memory broker ({@code hub.broker=memory}): one instance plays both
 * {@code a} and {@code b}.
 *
 * @author wshub
 */
class InMemoryHistoryIntegrationTests extends AbstractHistoryIntegrationTests {

	@BeforeAll
	static void start() {
		List<String> properties = new ArrayList<>(List.of(HISTORY));
		properties.add("hub.broker=memory");
		a = TestHubApplication.start(properties.toArray(new String[0]));
		b = a;
	}

	@AfterAll
	static void stop() {
		a.close();
	}

}
