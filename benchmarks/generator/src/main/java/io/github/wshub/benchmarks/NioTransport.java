package io.github.wshub.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * A minimal RFC 6455 client on a non-blocking {@link SocketChannel} ({@code --client nio}, the
 * default): plain {@code ws://} only, no extensions, masked client frames, pongs for pings,
 * fragmented messages reassembled. Each connection belongs to one {@link Loop} (a selector
 * thread) that reads, parses and dispatches its frames; sends are written at once from the
 * calling thread when the socket accepts them, and queued for the loop otherwise.
 * <p>
 * It exists because it costs the generator a fraction of the JDK client's CPU per received
 * message, and the generator shares two cores with the servers it measures.
 *
 * @author wshub
 */
final class NioTransport implements HubConnection.Transport {

	private final HubConnection connection;

	private final NioLoop loop;

	private final URI uri;

	private final SocketChannel channel;

	private final String key;

	private @Nullable SelectionKey selectionKey;

	private ByteBuffer in = ByteBuffer.allocate(16 * 1024);

	private boolean upgraded;

	// Guarded by this: frames not yet written, and whether the loop watches for writability.
	private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();

	private boolean writeWatched;

	private volatile int queued;

	private volatile boolean closeSent;

	private byte @Nullable [] fragments;

	private int fragmentLength;

	private NioTransport(HubConnection connection, NioLoop loop, URI uri) throws IOException {
		this.connection = connection;
		this.loop = loop;
		this.uri = uri;
		this.channel = SocketChannel.open();
		this.channel.configureBlocking(false);
		this.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
		byte[] nonce = new byte[16];
		ThreadLocalRandom.current().nextBytes(nonce);
		this.key = Base64.getEncoder().encodeToString(nonce);
	}

	/**
	 * Start connecting.
	 * @param connection the connection to report to
	 * @param loop the selector thread that will serve it
	 * @param uri the {@code ws://} address
	 * @return the transport
	 */
	static @Nullable NioTransport connect(HubConnection connection, NioLoop loop, URI uri) {
		try {
			NioTransport transport = new NioTransport(connection, loop, uri);
			connection.attach(transport);
			boolean connected = transport.channel.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
			loop.execute(() -> transport.register(connected));
			return transport;
		}
		catch (IOException ex) {
			connection.failed(ex);
			return null;
		}
	}

	private void register(boolean connected) {
		try {
			this.selectionKey = this.channel.register(this.loop.selector(), connected ? SelectionKey.OP_READ
					: SelectionKey.OP_CONNECT, this);
			if (connected) {
				sendHandshake();
			}
		}
		catch (IOException ex) {
			fail(ex);
		}
	}

	private void sendHandshake() {
		String path = (this.uri.getRawPath() == null || this.uri.getRawPath().isEmpty()) ? "/" : this.uri.getRawPath();
		String request = "GET " + path + " HTTP/1.1\r\nHost: " + this.uri.getHost() + ":" + this.uri.getPort()
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + this.key
				+ "\r\nSec-WebSocket-Version: 13\r\n\r\n";
		enqueue(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), false);
	}

	// Selector thread.
	void onSelected(SelectionKey key) {
		try {
			if (key.isConnectable()) {
				if (this.channel.finishConnect()) {
					key.interestOps(SelectionKey.OP_READ);
					sendHandshake();
				}
				return;
			}
			if (key.isWritable()) {
				flush();
			}
			if (key.isReadable()) {
				read();
			}
		}
		catch (IOException | CancelledKeyException ex) {
			fail(ex);
		}
	}

	private void read() throws IOException {
		int read = this.channel.read(this.in);
		if (read < 0) {
			fail(new IOException("Connection closed by the server"));
			return;
		}
		long now = System.nanoTime();
		this.in.flip();
		if (!this.upgraded && !readHandshake()) {
			this.in.compact();
			return;
		}
		while (this.upgraded && parseFrame(now)) {
			// One frame per iteration.
		}
		if (this.in.hasRemaining() && this.in.position() == 0 && this.in.limit() == this.in.capacity()) {
			// A frame larger than the buffer: grow it.
			ByteBuffer bigger = ByteBuffer.allocate(this.in.capacity() * 2);
			bigger.put(this.in);
			this.in = bigger;
			return;
		}
		this.in.compact();
	}

	private boolean readHandshake() throws IOException {
		int end = WebSocketHandshake.indexOf(this.in, WebSocketHandshake.CRLFCRLF);
		if (end < 0) {
			if (this.in.limit() == this.in.capacity()) {
				throw new IOException("Handshake response too large");
			}
			return false;
		}
		byte[] head = new byte[end + 4];
		this.in.get(head);
		String response = new String(head, StandardCharsets.ISO_8859_1);
		String status = response.substring(0, response.indexOf("\r\n"));
		String[] parts = status.split(" ");
		int code = (parts.length > 1) ? Integer.parseInt(parts[1]) : 0;
		if (code != 101) {
			throw new HandshakeFailedException(code);
		}
		if (!response.toLowerCase(java.util.Locale.ROOT).contains(WebSocketHandshake.acceptFor(this.key).toLowerCase(java.util.Locale.ROOT))) {
			throw new IOException("Bad Sec-WebSocket-Accept");
		}
		this.upgraded = true;
		return true;
	}

	private boolean parseFrame(long now) throws IOException {
		ByteBuffer buffer = this.in;
		int start = buffer.position();
		if (buffer.remaining() < 2) {
			return false;
		}
		int b0 = buffer.get(start) & 0xFF;
		int b1 = buffer.get(start + 1) & 0xFF;
		boolean fin = (b0 & 0x80) != 0;
		int opcode = b0 & 0x0F;
		boolean masked = (b1 & 0x80) != 0;
		long length = b1 & 0x7F;
		int header = 2;
		if (length == 126) {
			if (buffer.remaining() < 4) {
				return false;
			}
			length = buffer.getShort(start + 2) & 0xFFFF;
			header = 4;
		}
		else if (length == 127) {
			if (buffer.remaining() < 10) {
				return false;
			}
			length = buffer.getLong(start + 2);
			header = 10;
		}
		if (length > 16 * 1024 * 1024) {
			throw new IOException("Frame too large: " + length);
		}
		byte[] mask = null;
		if (masked) {
			if (buffer.remaining() < header + 4) {
				return false;
			}
			mask = new byte[4];
			for (int i = 0; i < 4; i++) {
				mask[i] = buffer.get(start + header + i);
			}
			header += 4;
		}
		if (buffer.remaining() < header + length) {
			return false;
		}
		int payloadStart = start + header;
		int payloadLength = (int) length;
		byte[] array = buffer.array();
		int offset = buffer.arrayOffset() + payloadStart;
		if (mask != null) {
			for (int i = 0; i < payloadLength; i++) {
				array[offset + i] ^= mask[i & 3];
			}
		}
		buffer.position(payloadStart + payloadLength);
		switch (opcode) {
			case 0x1, 0x2, 0x0 -> {
				if (fin && this.fragments == null) {
					if (opcode == 0x1) {
						this.connection.received(new String(array, offset, payloadLength, StandardCharsets.UTF_8), now);
					}
				}
				else {
					appendFragment(array, offset, payloadLength);
					if (fin) {
						String text = new String(this.fragments, 0, this.fragmentLength, StandardCharsets.UTF_8);
						this.fragments = null;
						this.fragmentLength = 0;
						this.connection.received(text, now);
					}
				}
			}
			case 0x8 -> {
				int code = (payloadLength >= 2) ? ((array[offset] & 0xFF) << 8) | (array[offset + 1] & 0xFF) : 1005;
				if (!this.closeSent) {
					sendFrame(0x8, new byte[] { (byte) (code >> 8), (byte) code });
				}
				this.connection.closedWith(code);
				closeChannel();
				return false;
			}
			case 0x9 -> {
				byte[] payload = new byte[payloadLength];
				System.arraycopy(array, offset, payload, 0, payloadLength);
				sendFrame(0xA, payload);
			}
			default -> {
				// Pong or reserved: ignored.
			}
		}
		return true;
	}

	private void appendFragment(byte[] array, int offset, int length) {
		if (this.fragments == null) {
			this.fragments = new byte[Math.max(256, length * 2)];
		}
		if (this.fragmentLength + length > this.fragments.length) {
			this.fragments = java.util.Arrays.copyOf(this.fragments, Math.max(this.fragments.length * 2,
					this.fragmentLength + length));
		}
		System.arraycopy(array, offset, this.fragments, this.fragmentLength, length);
		this.fragmentLength += length;
	}

	@Override
	public boolean send(String text) {
		sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
		return true;
	}

	private void sendFrame(int opcode, byte[] payload) {
		int length = payload.length;
		int header = (length < 126) ? 2 : (length <= 0xFFFF) ? 4 : 10;
		ByteBuffer frame = ByteBuffer.allocate(header + 4 + length);
		frame.put((byte) (0x80 | opcode));
		if (length < 126) {
			frame.put((byte) (0x80 | length));
		}
		else if (length <= 0xFFFF) {
			frame.put((byte) (0x80 | 126));
			frame.putShort((short) length);
		}
		else {
			frame.put((byte) (0x80 | 127));
			frame.putLong(length);
		}
		int mask = ThreadLocalRandom.current().nextInt();
		frame.putInt(mask);
		byte[] maskBytes = { (byte) (mask >> 24), (byte) (mask >> 16), (byte) (mask >> 8), (byte) mask };
		for (int i = 0; i < length; i++) {
			frame.put((byte) (payload[i] ^ maskBytes[i & 3]));
		}
		frame.flip();
		enqueue(frame, true);
	}

	private void enqueue(ByteBuffer frame, boolean counted) {
		synchronized (this) {
			if (!this.channel.isOpen()) {
				return;
			}
			if (this.out.isEmpty() && this.selectionKey != null) {
				try {
					this.channel.write(frame);
				}
				catch (IOException ex) {
					this.loop.execute(() -> fail(ex));
					return;
				}
				if (!frame.hasRemaining()) {
					return;
				}
			}
			this.out.add(frame);
			if (counted) {
				this.queued++;
			}
			if (!this.writeWatched) {
				this.writeWatched = true;
				this.loop.execute(this::watchWrites);
			}
		}
	}

	// Selector thread.
	private void watchWrites() {
		SelectionKey current = this.selectionKey;
		if (current != null && current.isValid()) {
			current.interestOps(current.interestOps() | SelectionKey.OP_WRITE);
		}
	}

	// Selector thread.
	private void flush() throws IOException {
		synchronized (this) {
			while (!this.out.isEmpty()) {
				ByteBuffer head = this.out.peek();
				this.channel.write(head);
				if (head.hasRemaining()) {
					return;
				}
				this.out.poll();
				if (this.queued > 0) {
					this.queued--;
				}
			}
			this.writeWatched = false;
			SelectionKey current = this.selectionKey;
			if (current != null && current.isValid()) {
				current.interestOps(SelectionKey.OP_READ);
			}
		}
	}

	@Override
	public int queued() {
		return this.queued;
	}

	@Override
	public void close(int code) {
		if (this.upgraded && !this.closeSent) {
			this.closeSent = true;
			sendFrame(0x8, new byte[] { (byte) (code >> 8), (byte) code });
		}
		else if (!this.upgraded) {
			abort();
		}
	}

	@Override
	public void abort() {
		this.loop.execute(this::closeChannel);
	}

	private void fail(Exception ex) {
		closeChannel();
		if (!this.upgraded) {
			this.connection.failed(ex);
		}
		else {
			this.connection.closedWith(1006);
		}
	}

	private void closeChannel() {
		SelectionKey current = this.selectionKey;
		if (current != null) {
			current.cancel();
		}
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
	}

}
