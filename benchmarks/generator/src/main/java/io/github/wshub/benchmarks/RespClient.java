package io.github.wshub.benchmarks;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal Redis client (RESP2 over a socket) for the few administrative commands the
 * benchmarks need: {@code CONFIG RESETSTAT} and {@code INFO commandstats}. Connects to the
 * loopback address only.
 *
 * @author wshub
 */
public final class RespClient implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	/**
	 * Connect to a Redis on 127.0.0.1.
	 * @param port the port
	 * @throws IOException if it cannot connect
	 */
	public RespClient(int port) throws IOException {
		this.socket = new Socket();
		this.socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		this.socket.setSoTimeout(10_000);
		this.in = new BufferedInputStream(this.socket.getInputStream());
		this.out = this.socket.getOutputStream();
	}

	/**
	 * Run a command and return its reply: a {@code String} for simple and bulk strings, a
	 * {@code Long} for integers, a {@code List} for arrays, {@code null} for a null reply.
	 * @param args the command and its arguments
	 * @return the reply
	 * @throws IOException on a connection problem or an error reply
	 */
	public Object command(String... args) throws IOException {
		this.out.write(encode(args));
		this.out.flush();
		return read(this.in);
	}

	/**
	 * Encode a command as a RESP array of bulk strings.
	 * @param args the command and its arguments
	 * @return the bytes to send
	 */
	static byte[] encode(String... args) {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		buffer.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (String arg : args) {
			byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
			buffer.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			buffer.writeBytes(bytes);
			buffer.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		return buffer.toByteArray();
	}

	/**
	 * Read one RESP reply.
	 * @param in the stream
	 * @return the reply
	 * @throws IOException on a connection problem or an error reply
	 */
	static Object read(InputStream in) throws IOException {
		int type = in.read();
		String line = readLine(in);
		switch (type) {
			case '+':
				return line;
			case '-':
				throw new IOException("Redis error: " + line);
			case ':':
				return Long.parseLong(line);
			case '$': {
				int length = Integer.parseInt(line);
				if (length < 0) {
					return null;
				}
				byte[] bytes = in.readNBytes(length);
				readLine(in);
				return new String(bytes, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(line);
				if (count < 0) {
					return null;
				}
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(read(in));
				}
				return items;
			}
			case -1:
				throw new EOFException("Redis closed the connection");
			default:
				throw new IOException("Unexpected RESP type '" + (char) type + "'");
		}
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int c;
		while ((c = in.read()) != -1) {
			if (c == '\r') {
				in.read();
				return line.toString();
			}
			line.append((char) c);
		}
		throw new EOFException("Redis closed the connection");
	}

	/**
	 * Return the number of calls of each command from {@code INFO commandstats}.
	 * @return calls by lower-case command name
	 * @throws IOException on a connection problem
	 */
	public Map<String, Long> commandCalls() throws IOException {
		return parseCommandCalls((String) command("INFO", "commandstats"));
	}

	/**
	 * Parse {@code INFO commandstats} output: lines like
	 * {@code cmdstat_subscribe:calls=12,usec=34,usec_per_call=2.83,...}.
	 * @param info the output
	 * @return calls by lower-case command name
	 */
	public static Map<String, Long> parseCommandCalls(String info) {
		Map<String, Long> calls = new HashMap<>();
		for (String line : info.split("\r?\n")) {
			if (!line.startsWith("cmdstat_")) {
				continue;
			}
			int colon = line.indexOf(':');
			String name = line.substring("cmdstat_".length(), colon);
			for (String field : line.substring(colon + 1).split(",")) {
				if (field.startsWith("calls=")) {
					calls.put(name, Long.parseLong(field.substring(6)));
				}
			}
		}
		return calls;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
