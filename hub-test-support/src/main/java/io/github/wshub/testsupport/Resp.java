package io.github.wshub.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Just enough of the Redis serialization protocol (RESP2) to send one command and decode its
 * reply, so test assertions need no Redis client library.
 *
 * @author wshub
 */
final class Resp {

	private Resp() {
	}

	static @Nullable Object execute(Socket socket, String... args) throws IOException {
		OutputStream out = socket.getOutputStream();
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (String arg : args) {
			byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
			request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			request.writeBytes(bytes);
			request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		out.write(request.toByteArray());
		out.flush();
		return read(new BufferedInputStream(socket.getInputStream()));
	}

	private static @Nullable Object read(InputStream in) throws IOException {
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
