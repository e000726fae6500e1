package io.github.wshub.session;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.wshub.instrumentation.HubInstrumentation;
import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.servlet.ServletSessionTransport;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link SessionCloser}: closes that block hold up neither the other closes nor the
 * caller past its deadline, and a session's queue is waited for only until its deadline.
 *
 * @author wshub
 */
class SessionCloserTests {

	private final CountDownLatch release = new CountDownLatch(1);

	private final SessionCloser closer = new SessionCloser();

	@AfterEach
	void releaseAndShutdown() {
		this.release.countDown();
		this.closer.shutdown();
	}

	@Test
	void closesThatBlockHoldUpNeitherOtherClosesNorTheCaller() throws Exception {
		for (int i = 0; i < 4; i++) {
			this.closer.close(session(blockingClose()), HubCloseStatus.SHUTDOWN);
		}
		CountDownLatch closed = new CountDownLatch(1);
		this.closer.close(session(recordingClose(closed)), HubCloseStatus.SHUTDOWN);
		assertThat(closed.await(2, TimeUnit.SECONDS)).as("the close that does not block").isTrue();
		long start = System.nanoTime();
		int unclosed = this.closer.await(start + TimeUnit.MILLISECONDS.toNanos(200));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(190),
				Duration.ofSeconds(2));
		assertThat(unclosed).isEqualTo(4);
	}

	@Test
	void closeWhenFlushedWaitsForTheQueueUntilTheDeadline() throws Exception {
		CountDownLatch closed = new CountDownLatch(1);
		WebSocketSession raw = recordingClose(closed);
		HubSession session = session(raw);
		sendThatBlocks(raw, session);
		long start = System.nanoTime();
		this.closer.closeWhenFlushed(session, HubCloseStatus.SHUTDOWN, start + TimeUnit.MILLISECONDS.toNanos(300));
		assertThat(closed.await(3, TimeUnit.SECONDS)).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(290),
				Duration.ofSeconds(2));
	}

	@Test
	void closeWhenFlushedClosesOnceTheQueueIsWritten() throws Exception {
		CountDownLatch closed = new CountDownLatch(1);
		WebSocketSession raw = recordingClose(closed);
		HubSession session = session(raw);
		sendThatBlocks(raw, session);
		this.closer.closeWhenFlushed(session, HubCloseStatus.SHUTDOWN,
				System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
		assertThat(closed.await(200, TimeUnit.MILLISECONDS)).as("closed while its queue is not written").isFalse();
		this.release.countDown();
		assertThat(closed.await(2, TimeUnit.SECONDS)).isTrue();
		assertThat(this.closer.await(System.nanoTime() + TimeUnit.SECONDS.toNanos(2))).isZero();
	}

	@Test
	void closeAllReturnsAfterItsTimeoutWhenClosesBlock() {
		List<HubSession> sessions = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			sessions.add(session(blockingClose()));
		}
		long start = System.nanoTime();
		int unclosed = SessionCloser.closeAll(sessions, HubCloseStatus.SHUTDOWN, Duration.ofMillis(200));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(190),
				Duration.ofSeconds(2));
		assertThat(unclosed).isEqualTo(3);
	}

	private WebSocketSession blockingClose() {
		return rawSession((status) -> this.release.await(30, TimeUnit.SECONDS));
	}

	private static WebSocketSession recordingClose(CountDownLatch closed) {
		return rawSession((status) -> closed.countDown());
	}

	private static WebSocketSession rawSession(CloseAction onClose) {
		WebSocketSession raw = mock(WebSocketSession.class);
		given(raw.getId()).willReturn("s");
		given(raw.isOpen()).willReturn(true);
		try {
			willAnswer((invocation) -> {
				onClose.close(invocation.getArgument(0));
				return null;
			}).given(raw).close(any(CloseStatus.class));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		return raw;
	}

	// Starts a send that blocks in the socket write until released, and queues a message
	// behind it: the session then has queued bytes (the decorator does not count the message
	// being written).
	private void sendThatBlocks(WebSocketSession raw, HubSession session) throws Exception {
		CountDownLatch writing = new CountDownLatch(1);
		willAnswer((invocation) -> {
			writing.countDown();
			this.release.await(30, TimeUnit.SECONDS);
			return null;
		}).given(raw).sendMessage(any(WebSocketMessage.class));
		CompletableFuture.runAsync(() -> session.send(frame("x".repeat(100))));
		assertThat(writing.await(2, TimeUnit.SECONDS)).isTrue();
		assertThat(session.send(frame("y".repeat(100)))).isTrue();
		assertThat(session.getBufferedBytes()).isEqualTo(100);
	}

	private static EncodedFrame frame(String text) {
		return new EncodedFrame(text.getBytes(StandardCharsets.UTF_8));
	}

	private static HubSession session(WebSocketSession raw) {
		return new HubSession(
				new ServletSessionTransport(raw, new ConcurrentWebSocketSessionDecorator(raw, 10_000, 1024 * 1024)),
				null, null, Runnable::run, HubInstrumentation.NONE);
	}

	@FunctionalInterface
	private interface CloseAction {

		void close(CloseStatus status) throws Exception;

	}

}
