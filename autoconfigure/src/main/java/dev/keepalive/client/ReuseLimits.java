package dev.keepalive.client;

/**
 * How long and how often one pooled connection may be handed out again.
 *
 * @param idleCutoffMillis a connection idle for at least this long is not reused
 * @param maxRequests a connection that carried this many requests is not reused
 * @param source where the idle cutoff came from
 */
public record ReuseLimits(long idleCutoffMillis, long maxRequests, Source source) {

	/** No request limit. */
	public static final long UNLIMITED = Long.MAX_VALUE;

	/** Where an idle cutoff came from. */
	public enum Source {

		/** The server's {@code Keep-Alive: timeout=N}, less the safety margin. */
		ADVERTISED,

		/** {@code keepalive.client.default-idle-timeout}: the server advertised nothing usable. */
		DEFAULT,

		/** {@code keepalive.client.hosts.<origin>.idle-timeout}, less the safety margin. */
		HOST_OVERRIDE

	}

}
