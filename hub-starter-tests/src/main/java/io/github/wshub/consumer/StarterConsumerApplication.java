package io.github.wshub.consumer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The smallest application a user writes to get a hub: this class, the starter and
 * {@code application.yml}. Nothing in it configures WebSocket, Redis or the hub.
 *
 * @author wshub
 */
@SpringBootApplication
public class StarterConsumerApplication {

	public static void main(String[] args) {
		SpringApplication.run(StarterConsumerApplication.class, args);
	}

}
