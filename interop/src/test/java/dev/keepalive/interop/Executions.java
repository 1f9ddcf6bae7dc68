package dev.keepalive.interop;

import java.util.List;

/**
 * What the server behind the relay executed, counted by each request's id ({@code ?id=} in the query
 * string: a header would make a POST keyed, and resendable): an access log the server writes, or a backend
 * that counts.
 */
interface Executions {

	/** Requests the server executed, in order. */
	List<Execution> all();

	/** How many times the server executed the request with this id. */
	default int count(String id) {
		return (int) all().stream().filter((execution) -> id.equals(execution.id())).count();
	}

	/** The executions of the requests whose ids start with {@code prefix}, one a line, for a failure message. */
	default String describe(String prefix) {
		StringBuilder lines = new StringBuilder();
		for (Execution execution : all()) {
			if (execution.id() != null && execution.id().startsWith(prefix)) {
				lines.append("\n  executed: ").append(execution);
			}
		}
		return lines.toString();
	}

	/**
	 * One request the server executed.
	 * @param connection the server's name for the connection (nginx's serial number, the client port)
	 * @param onConnection the request's number on its connection, from 1
	 */
	record Execution(String connection, int onConnection, String method, String id, int status) {

		@Override
		public String toString() {
			return this.method + " " + this.id + " -> " + this.status + ", request " + this.onConnection
					+ " on connection " + this.connection;
		}

	}

}
