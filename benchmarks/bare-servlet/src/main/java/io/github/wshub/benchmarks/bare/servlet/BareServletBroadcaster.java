package io.github.wshub.benchmarks.bare.servlet;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * The least a Spring WebSocket application on Tomcat does to serve the benchmark's fan-out:
 * protocol v1's {@code welcome}, {@code subscribe} and {@code publish} with their {@code ack}s, one
 * process, no Redis. A publish is parsed with Jackson, encoded once as a {@code message} frame and
 * sent to every subscriber of its topic through a {@link ConcurrentWebSocketSessionDecorator}
 * (bounded like the hub's sessions), on the publisher's thread. No authorization, limits,
 * heartbeats or metrics: what the hub adds above this is its own cost.
 *
 * @author wshub
 */
@SpringBootApplication
@EnableWebSocket
public class BareServletBroadcaster implements WebSocketConfigurer {

	/**
	 * Start the broadcaster.
	 * @param args the command line arguments, for example {@code --server.port=8081}
	 */
	public static void main(String[] args) {
		SpringApplication.run(BareServletBroadcaster.class, args);
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(new Broadcaster(), "/ws").setAllowedOriginPatterns("*");
	}

	static final class Broadcaster extends TextWebSocketHandler {

		private static final String DECORATED = "decorated";

		private final JsonMapper json = JsonMapper.builder().build();

		private final Map<String, Set<WebSocketSession>> topics = new ConcurrentHashMap<>();

		@Override
		public void afterConnectionEstablished(WebSocketSession session) throws IOException {
			WebSocketSession decorated = new ConcurrentWebSocketSessionDecorator(session, 10_000, 512 * 1024);
			session.getAttributes().put(DECORATED, decorated);
			decorated.sendMessage(new TextMessage(
					"{\"type\":\"welcome\",\"session\":\"" + session.getId() + "\",\"instance\":\"bare\",\"protocol\":1}"));
		}

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
			WebSocketSession decorated = (WebSocketSession) session.getAttributes().get(DECORATED);
			JsonNode frame = this.json.readTree(message.getPayload());
			String type = frame.path("type").asString("");
			String topic = frame.path("topic").asString("");
			JsonNode id = frame.get("id");
			if ("subscribe".equals(type)) {
				this.topics.computeIfAbsent(topic, (key) -> ConcurrentHashMap.newKeySet()).add(decorated);
			}
			else if ("publish".equals(type)) {
				ObjectNode out = this.json.createObjectNode();
				out.put("type", "message");
				out.put("topic", topic);
				out.set("data", frame.get("data"));
				TextMessage encoded = new TextMessage(this.json.writeValueAsString(out));
				for (WebSocketSession subscriber : this.topics.getOrDefault(topic, Set.of())) {
					send(subscriber, encoded);
				}
			}
			if (id != null) {
				send(decorated, new TextMessage("{\"type\":\"ack\",\"id\":" + id + "}"));
			}
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			Object decorated = session.getAttributes().get(DECORATED);
			this.topics.values().forEach((subscribers) -> subscribers.remove(decorated));
		}

		private static void send(WebSocketSession session, TextMessage message) {
			try {
				session.sendMessage(message);
			}
			catch (IOException | RuntimeException ex) {
				// A slow or gone subscriber: the decorator closed it; the others go on.
			}
		}

	}

}
