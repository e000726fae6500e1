package io.github.wshub.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.github.wshub.testsupport.RedisServerExtension;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drives the sample page in headless Chromium against two instances sharing one Redis: pages
 * on different instances chat and send direct messages, and a page whose instance stops fails
 * over to the other one and keeps receiving.
 * <p>
 * Uses the system's Chromium and chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them), so nothing is downloaded: with the
 * driver's path given, Selenium Manager is never run. Override the paths with the system
 * properties {@code sample.chromium} and {@code sample.chromedriver}. Skipped when either is
 * missing.
 *
 * @author wshub
 */
class BrowserEndToEndTests {

	private static final Path CHROMIUM = Path.of(System.getProperty("sample.chromium", "/usr/bin/chromium"));

	private static final Path CHROMEDRIVER = Path.of(System.getProperty("sample.chromedriver", "/usr/bin/chromedriver"));

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String SECRET = "browser-end-to-end-tests-secret";

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@TempDir
	Path profiles;

	@Test
	void pagesOnTwoInstancesChatAndAPageFailsOverWhenItsInstanceStops() throws Exception {
		Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
				"Chromium or chromedriver not found at " + CHROMIUM + " and " + CHROMEDRIVER
						+ " (install Debian's chromium and chromium-driver): skipping the browser tests");
		ConfigurableApplicationContext a = start("instance-a");
		int portA = port(a);
		// Page 1, served by A, also connects to B after a failover: B must allow A's origin.
		try (ConfigurableApplicationContext b = start("instance-b")) {
			int portB = port(b);
			WebDriver alice = browser("alice");
			WebDriver bob = browser("bob");
			try {
				alice.get("http://127.0.0.1:" + portA + "/?ws=ws://127.0.0.1:" + portA + "/ws,ws://127.0.0.1:" + portB
						+ "/ws");
				bob.get("http://127.0.0.1:" + portB + "/");
				logIn(alice, "alice", "instance-a");
				logIn(bob, "bob", "instance-b");
				join(alice, "e2e");
				join(bob, "e2e");

				send(bob, "hello from bob");
				WebElement crossed = awaitMessage(alice, "hello from bob");
				assertThat(crossed.getDomAttribute("data-from")).isEqualTo("bob");
				assertThat(crossed.getDomAttribute("data-sent-via")).isEqualTo("instance-b");
				assertThat(crossed.getDomAttribute("data-delivered-by")).isEqualTo("instance-a");
				assertThat(crossed.getText()).contains("delivered by instance-a");

				sendDirect(alice, "bob", "psst, bob");
				WebElement direct = awaitMessage(bob, "psst, bob");
				assertThat(direct.getDomAttribute("data-from")).isEqualTo("alice");
				assertThat(direct.getDomAttribute("data-delivered-by")).isEqualTo("instance-b");
				waitOn(alice).until(ExpectedConditions.textToBe(By.id("direct-result"),
						"delivered to 1 session(s) on 1 instance(s)"));

				a.close();
				waitOn(alice).until(ExpectedConditions.textToBe(By.id("instance"), "instance-b"));
				waitOn(alice).until(ExpectedConditions.attributeToBe(By.id("state"), "data-state", "open"));
				// Messages published before the resubscribe is acknowledged may be lost (at most
				// once): wait until B counts both pages as subscribers, and alice as logged in.
				await().atMost(WAIT).untilAsserted(() -> {
					assertThat(get(portB, "/actuator/hub/topics/chat.e2e")).contains("\"localSubscribers\":2");
					assertThat(get(portB, "/actuator/hub/users/alice")).contains("instance-b")
						.doesNotContain("instance-a");
				});
				send(bob, "still there, alice?");
				WebElement afterFailover = awaitMessage(alice, "still there, alice?");
				assertThat(afterFailover.getDomAttribute("data-delivered-by")).isEqualTo("instance-b");
				waitOn(alice).until(ExpectedConditions.textToBe(By.id("hub-instance"), "instance-b"));
			}
			finally {
				alice.quit();
				bob.quit();
			}
		}
		finally {
			a.close();
		}
	}

	private WebDriver browser(String name) throws Exception {
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--no-first-run", "--window-size=1280,900",
				"--user-data-dir=" + Files.createDirectories(this.profiles.resolve(name)));
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.withLogFile(this.profiles.resolve(name + "-chromedriver.log").toFile())
			.build();
		return new ChromeDriver(service, options);
	}

	private static void logIn(WebDriver page, String name, String instance) {
		waitOn(page).until(ExpectedConditions.textMatches(By.id("origin"), Pattern.compile(".+")));
		page.findElement(By.id("name")).sendKeys(name);
		page.findElement(By.id("login-button")).click();
		waitOn(page).until(ExpectedConditions.textToBe(By.id("instance"), instance));
		waitOn(page).until(ExpectedConditions.attributeToBe(By.id("state"), "data-state", "open"));
		assertThat(page.findElement(By.id("me")).getText()).isEqualTo("Logged in as " + name + ".");
	}

	private static void join(WebDriver page, String room) {
		WebElement input = page.findElement(By.id("room"));
		input.clear();
		input.sendKeys(room);
		page.findElement(By.id("join-button")).click();
		// The page says "joined" once the subscribe was acknowledged.
		waitOn(page).until(ExpectedConditions.presenceOfElementLocated(
				By.xpath("//div[@id='log']/div[contains(., 'joined #" + room + "')]")));
	}

	private static void send(WebDriver page, String text) {
		waitOn(page).until(ExpectedConditions.elementToBeClickable(By.id("send-button")));
		page.findElement(By.id("text")).sendKeys(text);
		page.findElement(By.id("send-button")).click();
	}

	private static void sendDirect(WebDriver page, String to, String text) {
		page.findElement(By.id("direct-to")).sendKeys(to);
		page.findElement(By.id("direct-text")).sendKeys(text);
		page.findElement(By.id("direct-send")).click();
	}

	private static WebElement awaitMessage(WebDriver page, String text) {
		By message = By.xpath("//div[@id='log']/div[contains(@class, 'msg') and @data-text='" + text + "']");
		List<WebElement> found = waitOn(page).until(ExpectedConditions.numberOfElementsToBe(message, 1));
		return found.get(0);
	}

	private static WebDriverWait waitOn(WebDriver page) {
		return new WebDriverWait(page, WAIT);
	}

	private static String get(int port, String path) throws Exception {
		HttpResponse<String> response = HTTP.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		return response.body();
	}

	private static ConfigurableApplicationContext start(String instanceId, String... extraArgs) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
				"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
				"--hub.instance-id=" + instanceId, "--sample.login.secret=" + SECRET));
		args.addAll(List.of(extraArgs));
		return SampleApplication.application().run(args.toArray(String[]::new));
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
