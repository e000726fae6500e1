package io.github.wshub.benchmarks.jetty;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The server under test on Jetty: nothing but the hub's auto-configuration, Actuator and
 * Prometheus, configured like the sample app for the benchmark topics ({@code bench.**}). The
 * sample app itself runs on Tomcat; this application exists so that both containers can be
 * measured with the same hub and the same settings.
 *
 * @author wshub
 */
@SpringBootApplication
public class JettyHubApplication {

	/**
	 * Start the application.
	 * @param args the command line arguments, for example {@code --server.port=8081}
	 */
	public static void main(String[] args) {
		SpringApplication.run(JettyHubApplication.class, args);
	}

}
