package dev.keepalive.client;

/**
 * How long and how often one pooled connection may be handed out again.
 *
 * @param idleTimeoutMillis how long the server keeps the connection idle, as far as the client knows (the
 * advertised {@code timeout}, capped; a host's {@code idle-timeout}), or the default idle timeout, ms
 * @param maxRequests a connection that carried this many requests is not reused
 * @param source where the idle timeout came from
 */
public record ReuseLimits(long idleTimeoutMillis, long maxRequests, Source source) {

	/** No request limit. */
	public static final long UNLIMITED = Long.MAX_VALUE;

	/**
	 * The idle time at which a connection stops being reused: a server's timeout less the margin, or half the
	 * timeout when it is not longer than the margin; the default idle timeout as is (it is the client's own
	 * choice, not a server's close).
	 * @param marginMillis the origin's safety margin, ms
	 * @return the cutoff, ms
	 */
	public long idleCutoffMillis(long marginMillis) {
		return (this.source == Source.DEFAULT) ? this.idleTimeoutMillis : below(this.idleTimeoutMillis, marginMillis);
	}

	/**
	 * The idle time at which a connection to a path that closes at {@code timeoutMillis} stops being reused:
	 * the timeout less the margin, or half of it when it is not longer than the margin.
	 */
	static long below(long timeoutMillis, long marginMillis) {
		return (timeoutMillis > marginMillis) ? timeoutMillis - marginMillis : timeoutMillis / 2;
	}

	/** Where an idle timeout came from. */
	public enum Source {

		/** The server's {@code Keep-Alive: timeout=N}, capped by {@code max-idle-timeout}. */
		ADVERTISED,

		/** {@code keepalive.client.default-idle-timeout}: the server advertised nothing usable. */
		DEFAULT,

		/** {@code keepalive.client.hosts.<origin>.idle-timeout}. */
		HOST_OVERRIDE

	}

}
