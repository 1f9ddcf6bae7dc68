package dev.keepalive.client;

import java.net.URI;
import java.util.Locale;

/**
 * The keys of {@code keepalive.client.hosts}: {@code host} or {@code host:port}, compared case-insensitively.
 */
final class HostKey {

	private HostKey() {
	}

	static boolean isValid(String key) {
		if (key == null || key.isBlank()) {
			return false;
		}
		int colon = key.lastIndexOf(':');
		String host = (colon < 0) ? key : key.substring(0, colon);
		if (host.isEmpty() || !host.chars().allMatch(HostKey::isHostChar)) {
			return false;
		}
		return colon < 0 || isPort(key.substring(colon + 1));
	}

	static String normalize(String key) {
		return key.toLowerCase(Locale.ROOT);
	}

	static String of(String host, int port) {
		return normalize(host) + ":" + port;
	}

	/**
	 * The origin of an absolute URL, the port defaulted from the scheme.
	 * @return the origin, or {@code null} if the URL has no host or cannot be parsed
	 */
	static Address addressOf(String url) {
		if (url == null) {
			return null;
		}
		try {
			URI uri = URI.create(url);
			if (uri.getHost() == null) {
				return null;
			}
			int port = uri.getPort();
			if (port < 0) {
				port = defaultPort(uri.getScheme());
			}
			return new Address(uri.getHost(), port);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/** The port a scheme implies when none is given. */
	static int defaultPort(String scheme) {
		return "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme) ? 443 : 80;
	}

	/** A host and port, as a request URL names them. */
	record Address(String host, int port) {
	}

	private static boolean isHostChar(int c) {
		return Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_';
	}

	private static boolean isPort(String port) {
		if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
			return false;
		}
		int value = Integer.parseInt(port);
		return value > 0 && value <= 65535;
	}

}
