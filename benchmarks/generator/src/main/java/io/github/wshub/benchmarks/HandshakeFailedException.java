package io.github.wshub.benchmarks;

import java.io.IOException;

/**
 * The handshake was answered with another status than 101.
 */
final class HandshakeFailedException extends IOException {

	private final int status;

	HandshakeFailedException(int status) {
		super("Handshake refused with HTTP " + status);
		this.status = status;
	}

	int status() {
		return this.status;
	}

}
