package io.github.wshub.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link NioTransport} against a scripted server on a loopback socket.
 *
 * @author wshub
 */
class NioTransportTests {

	@Test
	void acceptKeyFollowsRfc6455() {
		assertThat(WebSocketHandshake.acceptFor("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	}

	@Test
	void handshakeFramesPingsAndCloseCode() throws Exception {
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				ClientPool pool = new ClientPool(List.of(URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws")),
						"nio", 250, 1)) {
			CompletableFuture<String> clientFrame = new CompletableFuture<>();
			Thread peer = new Thread(() -> serve(server, clientFrame));
			peer.start();
			List<String> frames = new CopyOnWriteArrayList<>();
			CompletableFuture<Integer> closed = new CompletableFuture<>();
			HubConnection connection = pool.open(new HubConnection.Handler() {

				@Override
				public void onFrame(HubConnection c, ServerFrame frame, long receivedNanos) {
					frames.add(frame.kind() + ":" + frame.topic() + ":" + frame.seq());
					c.send("{\"type\":\"subscribe\",\"topic\":\"bench.t1\",\"id\":1}");
				}

				@Override
				public void onClosed(HubConnection c, int code) {
					closed.complete(code);
				}

			});
			connection.welcomed().get(5, TimeUnit.SECONDS);
			assertThat(clientFrame.get(5, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"subscribe\",\"topic\":\"bench.t1\",\"id\":1}");
			assertThat(closed.get(5, TimeUnit.SECONDS)).isEqualTo(4002);
			assertThat(frames).containsExactly("MESSAGE:7:3");
			peer.join(5000);
		}
	}

	private static void serve(ServerSocket server, CompletableFuture<String> clientFrame) {
		try (Socket socket = server.accept()) {
			InputStream in = socket.getInputStream();
			OutputStream out = socket.getOutputStream();
			String request = readHead(in);
			Matcher key = Pattern.compile("Sec-WebSocket-Key: (\\S+)").matcher(request);
			key.find();
			out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: " + WebSocketHandshake.acceptFor(key.group(1)) + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			writeText(out, "{\"type\":\"welcome\",\"session\":\"s\",\"instance\":\"i\",\"protocol\":1}", true);
			out.write(new byte[] { (byte) 0x89, 2, 'h', 'i' }); // ping
			// A message split in two fragments.
			String message = "{\"type\":\"message\",\"topic\":\"bench.t7\",\"data\":{\"p\":1,\"s\":3,\"t\":5,\"x\":\"\"}}";
			writeFrame(out, 0x1, message.substring(0, 20).getBytes(StandardCharsets.UTF_8), false);
			writeFrame(out, 0x0, message.substring(20).getBytes(StandardCharsets.UTF_8), true);
			out.flush();
			String pong = readClientFrame(in);
			if (!"hi".equals(pong)) {
				clientFrame.completeExceptionally(new AssertionError("Expected the pong first, got " + pong));
				return;
			}
			clientFrame.complete(readClientFrame(in));
			writeFrame(out, 0x8, new byte[] { (byte) (4002 >> 8), (byte) (4002 & 0xFF) }, true);
			out.flush();
			readClientFrame(in);
		}
		catch (Exception ex) {
			clientFrame.completeExceptionally(ex);
		}
	}

	private static String readHead(InputStream in) throws Exception {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
			head.write(in.read());
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

	private static void writeText(OutputStream out, String text, boolean fin) throws Exception {
		writeFrame(out, 0x1, text.getBytes(StandardCharsets.UTF_8), fin);
	}

	private static void writeFrame(OutputStream out, int opcode, byte[] payload, boolean fin) throws Exception {
		out.write((fin ? 0x80 : 0) | opcode);
		if (payload.length < 126) {
			out.write(payload.length);
		}
		else {
			out.write(126);
			out.write(payload.length >> 8);
			out.write(payload.length & 0xFF);
		}
		out.write(payload);
	}

	// Client frames are masked; returns the unmasked payload as text.
	private static String readClientFrame(InputStream in) throws Exception {
		in.read();
		int length = in.read() & 0x7F;
		if (length == 126) {
			length = (in.read() << 8) | in.read();
		}
		byte[] mask = in.readNBytes(4);
		byte[] payload = in.readNBytes(length);
		for (int i = 0; i < payload.length; i++) {
			payload[i] ^= mask[i & 3];
		}
		return new String(payload, StandardCharsets.UTF_8);
	}

}
