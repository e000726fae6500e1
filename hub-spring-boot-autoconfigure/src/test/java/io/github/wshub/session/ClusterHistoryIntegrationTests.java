package io.github.wshub.session;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.wshub.test.TestHubApplication;
import io.github.wshub.testsupport.RedisClusterExtension;

/**
 * The history cases on a real Redis Cluster with sharded Pub/Sub, two real instances: each
 * topic's history keys and its sharded channel share a slot, so the publishing script runs on
 * one master and {@code SPUBLISH}es from there.
 *
 * @author wshub
 */
class ClusterHistoryIntegrationTests extends AbstractHistoryIntegrationTests {

	@RegisterExtension
	static final RedisClusterExtension cluster = new RedisClusterExtension();

	@BeforeAll
	static void start() {
		List<String> properties = new ArrayList<>(List.of(cluster.springProperties()));
		properties.addAll(List.of(HISTORY));
		a = TestHubApplication.start(properties.toArray(new String[0]));
		b = TestHubApplication.start(properties.toArray(new String[0]));
	}

	@AfterAll
	static void stop() {
		a.close();
		b.close();
	}

}
