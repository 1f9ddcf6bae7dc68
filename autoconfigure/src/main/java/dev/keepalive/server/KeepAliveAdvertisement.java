package dev.keepalive.server;

import java.time.Duration;

/**
 * What the running server advertises: the {@code Keep-Alive} header value, learnt once the embedded server
 * has started, and whether the application is draining. Read on every response, written rarely.
 */
public final class KeepAliveAdvertisement {

	/** Header, timeout and engine change together, so they are published together. */
	private volatile Snapshot snapshot = Snapshot.NONE;

	private volatile boolean draining;

	/**
	 * Advertise an idle timeout, rounded down to whole seconds so the header never promises more than the
	 * server keeps.
	 * @param idleTimeout the idle timeout the server enforces
	 * @param maxRequests the requests the server serves per connection, or a value below 1 for no limit
	 * @param tomcat whether the server is Tomcat, which closes the connection on some statuses and adds the
	 * header itself when the request carries {@code Connection: keep-alive}
	 */
	public void advertise(Duration idleTimeout, int maxRequests, boolean tomcat) {
		long seconds = idleTimeout.toSeconds();
		this.snapshot = new Snapshot("timeout=" + seconds + ((maxRequests > 0) ? ", max=" + maxRequests : ""), seconds,
				tomcat);
	}

	/** The header value, or {@code null} while nothing finite is known. */
	public String header() {
		return this.snapshot.header();
	}

	/** The advertised timeout in seconds, or -1 when nothing is advertised. */
	public long timeoutSeconds() {
		return this.snapshot.timeoutSeconds();
	}

	boolean isTomcat() {
		return this.snapshot.tomcat();
	}

	/** Responses from now on ask clients to close their connection. */
	public void startDraining() {
		this.draining = true;
	}

	public boolean isDraining() {
		return this.draining;
	}

	private record Snapshot(String header, long timeoutSeconds, boolean tomcat) {

		static final Snapshot NONE = new Snapshot(null, -1, false);

	}

}
