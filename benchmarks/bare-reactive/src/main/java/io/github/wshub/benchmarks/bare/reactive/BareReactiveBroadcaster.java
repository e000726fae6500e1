package io.github.wshub.benchmarks.bare.reactive;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * The least a Spring WebFlux application on Reactor Netty does to serve the benchmark's fan-out:
 * protocol v1's {@code welcome}, {@code subscribe} and {@code publish} with their {@code ack}s, one
 * process, no Redis. A publish is parsed with Jackson and encoded once; each subscriber gets the
 * same bytes wrapped (not copied) into its own message, through a bounded per-session queue
 * (10,000 frames; a subscriber whose queue is full is closed with 4002, as the hub does). No
 * authorization, limits, heartbeats or metrics: what the hub adds above this is its own cost.
 *
 * @author wshub
 */
@SpringBootApplication
public class BareReactiveBroadcaster {

	/**
	 * Start the broadcaster.
	 * @param args the command line arguments, for example {@code --server.port=8081}
	 */
	public static void main(String[] args) {
		SpringApplication.run(BareReactiveBroadcaster.class, args);
	}

	@Bean
	HandlerMapping bareWebSocketMapping() {
		return new SimpleUrlHandlerMapping(Map.of("/ws", new Broadcaster()), -1);
	}

	static final class Broadcaster implements WebSocketHandler {

		private final JsonMapper json = JsonMapper.builder().build();

		private final Map<String, Set<Outbound>> topics = new ConcurrentHashMap<>();

		@Override
		public Mono<Void> handle(WebSocketSession session) {
			Outbound outbound = new Outbound(session);
			outbound.send(("{\"type\":\"welcome\",\"session\":\"" + session.getId()
					+ "\",\"instance\":\"bare\",\"protocol\":1}").getBytes(StandardCharsets.UTF_8));
			Mono<Void> input = session.receive()
				.doOnNext((message) -> received(outbound, message.getPayloadAsText()))
				.then();
			return Mono.zip(input, session.send(outbound.frames.asFlux()))
				.then()
				.doFinally((signal) -> this.topics.values().forEach((subscribers) -> subscribers.remove(outbound)));
		}

		private void received(Outbound outbound, String text) {
			JsonNode frame = this.json.readTree(text);
			String type = frame.path("type").asString("");
			String topic = frame.path("topic").asString("");
			JsonNode id = frame.get("id");
			if ("subscribe".equals(type)) {
				this.topics.computeIfAbsent(topic, (key) -> ConcurrentHashMap.newKeySet()).add(outbound);
			}
			else if ("publish".equals(type)) {
				ObjectNode out = this.json.createObjectNode();
				out.put("type", "message");
				out.put("topic", topic);
				out.set("data", frame.get("data"));
				byte[] encoded = this.json.writeValueAsBytes(out);
				for (Outbound subscriber : this.topics.getOrDefault(topic, Set.of())) {
					subscriber.send(encoded);
				}
			}
			if (id != null) {
				outbound.send(("{\"type\":\"ack\",\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8));
			}
		}

	}

	/** One session's bounded queue of frames; emissions from several threads are serialized. */
	static final class Outbound {

		private final WebSocketSession session;

		final Sinks.Many<WebSocketMessage> frames = Sinks.many().unicast().onBackpressureBuffer(Queues.<WebSocketMessage>get(10_000).get());

		Outbound(WebSocketSession session) {
			this.session = session;
		}

		void send(byte[] frame) {
			WebSocketMessage message = new WebSocketMessage(WebSocketMessage.Type.TEXT,
					this.session.bufferFactory().wrap(frame));
			Sinks.EmitResult result;
			synchronized (this) {
				result = this.frames.tryEmitNext(message);
			}
			if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
				this.session.close(new CloseStatus(4002, "slow consumer")).subscribe();
			}
		}

	}

}
