package io.github.wshub.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link FrameCodec}.
 *
 * @author wshub
 */
class FrameCodecTests {

	private final FrameCodec codec = new FrameCodec(new TopicNames(20), 16, 8);

	@Test
	void decodeSubscribe() {
		ClientFrame frame = this.codec.decode("{\"type\":\"subscribe\",\"topic\":\"chat.a\",\"id\":7,\"extra\":1}");
		assertThat(frame.type()).isEqualTo(ClientFrame.Type.SUBSCRIBE);
		assertThat(frame.topic()).isEqualTo("chat.a");
		assertThat(frame.id().asInt()).isEqualTo(7);
		assertThat(frame.data()).isNull();
	}

	@Test
	void decodePublishKeepsNumberPrecision() {
		ClientFrame frame = this.codec
			.decode("{\"type\":\"publish\",\"topic\":\"t\",\"data\":{\"big\":123456789012345678901234567890,"
					+ "\"dec\":3.14159265358979323846264338327950288,\"z\":1.000}}");
		String encoded = new String(this.codec.encodeMessage("t", frame.data()), StandardCharsets.UTF_8);
		assertThat(encoded).isEqualTo("{\"type\":\"message\",\"topic\":\"t\",\"data\":{\"big\":123456789012345678901234567890,"
				+ "\"dec\":3.14159265358979323846264338327950288,\"z\":1.000}}");
	}

	@Test
	void nullIdMeansNoId() {
		assertThat(this.codec.decode("{\"type\":\"unsubscribe\",\"topic\":\"t\",\"id\":null}").id()).isNull();
	}

