package dev.keepalive.client.reactor;

import reactor.netty.http.client.HttpClient;

/**
 * The one {@link HttpClient} on the shared pool that every Boot-built Reactor Netty client starts from. Each
 * {@code HttpClient.create(pool)} wraps the pool in a connection provider of its own, which keeps its own
 * HTTP/2 pool: creating one per built client would give every RestClient and WebClient built its own HTTP/2
 * connections, shared with no other. Clients derived from this one (customized, secured, switched to HTTP/2)
 * share its provider, so HTTP/1.1 and HTTP/2 connections are pooled once for the application.
 */
public final class SharedHttpClient {

	private final HttpClient client;

	/**
	 * Hold a client.
	 * @param client the client on the shared pool
	 */
	public SharedHttpClient(HttpClient client) {
		this.client = client;
	}

	/**
	 * The client every Boot-built Reactor Netty client starts from.
	 * @return the shared client
	 */
	public HttpClient get() {
		return this.client;
	}

}
