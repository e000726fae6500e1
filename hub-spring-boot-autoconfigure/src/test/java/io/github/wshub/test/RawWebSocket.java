package io.github.wshub.test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bare-bones WebSocket client on a plain socket, for tests that need a misbehaving peer: one
 * that never answers pings, or never reads. It sends masked frames and reads frames only when
 * asked to.
 *
 * @author wshub
 */
public final class RawWebSocket implements AutoCloseable {

	private final Socket socket;

	private final DataInputStream in;

	private final OutputStream out;

	private RawWebSocket(Socket socket, String handshakeResponse) throws IOException {
		this.socket = socket;
		this.in = new DataInputStream(socket.getInputStream());
		this.out = socket.getOutputStream();
		if (!handshakeResponse.startsWith("HTTP/1.1 101")) {
			throw new IOException("Handshake refused: " + handshakeResponse.lines().findFirst().orElse(""));
		}
	}

	/**
	 * Open a connection with the given socket receive buffer, so a test can make the client
	 * fall behind quickly.
	 * @param port the server port
	 * @param receiveBufferSize the socket receive buffer size, or 0 for the default
	 * @param origin the Origin header to send, or {@code null} for none
	 * @return the connected client
	 * @throws IOException on failure, including a refused handshake
	 */
	public static RawWebSocket connect(int port, int receiveBufferSize, String origin) throws IOException {
		Socket socket = new Socket();
		if (receiveBufferSize > 0) {
			socket.setReceiveBufferSize(receiveBufferSize);
		}
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(30_000);
		byte[] keyBytes = new byte[16];
		ThreadLocalRandom.current().nextBytes(keyBytes);
		String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(keyBytes) + "\r\n"
				+ "Sec-WebSocket-Version: 13\r\n" + ((origin != null) ? "Origin: " + origin + "\r\n" : "") + "\r\n";
		socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
		return new RawWebSocket(socket, readHeaders(socket.getInputStream()));
	}

	public static RawWebSocket connect(int port) throws IOException {
		return connect(port, 0, null);
	}

	private static String readHeaders(InputStream in) throws IOException {
		ByteArrayOutputStream headers = new ByteArrayOutputStream();
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				throw new EOFException("Connection closed during handshake: " + headers);
			}
			headers.write(b);
			matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		return headers.toString(StandardCharsets.US_ASCII);
	}

	/**
	 * Send a masked text frame.
	 * @param text the text
	 * @throws IOException on failure
	 */
	public void sendText(String text) throws IOException {
		sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
	}

	public void sendFrame(int opcode, byte[] payload) throws IOException {
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write(0x80 | opcode);
		if (payload.length < 126) {
			frame.write(0x80 | payload.length);
		}
		else if (payload.length < 65536) {
			frame.write(0x80 | 126);
			frame.write(payload.length >>> 8);
			frame.write(payload.length & 0xff);
		}
		else {
			frame.write(0x80 | 127);
			for (int shift = 56; shift >= 0; shift -= 8) {
				frame.write((int) ((long) payload.length >>> shift) & 0xff);
			}
		}
		byte[] mask = new byte[4];
		ThreadLocalRandom.current().nextBytes(mask);
		frame.write(mask);
		for (int i = 0; i < payload.length; i++) {
			frame.write(payload[i] ^ mask[i % 4]);
		}
		this.out.write(frame.toByteArray());
		this.out.flush();
	}

	/**
	 * Read frames until the server's close frame and return its close code, skipping pings and
	 * data frames.
	 * @return the close code, or 1006 if the connection ended without a close frame
	 */
	public int readUntilClose() {
		try {
			while (true) {
				int first = this.in.read();
				if (first < 0) {
					return 1006;
				}
				int opcode = first & 0x0f;
				int second = this.in.readUnsignedByte();
				long length = second & 0x7f;
				if (length == 126) {
					length = this.in.readUnsignedShort();
				}
				else if (length == 127) {
					length = this.in.readLong();
				}
				byte[] payload = new byte[(int) length];
				this.in.readFully(payload);
				if (opcode == 0x8) {
					return (payload.length >= 2) ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
				}
			}
		}
		catch (IOException ex) {
			return 1006;
		}
	}

	/**
	 * Return the bytes received and not read yet: with a small receive buffer, a client that
	 * never reads has a full receive window once this stops growing.
	 * @return the unread bytes
	 * @throws IOException on failure
	 */
	public int unreadBytes() throws IOException {
		return this.in.available();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
