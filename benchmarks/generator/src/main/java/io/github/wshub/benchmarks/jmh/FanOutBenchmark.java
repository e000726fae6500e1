package io.github.wshub.benchmarks.jmh;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.wshub.broker.BrokerMessage;
import io.github.wshub.protocol.ClientFrame;
import io.github.wshub.session.HubSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * Local fan-out of one message to {@code subscribers} sessions of a topic: the broker hands
 * it to the {@code LocalTopicRegistry}, which queues it on the topic's dispatch lane, and the
 * lane sends the shared frame to every {@code HubSession} (through its
 * {@code ConcurrentWebSocketSessionDecorator}, to a no-op socket). Each operation waits for the
 * lanes to finish ({@code DispatchLanes.barrier(Duration)}), so it includes one thread hand-off; divide
 * by {@code subscribers} for the cost per delivery.
 * <p>
 * {@link #decoratorOnly} is the lower bound underneath: the same shared {@link TextMessage}
 * sent through {@link ConcurrentWebSocketSessionDecorator}s on the caller's thread.
 *
 * @author wshub
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutBenchmark {

	private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(10);

	@Param({ "10", "100", "1000" })
	public int subscribers;

	private HubFixture hub;

	private BrokerMessage message;

	private ConcurrentWebSocketSessionDecorator[] decorators;

	private TextMessage frame;

	@Setup(Level.Trial)
	public void setUp() {
		this.hub = new HubFixture();
		List<HubSession> sessions = this.hub.openSessions(this.subscribers);
		for (HubSession session : sessions) {
			this.hub.registry.subscribe(session, "bench.t0").confirmed().join();
		}
		ClientFrame publish = this.hub.codec.decode(FrameCodecBenchmark.PUBLISH);
		byte[] encoded = this.hub.codec.encodeMessage("bench.t0", publish.data());
		this.message = BrokerMessage.now("bench.t0", encoded, "bench");
		this.frame = new TextMessage(encoded);
		this.decorators = new ConcurrentWebSocketSessionDecorator[this.subscribers];
		for (int i = 0; i < this.subscribers; i++) {
			WebSocketSession raw = new NoOpWebSocketSession();
			this.decorators[i] = new ConcurrentWebSocketSessionDecorator(raw, 10_000, 512 * 1024);
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.hub.close();
	}

	@Benchmark
	public void fanOut() throws Exception {
		this.hub.broker.publish(this.message);
		this.hub.lanes.barrier(BARRIER_TIMEOUT).get(BARRIER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
	}

	@Benchmark
	public void decoratorOnly() throws java.io.IOException {
		for (ConcurrentWebSocketSessionDecorator decorator : this.decorators) {
			decorator.sendMessage(this.frame);
		}
	}

}
