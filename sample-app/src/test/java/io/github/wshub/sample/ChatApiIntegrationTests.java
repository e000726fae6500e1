package io.github.wshub.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's login and direct messages over HTTP, against two instances sharing Redis and a
 * login secret: a token from one instance identifies its WebSocket sessions on the other, and a
 * direct message sent through one instance reaches the recipient on the other.
 *
 * @author wshub
 */
class ChatApiIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static ConfigurableApplicationContext a;

	private static ConfigurableApplicationContext b;

	@BeforeAll
	static void startInstances() {
		a = start("api-a");
		b = start("api-b");
	}

	@AfterAll
	static void stopInstances() {
		b.close();
		a.close();
	}

	@Test
	void loginIssuesATokenThatEveryInstanceAccepts() throws Exception {
		JsonNode login = json(post(a, "/api/login", null, "{\"name\":\"dora\"}"), 200);
		assertThat(login.get("name").asString()).isEqualTo("dora");
		String token = login.get("token").asString();
		assertThat(token).startsWith("dora.");
		SampleApplicationTests.Client dora = new SampleApplicationTests.Client(port(b), "?token=" + token);
		assertThat(dora.next()).contains("\"type\":\"welcome\"").contains("\"instance\":\"api-b\"");
		await().untilAsserted(() -> assertThat(get(b, "/actuator/hub/users/dora").body()).contains("api-b"));
	}

	@Test
	void invalidTokenMakesAnAnonymousSession() throws Exception {
		SampleApplicationTests.Client anonymous = new SampleApplicationTests.Client(port(a), "?token=eve.forged");
		assertThat(anonymous.next()).contains("\"type\":\"welcome\"");
		assertThat(get(a, "/actuator/hub/users/eve").statusCode()).isEqualTo(404);
	}

	@Test
	void directMessageReachesTheRecipientOnAnotherInstance() throws Exception {
		String alice = login("alice");
		SampleApplicationTests.Client bob = new SampleApplicationTests.Client(port(b), "?token=" + login("bob"));
		assertThat(bob.next()).contains("\"type\":\"welcome\"");
		await().untilAsserted(() -> assertThat(get(a, "/actuator/hub/users/bob").statusCode()).isEqualTo(200));
		JsonNode result = json(post(a, "/api/direct", alice, "{\"to\":\"bob\",\"text\":\"hi bob\"}"), 200);
		assertThat(result.toString()).isEqualTo("{\"sessions\":1,\"instances\":1,\"delivered\":true}");
		assertThat(bob.next())
			.isEqualTo("{\"type\":\"direct\",\"data\":{\"from\":\"alice\",\"text\":\"hi bob\",\"instance\":\"api-a\"}}");
	}

	@Test
	void directMessageToAnOfflineUserIsNotDelivered() throws Exception {
		JsonNode result = json(post(a, "/api/direct", login("alice"), "{\"to\":\"nobody\",\"text\":\"hello?\"}"), 200);
		assertThat(result.toString()).isEqualTo("{\"sessions\":0,\"instances\":0,\"delivered\":false}");
	}

	@Test
	void directMessageNeedsAValidToken() throws Exception {
		HttpResponse<String> missing = post(a, "/api/direct", null, "{\"to\":\"bob\",\"text\":\"hi\"}");
		assertThat(missing.statusCode()).isEqualTo(401);
		assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
		assertThat(json(missing, 401).get("detail").asString()).contains("Log in first");
		HttpResponse<String> forged = post(a, "/api/direct", "alice.forged", "{\"to\":\"bob\",\"text\":\"hi\"}");
		assertThat(json(forged, 401).get("detail").asString()).contains("not valid");
	}

	@Test
	void invalidInputIsABadRequestSayingWhy() throws Exception {
		String nameRule = "'name' must be 1 to 32 characters";
		assertThat(problem(post(a, "/api/login", null, "{\"name\":\"\"}"))).contains(nameRule);
		assertThat(problem(post(a, "/api/login", null, "{}"))).contains(nameRule);
		assertThat(problem(post(a, "/api/login", null, "{\"name\":\"al ice\"}"))).contains(nameRule);
		assertThat(problem(post(a, "/api/login", null, "{\"name\":\"" + "a".repeat(33) + "\"}"))).contains(nameRule);
		assertThat(post(a, "/api/login", null, "not json").statusCode()).isEqualTo(400);
		String token = login("alice");
		assertThat(problem(post(a, "/api/direct", token, "{\"to\":\"b.b\",\"text\":\"hi\"}")))
			.contains("'to' must be 1 to 32 characters");
		assertThat(problem(post(a, "/api/direct", token, "{\"to\":\"bob\",\"text\":\" \"}")))
			.contains("'text' must not be empty");
		assertThat(problem(post(a, "/api/direct", token, "{\"to\":\"bob\"}"))).contains("'text' must not be empty");
		assertThat(problem(post(a, "/api/direct", token, "{\"to\":\"bob\",\"text\":\"" + "x".repeat(501) + "\"}")))
			.contains("'text' must be at most 500 characters long");
	}

	@Test
	void pagesOfOtherLocalInstancesMayCallTheApiAndTheHubEndpoint() throws Exception {
		assertThat(preflight(a, "/api/direct", "http://127.0.0.1:1234", "POST", "authorization,content-type"))
			.isEqualTo("http://127.0.0.1:1234");
		assertThat(preflight(a, "/actuator/hub", "http://localhost:8081", "GET", null)).isEqualTo("http://localhost:8081");
		assertThat(preflight(a, "/api/direct", "https://evil.example", "POST", "authorization")).isNull();
		assertThat(preflight(a, "/actuator/hub", "https://evil.example", "GET", null)).isNull();
	}

	private static String login(String name) throws Exception {
		return json(post(a, "/api/login", null, "{\"name\":\"" + name + "\"}"), 200).get("token").asString();
	}

	private static String problem(HttpResponse<String> response) {
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		return json(response, 400).get("detail").asString();
	}

	private static JsonNode json(HttpResponse<String> response, int status) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		return JSON.readTree(response.body());
	}

	private static HttpResponse<String> post(ConfigurableApplicationContext app, String path, String token, String body)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(app, path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> get(ConfigurableApplicationContext app, String path) throws Exception {
		return HTTP.send(HttpRequest.newBuilder(uri(app, path)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String preflight(ConfigurableApplicationContext app, String path, String origin, String method,
			String headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(app, path))
			.method("OPTIONS", HttpRequest.BodyPublishers.noBody())
			.header("Origin", origin)
			.header("Access-Control-Request-Method", method);
		if (headers != null) {
			request.header("Access-Control-Request-Headers", headers);
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString())
			.headers()
			.firstValue("Access-Control-Allow-Origin")
			.orElse(null);
	}

	private static URI uri(ConfigurableApplicationContext app, String path) {
		return URI.create("http://127.0.0.1:" + port(app) + path);
	}

	private static ConfigurableApplicationContext start(String instanceId) {
		return SampleApplication.application()
			.run("--server.port=0", "--server.address=127.0.0.1", "--spring.data.redis.host=127.0.0.1",
					"--spring.data.redis.port=" + redis.port(), "--hub.instance-id=" + instanceId,
					"--sample.login.secret=shared secret of the api tests");
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
