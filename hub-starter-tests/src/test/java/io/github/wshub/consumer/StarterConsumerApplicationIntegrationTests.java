package io.github.wshub.consumer;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;

/**
 * {@link StarterConsumerApplication}, which depends on {@code hub-spring-boot-starter} alone:
 * the starter brings a working hub on Spring MVC and Tomcat.
 *
 * @author wshub
 */
class StarterConsumerApplicationIntegrationTests extends AbstractStarterConsumerIntegrationTests {

	@Override
	protected Class<?> applicationClass() {
		return StarterConsumerApplication.class;
	}

	@Override
	protected Class<? extends WebServer> webServerType() {
		return TomcatWebServer.class;
	}

}
