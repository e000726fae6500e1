package io.github.wshub.consumer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The smallest WebFlux application a user writes to get a hub: this class, the WebFlux
 * starter and {@code application.yml}. Nothing in it configures WebFlux, Redis or the hub.
 *
 * @author wshub
 */
@SpringBootApplication
public class StarterWebFluxConsumerApplication {

	public static void main(String[] args) {
		SpringApplication.run(StarterWebFluxConsumerApplication.class, args);
	}

}
