package io.github.wshub.benchmarks;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import io.github.wshub.testsupport.RespConnection;

/**
 * The few administrative Redis commands the benchmarks need ({@code CONFIG RESETSTAT},
 * {@code INFO commandstats}) over one {@link RespConnection} to the loopback address.
 *
 * @author wshub
 */
public final class RespClient implements AutoCloseable {

	private final RespConnection connection;

	/**
	 * Connect to a Redis on 127.0.0.1.
	 * @param port the port
	 * @throws IOException if it cannot connect
	 */
	public RespClient(int port) throws IOException {
		this.connection = new RespConnection(port);
	}

	/**
	 * Run a command and return its reply (see {@link RespConnection#command(String...)}).
	 * @param args the command and its arguments
	 * @return the reply
	 * @throws IOException on a connection problem
	 */
	public Object command(String... args) throws IOException {
		return this.connection.command(args);
	}

	/**
	 * Return the number of calls of each command from {@code INFO commandstats}.
	 * @return calls by lower-case command name
	 * @throws IOException on a connection problem
	 */
	public Map<String, Long> commandCalls() throws IOException {
		return parseCommandCalls((String) command("INFO", "commandstats"));
	}

	/**
	 * Parse {@code INFO commandstats} output: lines like
	 * {@code cmdstat_subscribe:calls=12,usec=34,usec_per_call=2.83,...}.
	 * @param info the output
	 * @return calls by lower-case command name
	 */
	public static Map<String, Long> parseCommandCalls(String info) {
		Map<String, Long> calls = new HashMap<>();
		for (String line : info.split("\r?\n")) {
			if (!line.startsWith("cmdstat_")) {
				continue;
			}
			int colon = line.indexOf(':');
			String name = line.substring("cmdstat_".length(), colon);
			for (String field : line.substring(colon + 1).split(",")) {
				if (field.startsWith("calls=")) {
					calls.put(name, Long.parseLong(field.substring(6)));
				}
			}
		}
		return calls;
	}

	@Override
	public void close() throws IOException {
		this.connection.close();
	}

}
