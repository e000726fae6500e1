package io.github.wshub.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A chat demo of wshub: run two or three instances against one Redis and watch messages cross
 * them. The page ({@code static/index.html}) uses the JavaScript client {@code static/js/wshub.js};
 * users log in by name ({@link ChatApiController}, {@link TokenUserResolver}) and can send each
 * other direct messages. With no Redis at the configured address it starts one for development.
 *
 * @author wshub
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

	/**
	 * Run the sample app.
	 * @param args command line arguments, for example {@code --server.port=8081}
	 */
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
