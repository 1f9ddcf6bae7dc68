package dev.keepalive.testsupport;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

/**
 * One request through one of the three clients; returns the body, throws what the client throws.
 */
@FunctionalInterface
public interface Exchanger {

	String exchange(HttpMethod method, String url, HttpHeaders headers, String body);

	default String get(String url, HttpHeaders headers) {
		return exchange(HttpMethod.GET, url, headers, null);
	}

}
