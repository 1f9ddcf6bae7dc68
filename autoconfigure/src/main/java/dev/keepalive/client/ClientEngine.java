package dev.keepalive.client;

/**
 * The HTTP engine whose pool a connection belongs to; the {@code engine} tag of the metrics.
 */
public enum ClientEngine {

	/** Reactor Netty: WebClient always, RestTemplate and RestClient by default. */
	REACTOR_NETTY("reactor-netty"),

	/** Apache HttpClient 5: RestTemplate and RestClient when Boot builds them on it. */
	HTTP_COMPONENTS("http-components");

	private final String tag;

	ClientEngine(String tag) {
		this.tag = tag;
	}

	/**
	 * The engine's name in metrics and reports.
	 * @return the tag value
	 */
	public String tag() {
		return this.tag;
	}

}