	@Test
	void invalidFramesAreRejectedWithTheirCode() {
		assertCode("", ErrorCode.INVALID_FRAME);
		assertCode("{", ErrorCode.INVALID_FRAME);
		assertCode("\"text\"", ErrorCode.INVALID_FRAME);
		assertCode("{} {}", ErrorCode.INVALID_FRAME);
		assertCode("{\"type\":1,\"topic\":\"t\"}", ErrorCode.UNKNOWN_TYPE);
		assertCode("{\"type\":\"SUBSCRIBE\",\"topic\":\"t\"}", ErrorCode.UNKNOWN_TYPE);
		assertCode("{\"type\":\"subscribe\",\"topic\":\"\"}", ErrorCode.INVALID_TOPIC);
		assertCode("{\"type\":\"subscribe\",\"topic\":\"" + "a".repeat(21) + "\"}", ErrorCode.INVALID_TOPIC);
		assertCode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":true}", ErrorCode.INVALID_ID);
		assertCode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":[1]}", ErrorCode.INVALID_ID);
		assertCode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":12345678901234567}", ErrorCode.INVALID_ID);
		assertCode("{\"type\":\"publish\",\"topic\":\"t\"}", ErrorCode.INVALID_FRAME);
	}

	@Test
	void numericIdsAreMeasuredByTheirJsonText() {
		assertThat(this.codec.decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":1234567890123456}").id())
			.isNotNull();
		assertThat(this.codec.decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":-123456789012345}").id())
			.isNotNull();
		assertCode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":-1234567890123456}", ErrorCode.INVALID_ID);
		assertThat(this.codec.decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":1.5}").id()).isNotNull();
		assertCode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":1.50000000000000000}", ErrorCode.INVALID_ID);
	}

	@Test
	void welcomeIsEscapedAsTheGeneratorEscapes() {
		String session = "s\"1\\\n\u0001\u00e9\u20ac/";
		String instance = "i\t<>&\u007f";
		ObjectNode expected = JsonNodeFactory.instance.objectNode();
		expected.put("type", "welcome");
		expected.put("session", session);
		expected.put("instance", instance);
		expected.put("protocol", FrameCodec.PROTOCOL_VERSION);
		assertThat(text(this.codec.welcome(session, instance)))
			.isEqualTo(JsonMapper.builder().build().writeValueAsString(expected));
	}

	@Test
	void errorKeepsTheIdWhenItWasValid() {
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> this.codec.decode("{\"type\":\"nope\",\"id\":\"abc\"}"))
			.satisfies((ex) -> assertThat(ex.getId().asString()).isEqualTo("abc"));
	}

	@Test
	void encodeServerFrames() {
		assertThat(text(this.codec.welcome("s1", "i1")))
			.isEqualTo("{\"type\":\"welcome\",\"session\":\"s1\",\"instance\":\"i1\",\"protocol\":1}");
		ClientFrame frame = this.codec.decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":\"x\\\"y\"}");
		assertThat(text(this.codec.ack(frame.id()))).isEqualTo("{\"type\":\"ack\",\"id\":\"x\\\"y\"}");
		assertThat(text(this.codec.error(null, ErrorCode.FORBIDDEN, "no")))
			.isEqualTo("{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"no\"}");
		assertThat(new String(this.codec.encodeMessage("t", Map.of("k", "v")), StandardCharsets.UTF_8))
			.isEqualTo("{\"type\":\"message\",\"topic\":\"t\",\"data\":{\"k\":\"v\"}}");
		assertThat(new String(this.codec.encodeMessage("t", (Object) null), StandardCharsets.UTF_8))
			.isEqualTo("{\"type\":\"message\",\"topic\":\"t\",\"data\":null}");
	}

	private static String text(EncodedFrame frame) {
		return new String(frame.bytes(), StandardCharsets.UTF_8);
	}

	@Test
	void decodeSubscribeWithSince() {
		ClientFrame frame = this.codec
			.decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"id\":1,\"since\":{\"epoch\":\"e1\",\"offset\":41}}");
		assertThat(frame.since()).isEqualTo(new ClientFrame.Since("e1", 41));
		assertThat(this.codec.decode("{\"type\":\"subscribe\",\"topic\":\"t\"}").since()).isNull();
		assertThat(this.codec.decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"since\":null}").since()).isNull();
	}

	@Test
	void malformedSinceIsInvalidNotAnError() {
		for (String since : new String[] { "1", "\"x\"", "[]", "{}", "{\"epoch\":1,\"offset\":1}",
				"{\"epoch\":\"e\",\"offset\":\"1\"}", "{\"epoch\":\"e\",\"offset\":1.5}",
				"{\"epoch\":\"e\",\"offset\":123456789012345678901234567890}" }) {
			ClientFrame frame = this.codec.decode("{\"type\":\"subscribe\",\"topic\":\"t\",\"since\":" + since + "}");
			assertThat(frame.since()).as(since).isSameAs(ClientFrame.Since.INVALID);
		}
	}

	@Test
	void decodeHistory() {
		ClientFrame frame = this.codec.decode("{\"type\":\"history\",\"topic\":\"t\",\"id\":1,\"limit\":5}");
		assertThat(frame.type()).isEqualTo(ClientFrame.Type.HISTORY);
		assertThat(frame.limit()).isEqualTo(5);
		assertThat(this.codec.decode("{\"type\":\"history\",\"topic\":\"t\"}").limit()).isZero();
		assertCode("{\"type\":\"history\",\"topic\":\"t\",\"limit\":0}", ErrorCode.INVALID_FRAME);
		assertCode("{\"type\":\"history\",\"topic\":\"t\",\"limit\":\"5\"}", ErrorCode.INVALID_FRAME);
		assertCode("{\"type\":\"history\",\"topic\":\"t\",\"limit\":99999999999}", ErrorCode.INVALID_FRAME);
	}

	@Test
	void encodeHistoryAcks() {
		JsonNode id = this.codec.decode("{\"type\":\"publish\",\"topic\":\"t\",\"data\":1,\"id\":\"p\"}").id();
		assertThat(text(this.codec.ack(id, "e1", 7))).isEqualTo("{\"type\":\"ack\",\"id\":\"p\",\"offset\":7,\"epoch\":\"e1\"}");
		byte[] message = "{\"type\":\"message\",\"topic\":\"t\",\"data\":1,\"offset\":7,\"epoch\":\"e1\"}"
			.getBytes(StandardCharsets.UTF_8);
		assertThat(text(this.codec.ack(id, true, "e1", 7, List.of(message))))
			.isEqualTo("{\"type\":\"ack\",\"id\":\"p\",\"recovered\":true,\"epoch\":\"e1\",\"offset\":7,\"messages\":["
					+ new String(message, StandardCharsets.UTF_8) + "]}");
		assertThat(text(this.codec.ack(id, null, "e1", 0, List.of())))
			.isEqualTo("{\"type\":\"ack\",\"id\":\"p\",\"epoch\":\"e1\",\"offset\":0,\"messages\":[]}");
	}

	private void assertCode(String payload, ErrorCode code) {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> this.codec.decode(payload))
			.satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(code));
	}

}
