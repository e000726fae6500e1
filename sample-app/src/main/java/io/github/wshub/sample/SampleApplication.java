package io.github.wshub.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A chat demo of wshub: run two or three instances against one Redis and watch messages cross
 * them. With no Redis at the configured address it starts one for development.
 *
 * @author wshub
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		application().run(args);
	}

	/**
	 * Return the application, with the development Redis fallback registered.
	 * @return the application
	 */
	public static SpringApplication application() {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		application.addListeners(new DevelopmentRedis());
		return application;
	}

}
