package io.github.wshub.benchmarks.jmh;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.wshub.session.HubSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The refcount registry: a subscribe followed by an unsubscribe, either making the topic's
 * refcount go 0 -> 1 -> 0 (each time calling the broker) or 1 -> 2 -> 1 (another session
 * holds the topic: the broker is only asked for its confirmation).
 *
 * @author wshub
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TopicRegistryBenchmark {

	private HubFixture hub;

	private HubSession session;

	@Setup(Level.Trial)
	public void setUp() {
		this.hub = new HubFixture();
		List<HubSession> sessions = this.hub.openSessions(2);
		this.session = sessions.get(0);
		this.hub.registry.subscribe(sessions.get(1), "bench.held").confirmed().join();
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.hub.close();
	}

	@Benchmark
	public int subscribeUnsubscribeFirst() {
		this.hub.registry.subscribe(this.session, "bench.fresh");
		this.hub.registry.unsubscribe(this.session, "bench.fresh");
		return this.hub.registry.topicCount();
	}

	@Benchmark
	public int subscribeUnsubscribeHeld() {
		this.hub.registry.subscribe(this.session, "bench.held");
		this.hub.registry.unsubscribe(this.session, "bench.held");
		return this.hub.registry.topicCount();
	}

}
