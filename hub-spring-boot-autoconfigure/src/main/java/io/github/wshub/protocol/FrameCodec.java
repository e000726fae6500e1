package io.github.wshub.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;


import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.Assert;

/**
 * Reads client frames and writes server frames of protocol v1 (see {@code docs/protocol.md}).
 * <p>
 * Numbers in {@code data} keep their precision: decimals are read as {@code BigDecimal} and big
 * integers as {@code BigInteger}, and written back unchanged in value. Each outgoing frame is
 * encoded once into UTF-8 bytes; a {@code message} frame is shared by every session it is
 * delivered to.
 *
 * @author wshub
 */
public final class FrameCodec {

	/**
	 * Protocol version announced in the {@code welcome} frame.
	 */
	public static final int PROTOCOL_VERSION = 1;

	private final JsonMapper mapper;

	private final TopicNames topicNames;

	private final int maxIdLength;

	/**
	 * Create a codec.
	 * @param topicNames the topic syntax to enforce
	 * @param maxIdLength the longest accepted request id, in characters (of the string, or of a
	 * number's JSON text)
	 * @param maxNestingDepth the deepest nesting of arrays and objects accepted in a frame
	 */
	public FrameCodec(TopicNames topicNames, int maxIdLength, int maxNestingDepth) {
		Assert.notNull(topicNames, "'topicNames' must not be null");
		Assert.isTrue(maxIdLength > 0, "'maxIdLength' must be positive");
		Assert.isTrue(maxNestingDepth > 1, "'maxNestingDepth' must be greater than 1");
		JsonFactory factory = JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxNestingDepth).build())
			.build();
		this.mapper = JsonMapper.builder(factory)
			.enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
			.disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
			.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
			.build();
		this.topicNames = topicNames;
		this.maxIdLength = maxIdLength;
	}

	/**
	 * Return the topic syntax this codec enforces.
	 * @return the topic names validator
	 */
	public TopicNames topicNames() {
		return this.topicNames;
	}

	/**
	 * Read and validate one client frame.
	 * @param payload the text frame
	 * @return the request
	 * @throws ProtocolException if the frame is not a valid request
	 */
	public ClientFrame decode(String payload) {
		JsonNode root;
		try {
			root = this.mapper.readTree(payload);
		}
		catch (tools.jackson.core.exc.StreamConstraintsException ex) {
			throw new ProtocolException(ErrorCode.INVALID_FRAME, "Frame exceeds the JSON nesting or size limits", null);
		}
		catch (JacksonException ex) {
			throw new ProtocolException(ErrorCode.INVALID_FRAME, "Frame is not valid JSON", null);
		}
		if (root == null || !root.isObject()) {
			throw new ProtocolException(ErrorCode.INVALID_FRAME, "Frame must be a JSON object", null);
		}
		JsonNode id = readId(root.get("id"));
		JsonNode typeNode = root.get("type");
		if (typeNode == null || !typeNode.isString()) {
			throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "'type' must be a string", id);
		}
		ClientFrame.Type type = switch (typeNode.stringValue()) {
			case "subscribe" -> ClientFrame.Type.SUBSCRIBE;
			case "unsubscribe" -> ClientFrame.Type.UNSUBSCRIBE;
			case "publish" -> ClientFrame.Type.PUBLISH;
			case "history" -> ClientFrame.Type.HISTORY;
			default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "Unknown type '"
					+ abbreviate(typeNode.stringValue()) + "'", id);
		};
		JsonNode topicNode = root.get("topic");
		if (topicNode == null || !topicNode.isString()) {
			throw new ProtocolException(ErrorCode.INVALID_TOPIC, "'topic' must be a string", id);
		}
		String topic = topicNode.stringValue();
		String problem = this.topicNames.problem(topic);
		if (problem != null) {
			throw new ProtocolException(ErrorCode.INVALID_TOPIC, problem, id);
		}
		JsonNode data = null;
		if (type == ClientFrame.Type.PUBLISH) {
			data = root.get("data");
			if (data == null) {
				throw new ProtocolException(ErrorCode.INVALID_FRAME, "'data' is required for publish", id);
			}
		}
		ClientFrame.Since since = (type == ClientFrame.Type.SUBSCRIBE) ? readSince(root.get("since")) : null;
		int limit = (type == ClientFrame.Type.HISTORY) ? readLimit(root.get("limit"), id) : 0;
		return new ClientFrame(type, topic, id, data, since, limit);
	}

	// A malformed position is not an error: the subscribe goes on and is not recovered.
	private static ClientFrame.@Nullable Since readSince(@Nullable JsonNode since) {
		if (since == null || since.isNull()) {
			return null;
		}
		JsonNode epoch = since.get("epoch");
		JsonNode offset = since.get("offset");
		if (!since.isObject() || epoch == null || !epoch.isString() || offset == null || !offset.isIntegralNumber()
				|| !offset.canConvertToLong()) {
			return ClientFrame.Since.INVALID;
		}
		return new ClientFrame.Since(epoch.stringValue(), offset.longValue());
	}

	private static int readLimit(@Nullable JsonNode limit, @Nullable JsonNode id) {
		if (limit == null || limit.isNull()) {
			return 0;
		}
		if (!limit.isIntegralNumber() || !limit.canConvertToInt() || limit.intValue() < 1) {
			throw new ProtocolException(ErrorCode.INVALID_FRAME, "'limit' must be a positive integer", id);
		}
		return limit.intValue();
	}

	private @Nullable JsonNode readId(@Nullable JsonNode id) {
		if (id == null || id.isNull()) {
			return null;
		}
		if (!id.isString() && !id.isNumber()) {
			throw new ProtocolException(ErrorCode.INVALID_ID, "'id' must be a string or a number", null);
		}
		int length;
		if (id.isString()) {
			length = id.stringValue().length();
		}
		else if (id.isInt() || id.isLong()) {
			// The node's JSON text, without serializing the node.
			length = Long.toString(id.longValue()).length();
		}
		else {
			length = id.toString().length();
		}
		if (length > this.maxIdLength) {
			throw new ProtocolException(ErrorCode.INVALID_ID, "'id' must be at most " + this.maxIdLength
					+ " characters", null);
		}
		return id;
	}

	/**
	 * Encode a {@code message} frame carrying a client's JSON value.
	 * @param topic the topic
	 * @param data the payload
	 * @return the UTF-8 frame
	 */
	public byte[] encodeMessage(String topic, JsonNode data) {
		return writeMessage(topic, data);
	}

	/**
	 * Encode a {@code message} frame carrying any value Jackson can serialize.
	 * @param topic the topic
	 * @param data the payload, serialized with this codec's JSON mapper
	 * @return the UTF-8 frame
	 */
	public byte[] encodeMessage(String topic, @Nullable Object data) {
		return writeMessage(topic, data);
	}

	/**
	 * Encode a {@code direct} frame: a message sent to one user or session rather than a topic.
	 * @param data the payload, serialized with this codec's JSON mapper
	 * @return the UTF-8 frame
	 */
	public byte[] encodeDirect(@Nullable Object data) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(64);
		try (JsonGenerator generator = this.mapper.createGenerator(out)) {
			generator.writeStartObject();
			generator.writeStringProperty("type", "direct");
			generator.writeName("data");
			writeData(generator, data);
			generator.writeEndObject();
		}
		return out.toByteArray();
	}

	private byte[] writeMessage(String topic, @Nullable Object data) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(64 + topic.length());
		try (JsonGenerator generator = this.mapper.createGenerator(out)) {
			generator.writeStartObject();
			generator.writeStringProperty("type", "message");
			generator.writeStringProperty("topic", topic);
			generator.writeName("data");
			writeData(generator, data);
			generator.writeEndObject();
		}
		return out.toByteArray();
	}

	private static void writeData(JsonGenerator generator, @Nullable Object data) {
		if (data instanceof JsonNode node) {
			generator.writeTree(node);
		}
		else {
			generator.writePOJO(data);
		}
	}

	/**
	 * Encode the {@code welcome} frame.
	 * @param sessionId the session id
	 * @param instanceId the id of the instance the session is connected to
	 * @return the frame
	 */
	public EncodedFrame welcome(String sessionId, String instanceId) {
		// One per connection: written directly rather than through a generator, with the
		// strings escaped as the generator escapes them.
		StringBuilder json = new StringBuilder(64 + sessionId.length() + instanceId.length());
		json.append("{\"type\":\"welcome\",\"session\":\"");
		JsonStringEncoder.getInstance().quoteAsString(sessionId, json);
		json.append("\",\"instance\":\"");
		JsonStringEncoder.getInstance().quoteAsString(instanceId, json);
		json.append("\",\"protocol\":").append(PROTOCOL_VERSION).append('}');
		return new EncodedFrame(json.toString().getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Encode an {@code ack} frame.
	 * @param id the request id, echoed with its JSON type
	 * @return the frame
	 */
	public EncodedFrame ack(JsonNode id) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(32);
		try (JsonGenerator generator = this.mapper.createGenerator(out)) {
			generator.writeStartObject();
			generator.writeStringProperty("type", "ack");
			generator.writeName("id");
			generator.writeTree(id);
			generator.writeEndObject();
		}
		return new EncodedFrame(out.toByteArray());
	}

	/**
	 * Encode the {@code ack} of a publish on a topic with history: the message's position.
	 * @param id the request id
	 * @param epoch the topic's epoch
	 * @param offset the message's offset
	 * @return the frame
	 */
	public EncodedFrame ack(JsonNode id, String epoch, long offset) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(80);
		try (JsonGenerator generator = this.mapper.createGenerator(out)) {
			generator.writeStartObject();
			generator.writeStringProperty("type", "ack");
			generator.writeName("id");
			generator.writeTree(id);
			generator.writeNumberProperty("offset", offset);
			generator.writeStringProperty("epoch", epoch);
			generator.writeEndObject();
		}
		return new EncodedFrame(out.toByteArray());
	}

	/**
	 * Encode the {@code ack} of a {@code subscribe} with a recovery position, or of a
	 * {@code history} request: the topic's position and the messages, each an encoded
	 * {@code message} frame, copied in as they are.
	 * @param id the request id
	 * @param recovered whether the subscribe recovered, or {@code null} for a history request
	 * @param epoch the topic's epoch
	 * @param offset the topic's top offset
	 * @param messages the {@code message} frames, oldest first
	 * @return the frame
	 */
	public EncodedFrame ack(JsonNode id, @Nullable Boolean recovered, String epoch, long offset,
			List<byte[]> messages) {
		int size = 96;
		for (byte[] message : messages) {
			size += message.length + 1;
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream(size);
		try (JsonGenerator generator = this.mapper.createGenerator(out)) {
			generator.writeStartObject();
			generator.writeStringProperty("type", "ack");
			generator.writeName("id");
			generator.writeTree(id);
			if (recovered != null) {
				generator.writeBooleanProperty("recovered", recovered);
			}
			generator.writeStringProperty("epoch", epoch);
			generator.writeNumberProperty("offset", offset);
			generator.writeName("messages");
			generator.writeStartArray();
			for (byte[] message : messages) {
				// Frames this hub encoded: valid JSON, copied without parsing.
				generator.writeRawValue(new String(message, StandardCharsets.UTF_8));
			}
			generator.writeEndArray();
			generator.writeEndObject();
		}
		return new EncodedFrame(out.toByteArray());
	}

	/**
	 * Encode an {@code error} frame.
	 * @param id the request id, or {@code null} to leave it out
	 * @param code the error code
	 * @param message the human readable message
	 * @return the frame
	 */
	public EncodedFrame error(@Nullable JsonNode id, ErrorCode code, String message) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(96 + message.length());
		try (JsonGenerator generator = this.mapper.createGenerator(out)) {
			generator.writeStartObject();
			generator.writeStringProperty("type", "error");
			if (id != null) {
				generator.writeName("id");
				generator.writeTree(id);
			}
			generator.writeStringProperty("code", code.code());
			generator.writeStringProperty("message", message);
			generator.writeEndObject();
		}
		return new EncodedFrame(out.toByteArray());
	}

	private static String abbreviate(String value) {
		String printable = value.length() > 32 ? value.substring(0, 32) + "..." : value;
		return printable.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "?");
	}

}
