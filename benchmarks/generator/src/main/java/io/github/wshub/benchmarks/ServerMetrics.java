package io.github.wshub.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an instance's {@code /actuator/prometheus} page and keeps the hub's own series.
 *
 * @author wshub
 */
public final class ServerMetrics {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private ServerMetrics() {
	}

	/**
	 * Return the base HTTP address of an instance from its WebSocket address.
	 * @param webSocketUri for example {@code ws://127.0.0.1:8080/ws}
	 * @return for example {@code http://127.0.0.1:8080}
	 */
	public static String httpBase(URI webSocketUri) {
		String scheme = "wss".equals(webSocketUri.getScheme()) ? "https" : "http";
		return scheme + "://" + webSocketUri.getHost() + ":" + webSocketUri.getPort();
	}

	/**
	 * Scrape the {@code hub_*} series of an instance.
	 * @param webSocketUri the instance's WebSocket address
	 * @return the values by series (name and labels, as Prometheus prints them); empty if the
	 * page cannot be read
	 */
	public static Map<String, Double> scrape(URI webSocketUri) {
		try {
			HttpRequest request = HttpRequest.newBuilder(URI.create(httpBase(webSocketUri) + "/actuator/prometheus"))
				.timeout(Duration.ofSeconds(10))
				.build();
			HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
			return (response.statusCode() == 200) ? parse(response.body()) : Map.of();
		}
		catch (java.io.IOException ex) {
			return Map.of();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Map.of();
		}
	}

	/**
	 * Parse the {@code hub_*} series of a Prometheus text page.
	 * @param page the page
	 * @return the values by series
	 */
	public static Map<String, Double> parse(String page) {
		Map<String, Double> values = new LinkedHashMap<>();
		for (String line : page.split("\n")) {
			if (!line.startsWith("hub_")) {
				continue;
			}
			int space = line.lastIndexOf(' ');
			try {
				values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
			}
			catch (NumberFormatException ex) {
				// Not a sample line.
			}
		}
		return values;
	}

	/**
	 * Sum the series whose name (before the labels) is {@code name}.
	 * @param values scraped values
	 * @param name the series name, for example {@code hub_subscribe_latency_seconds_count}
	 * @return the sum, 0 if absent
	 */
	public static double sum(Map<String, Double> values, String name) {
		double sum = 0;
		for (Map.Entry<String, Double> entry : values.entrySet()) {
			String key = entry.getKey();
			if (key.equals(name) || key.startsWith(name + "{")) {
				sum += entry.getValue();
			}
		}
		return sum;
	}

	/**
	 * Keep the series worth reporting after a run: drops, refusals, closes and errors, with
	 * non-zero values.
	 * @param values scraped values
	 * @return the interesting series
	 */
	public static Map<String, Double> problems(Map<String, Double> values) {
		Map<String, Double> kept = new LinkedHashMap<>();
		values.forEach((key, value) -> {
			if (value != 0 && (key.startsWith("hub_messages_dropped") || key.startsWith("hub_messages_refused")
					|| key.startsWith("hub_sessions_closed") || key.startsWith("hub_errors_sent"))) {
				kept.put(key, value);
			}
		});
		return kept;
	}

}
