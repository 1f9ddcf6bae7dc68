package dev.keepalive.server;

import java.util.Locale;

/**
 * When a response may carry {@code Keep-Alive}: only where the connection really stays open afterwards.
 */
final class KeepAliveResponseRules {

	static final String KEEP_ALIVE = "Keep-Alive";

	static final String CONNECTION = "Connection";

	private KeepAliveResponseRules() {
	}

	/**
	 * Whether the request is one whose connection the server keeps: HTTP/1.1 unless it asked to close,
	 * HTTP/1.0 only when it asked for keep-alive. Never HTTP/2 or later (RFC 9113 §8.2.2).
	 */
	static boolean requestKeepsConnection(String protocol, String connection) {
		if ("HTTP/1.1".equals(protocol)) {
			return !hasToken(connection, "close");
		}
		if ("HTTP/1.0".equals(protocol)) {
			return hasToken(connection, "keep-alive");
		}
		return false;
	}

	/**
	 * Whether a response to a request of this protocol may carry {@code Connection}: HTTP/1.x, or a protocol
	 * the engine did not tell. Never HTTP/2 or later, where it makes the response malformed (RFC 9113 §8.2.2)
	 * and a server ends a connection with GOAWAY instead.
	 */
	static boolean mayCarryConnectionHeader(String protocol) {
		return protocol == null || protocol.startsWith("HTTP/1.");
	}

	/**
	 * Whether the response leaves the connection open: the application did not set {@code Connection: close}
	 * and, on Tomcat, the status is not one on which Tomcat closes.
	 */
	static boolean responseKeepsConnection(int status, String connection, boolean tomcat) {
		return !hasToken(connection, "close") && !(tomcat && tomcatCloses(status));
	}

	/** Tomcat's {@code Http11Processor.statusDropsConnection}. */
	static boolean tomcatCloses(int status) {
		return switch (status) {
			case 400, 408, 411, 413, 414, 500, 501, 503 -> true;
			default -> false;
		};
	}

	static boolean hasToken(String header, String token) {
		if (header == null) {
			return false;
		}
		for (String part : header.split(",")) {
			if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
				return true;
			}
		}
		return false;
	}

}
