package io.github.wshub.reactive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import io.github.wshub.protocol.EncodedFrame;
import io.github.wshub.protocol.HubCloseStatus;
import io.github.wshub.session.SessionTransport.SendLimitExceededException;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;

/**
 * Tests for {@link ReactiveSessionTransport}: its queue, limits and close, with the connection
 * played by a subscriber that takes frames when told to.
 *
 * @author wshub
 */
class ReactiveSessionTransportTests {

	private static final EncodedFrame KILOBYTE = new EncodedFrame("x".repeat(1024).getBytes(StandardCharsets.UTF_8));

	private final WebSocketSession session = mock(WebSocketSession.class);

	private final AtomicInteger aborts = new AtomicInteger();

	private final Connection connection = new Connection();

	ReactiveSessionTransportTests() {
		given(this.session.bufferFactory()).willReturn(DefaultDataBufferFactory.sharedInstance);
	}

	private ReactiveSessionTransport transport(Duration sendTimeLimit, int sendBufferSizeLimit) {
		ReactiveSessionTransport transport = new ReactiveSessionTransport(this.session, "s-1", null, sendTimeLimit,
				sendBufferSizeLimit, this.aborts::incrementAndGet);
		transport.outbound().subscribe(this.connection);
		return transport;
	}

	@Test
	void framesQueueUntilTheConnectionTakesThemInOrder() throws Exception {
		ReactiveSessionTransport transport = transport(Duration.ofSeconds(10), 4096);
		transport.send(new EncodedFrame("{\"n\":1}".getBytes(StandardCharsets.UTF_8)));
		transport.sendPing();
		transport.send(new EncodedFrame("{\"n\":2}".getBytes(StandardCharsets.UTF_8)));
		assertThat(transport.getBufferedBytes()).isEqualTo(14);
		this.connection.take(3);
		assertThat(this.connection.taken).extracting(WebSocketMessage::getType)
			.containsExactly(WebSocketMessage.Type.TEXT, WebSocketMessage.Type.PING, WebSocketMessage.Type.TEXT);
		assertThat(this.connection.taken.get(2).getPayloadAsText()).isEqualTo("{\"n\":2}");
		assertThat(transport.getBufferedBytes()).isZero();
	}

	@Test
	void aFrameSentWhileNothingWaitsIsAcceptedWhateverItsSize() throws Exception {
		ReactiveSessionTransport transport = transport(Duration.ofSeconds(10), 100);
		this.connection.take(1);
		transport.send(KILOBYTE);
		assertThat(this.connection.taken).hasSize(1);
		assertThat(transport.getBufferedBytes()).isZero();
	}

	@Test
	void onAnEventLoopASendOverTheBufferLimitIsRefused() {
		ReactiveSessionTransport transport = transport(Duration.ofSeconds(10), 2048);
		Mono<Void> sends = Mono.<Void>fromRunnable(() -> {
			for (int i = 0; i < 3; i++) {
				sendQuietly(transport, KILOBYTE);
			}
		}).subscribeOn(Schedulers.parallel());
		assertThatExceptionOfType(SendLimitExceededException.class).isThrownBy(sends::block)
			.withMessageContaining("Buffer size 3072 bytes");
	}

	@Test
	void offTheEventLoopsASendOverTheBufferLimitWaitsWhileTheConnectionTakesFrames() throws Exception {
		ReactiveSessionTransport transport = transport(Duration.ofSeconds(10), 2048);
		transport.send(KILOBYTE);
		transport.send(KILOBYTE);
		CompletableFuture<Void> third = CompletableFuture.runAsync(() -> sendQuietly(transport, KILOBYTE));
		Thread.sleep(100);
		assertThat(third).isNotDone();
		this.connection.take(1);
		third.get(5, TimeUnit.SECONDS);
		assertThat(transport.getBufferedBytes()).isEqualTo(2048);
	}

	@Test
	void aConnectionThatTakesNothingForTheSendTimeLimitIsRefused() throws Exception {
		ReactiveSessionTransport transport = transport(Duration.ofMillis(200), 1 << 20);
		transport.send(KILOBYTE);
		Thread.sleep(300);
		assertThatExceptionOfType(SendLimitExceededException.class).isThrownBy(() -> transport.send(KILOBYTE))
			.withMessageContaining("Send time");
		assertThatExceptionOfType(SendLimitExceededException.class).isThrownBy(transport::sendPing);
	}

	@Test
	void aWaitingSendIsRefusedWhenTheConnectionStopsTakingFrames() {
		ReactiveSessionTransport transport = transport(Duration.ofMillis(300), 2048);
		sendQuietly(transport, KILOBYTE);
		sendQuietly(transport, KILOBYTE);
		long start = System.nanoTime();
		assertThatExceptionOfType(SendLimitExceededException.class).isThrownBy(() -> transport.send(KILOBYTE));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void closeSendsItsStatusOnceAndLaterSendsAreDropped() throws Exception {
		given(this.session.close(any())).willReturn(Mono.empty());
		ReactiveSessionTransport transport = transport(Duration.ofSeconds(10), 4096);
		transport.close(HubCloseStatus.SLOW_CONSUMER);
		transport.close(HubCloseStatus.SHUTDOWN);
		then(this.session).should(times(1)).close(new CloseStatus(4002, "slow consumer"));
		assertThat(transport.isOpen()).isFalse();
		transport.send(KILOBYTE);
		assertThat(transport.getBufferedBytes()).isZero();
		assertThat(this.aborts).hasValue(0);
	}

	@Test
	void aCloseFrameThatCannotBeWrittenDropsTheConnection() {
		given(this.session.close(any())).willReturn(Mono.never());
		ReactiveSessionTransport transport = transport(Duration.ofSeconds(10), 4096);
		transport.close(HubCloseStatus.SLOW_CONSUMER);
		assertThat(this.aborts).hasValue(0);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.aborts.get() == 1);
	}

	private static void sendQuietly(ReactiveSessionTransport transport, EncodedFrame frame) {
		try {
			transport.send(frame);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The connection: takes frames only when told to.
	 */
	private static final class Connection extends BaseSubscriber<WebSocketMessage> {

		private final List<WebSocketMessage> taken = new CopyOnWriteArrayList<>();

		@Override
		protected void hookOnSubscribe(Subscription subscription) {
		}

		@Override
		protected void hookOnNext(WebSocketMessage message) {
			this.taken.add(message);
		}

		void take(int frames) {
			request(frames);
		}

	}

}
