package io.github.wshub.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A connection to a Redis on 127.0.0.1 speaking just enough of RESP2 to send commands and
 * decode their replies, so tests and benchmarks need no Redis client library.
 *
 * @author wshub
 */
public final class RespConnection implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	/**
	 * Connect to a Redis on 127.0.0.1.
	 * @param port the port
	 * @throws IOException if it cannot connect
	 */
	public RespConnection(int port) throws IOException {
		this.socket = new Socket();
		try {
			this.socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
			this.socket.setSoTimeout(10_000);
			this.in = new BufferedInputStream(this.socket.getInputStream());
			this.out = this.socket.getOutputStream();
		}
		catch (IOException ex) {
			this.socket.close();
			throw ex;
		}
	}

	/**
	 * Run one command and return its reply: a {@link String} for simple and bulk strings, a
	 * {@link Long} for integers, a {@link List} for arrays, or {@code null}.
	 * @param args the command and its arguments
	 * @return the decoded reply
	 * @throws IOException on a connection problem
	 * @throws RedisServerException when Redis answers with an error
	 */
	public @Nullable Object command(String... args) throws IOException {
		this.out.write(encode(args));
		this.out.flush();
		return read(this.in);
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	/**
	 * Encode a command as a RESP array of bulk strings.
	 * @param args the command and its arguments
	 * @return the bytes to send
	 */
	public static byte[] encode(String... args) {
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (String arg : args) {
			byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
			request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			request.writeBytes(bytes);
			request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		return request.toByteArray();
	}

	/**
	 * Read one RESP reply.
	 * @param in the stream
	 * @return the decoded reply
	 * @throws IOException on a connection problem
	 * @throws RedisServerException when the reply is an error
	 */
	public static @Nullable Object read(InputStream in) throws IOException {
		int type = in.read();
		String line = readLine(in);
		switch (type) {
			case '+':
				return line;
			case '-':
				throw new RedisServerException(line);
			case ':':
				return Long.parseLong(line);
			case '$': {
				int length = Integer.parseInt(line);
				if (length < 0) {
					return null;
				}
				byte[] data = in.readNBytes(length + 2);
				return new String(data, 0, length, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(line);
				if (count < 0) {
					return null;
				}
				List<@Nullable Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(read(in));
				}
				return items;
			}
			case -1:
				throw new EOFException("Connection closed by Redis");
			default:
				throw new IOException("Unexpected RESP type '" + (char) type + "'");
		}
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		while (true) {
			int current = in.read();
			if (current == -1) {
				throw new EOFException("Connection closed by Redis");
			}
			if (previous == '\r' && current == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(current);
			previous = current;
		}
	}

}
