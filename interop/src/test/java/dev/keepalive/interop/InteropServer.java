package dev.keepalive.interop;

/**
 * A real server the suite started, listening on loopback, that counts what it executed.
 */
interface InteropServer extends AutoCloseable {

	/** What it is, for messages and the results table: e.g. {@code nginx 1.22.1, keepalive_timeout 2s}. */
	String description();

	/** The port clients reach it on (through a relay). */
	int port();

	/** The path that answers 200 to GET and POST. */
	default String path() {
		return "/ok";
	}

	Executions executions();

	/** The server's logs, for a failure message. */
	String describeLogs();

	@Override
	void close();

}
