package io.github.wshub.session;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.wshub.test.HubTestClient;
import io.github.wshub.test.TestHubApplication;
import io.github.wshub.test.TestHubApplication.Instance;
import io.github.wshub.test.TestHubApplication.Stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code hub.limits.max-anonymous-sessions-per-address}: with anonymous sessions allowed, one
 * client address cannot take more than its share of the instance, and the address is the one
 * Spring's forwarded-header handling decided, never a header the hub reads itself. On each
 * stack.
 *
 * @author wshub
 */
@ParameterizedClass
@EnumSource(Stack.class)
class AnonymousSessionLimitIntegrationTests {

	@Parameter
	Stack stack;

	private static final int LIMIT = 3;

	private static final String FORWARDED_CLIENT = "203.0.113.7";

	private static Instance instance;

	private static Instance behindProxy;

	private final List<HubTestClient> clients = new ArrayList<>();

	@BeforeParameterizedClassInvocation
	static void start(Stack stack) {
		instance = TestHubApplication.start(stack, "hub.broker=memory",
				"hub.limits.max-anonymous-sessions-per-address=" + LIMIT);
		behindProxy = TestHubApplication.start(stack, "hub.broker=memory",
				"hub.limits.max-anonymous-sessions-per-address=" + LIMIT, "server.forward-headers-strategy=framework");
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		instance.close();
		behindProxy.close();
	}

	@BeforeEach
	void noSessionsLeft() {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> instance.sessions().getSessionCount() == 0 && behindProxy.sessions().getSessionCount() == 0);
	}

	@AfterEach
	void closeClients() {
		this.clients.forEach(HubTestClient::close);
	}

	@Test
	void anonymousSessionsOfOneAddressAreLimited() {
		for (int i = 0; i < LIMIT; i++) {
			open(instance::connect);
		}
		assertRefusedWith429(instance::connect);
		this.clients.remove(0).close();
		await().atMost(Duration.ofSeconds(10)).until(() -> instance.sessions().getSessionCount() == LIMIT - 1);
		open(instance::connect);
		assertRefusedWith429(instance::connect);
	}

	@Test
	void namedUsersAreNotCountedAgainstTheirAddress() {
		for (int i = 0; i < LIMIT; i++) {
			open(instance::connect);
		}
		for (int i = 0; i < LIMIT + 1; i++) {
			String user = "named-" + i;
			open(() -> instance.connectAs(user));
			open(() -> instance.connectAs(user));
		}
		assertThat(instance.sessions().getSessionCount()).isEqualTo(LIMIT + 2 * (LIMIT + 1));
		assertRefusedWith429(instance::connect);
	}

	@Test
	void forwardedHeadersAreIgnoredWithoutAForwardHeadersStrategy() {
		// Without a strategy, a client choosing its own X-Forwarded-For must not escape the limit.
		for (int i = 0; i < LIMIT; i++) {
			String spoofed = "198.51.100." + i;
			open(() -> connect(instance, spoofed));
		}
		assertRefusedWith429(() -> connect(instance, "198.51.100.99"));
		assertThat(instance.sessions().getSessions())
			.extracting(HubSession::anonymousAddress)
			.containsOnly("127.0.0.1");
	}

	@Test
	void forwardedClientAddressIsCountedWithTheFrameworkStrategy() {
		for (int i = 0; i < LIMIT; i++) {
			open(() -> connect(behindProxy, FORWARDED_CLIENT));
		}
		assertRefusedWith429(() -> connect(behindProxy, FORWARDED_CLIENT));
		assertThat(behindProxy.sessions().getSessions())
			.extracting(HubSession::anonymousAddress)
			.containsOnly(FORWARDED_CLIENT);
		// The proxy's own address (here the client's, 127.0.0.1) and other clients still get in.
		for (int i = 0; i < LIMIT; i++) {
			open(behindProxy::connect);
		}
		open(() -> connect(behindProxy, "203.0.113.8"));
		assertRefusedWith429(behindProxy::connect);
	}

	private void open(ThrowingSupplier<HubTestClient> connect) {
		try {
			this.clients.add(connect.get());
		}
		catch (Throwable ex) {
			throw new AssertionError("Connecting failed", ex);
		}
	}

	private static HubTestClient connect(Instance target, String forwardedFor) {
		return HubTestClient.connect(URI.create("ws://127.0.0.1:" + target.port() + "/ws"),
				Map.of("X-Forwarded-For", forwardedFor));
	}

	private static void assertRefusedWith429(ThrowingSupplier<HubTestClient> connect) {
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> connect.get().close())
			.withStackTraceContaining("429");
	}

}
