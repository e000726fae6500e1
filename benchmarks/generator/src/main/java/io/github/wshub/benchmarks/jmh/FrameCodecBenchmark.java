package io.github.wshub.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import io.github.wshub.protocol.ClientFrame;
import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.FrameCodec;
import io.github.wshub.protocol.TopicNames;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.JsonNode;

/**
 * The codec's work per publish: decoding a client's {@code publish} frame with a 100-byte
 * {@code data}, encoding the {@code message} frame delivered to subscribers, and the
 * {@code ack}.
 *
 * @author wshub
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameCodecBenchmark {

	static final String PUBLISH = "{\"type\":\"publish\",\"topic\":\"bench.t42\",\"data\":{\"p\":1,\"s\":12345,"
			+ "\"t\":123456789012345,\"x\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"},\"id\":17}";

	private FrameCodec codec;

	private ClientFrame frame;

	private JsonNode data;

	private JsonNode id;

	@Setup
	public void setUp() {
		this.codec = new FrameCodec(new TopicNames(200), 128, 64);
		this.frame = this.codec.decode(PUBLISH);
		this.data = this.frame.data();
		this.id = this.frame.id();
	}

	@Benchmark
	public ClientFrame decodePublish() {
		return this.codec.decode(PUBLISH);
	}

	@Benchmark
	public byte[] encodeMessage() {
		return this.codec.encodeMessage("bench.t42", this.data);
	}

	@Benchmark
	public EncodedFrame encodeAck() {
		return this.codec.ack(this.id);
	}

	/**
	 * The whole codec path of one publish as the handler runs it: decode, encode the message
	 * frame once, encode the ack.
	 * @return the ack
	 */
	@Benchmark
	public EncodedFrame decodeEncodeAck() {
		ClientFrame decoded = this.codec.decode(PUBLISH);
		byte[] message = this.codec.encodeMessage(decoded.topic(), decoded.data());
		return (message.length > 0) ? this.codec.ack(decoded.id()) : null;
	}

}
