package io.github.wshub.protocol;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * A server frame encoded once into UTF-8 text, sent to one session or shared by every session
 * it is delivered to. The transport that writes it may turn it into its own message type once
 * and keep that message here ({@link #toMessage(Class, Function)}), so a frame fanned out to
 * many sessions is wrapped once, not once per session.
 *
 * @author wshub
 */
public final class EncodedFrame {

	private final byte[] bytes;

	// The transport's message for this frame: made by the first send, reused by the later ones.
	private volatile @Nullable Object message;

	/**
	 * Create a frame.
	 * @param bytes the UTF-8 encoded text frame; not copied, and not to be modified afterwards
	 */
	public EncodedFrame(byte[] bytes) {
		this.bytes = bytes;
	}

	/**
	 * Return the UTF-8 encoded text frame. Not copied: callers must not modify it.
	 * @return the bytes
	 */
	public byte[] bytes() {
		return this.bytes;
	}

	/**
	 * Return the transport's message for this frame, creating it on first use and reusing it for
	 * every later send. Only for immutable messages that may be sent to several sessions (their
	 * state in final fields): two threads sending the frame at once may each create one.
	 * @param <M> the message type
	 * @param type the message type
	 * @param factory creates the message from {@link #bytes()}
	 * @return the message
	 */
	public <M> M toMessage(Class<M> type, Function<byte[], ? extends M> factory) {
		Object cached = this.message;
		if (type.isInstance(cached)) {
			return type.cast(cached);
		}
		M created = factory.apply(this.bytes);
		this.message = created;
		return created;
	}

	@Override
	public String toString() {
		return "EncodedFrame[" + this.bytes.length + " bytes]";
	}

}
