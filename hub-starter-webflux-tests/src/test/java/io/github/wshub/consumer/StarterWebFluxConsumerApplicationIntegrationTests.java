package io.github.wshub.consumer;

import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.web.server.WebServer;

/**
 * {@link StarterWebFluxConsumerApplication}, which depends on
 * {@code hub-spring-boot-starter-webflux} alone: the starter brings a working hub on Spring
 * WebFlux and Reactor Netty.
 *
 * @author wshub
 */
class StarterWebFluxConsumerApplicationIntegrationTests extends AbstractStarterConsumerIntegrationTests {

	@Override
	protected Class<?> applicationClass() {
		return StarterWebFluxConsumerApplication.class;
	}

	@Override
	protected Class<? extends WebServer> webServerType() {
		return NettyWebServer.class;
	}

}
