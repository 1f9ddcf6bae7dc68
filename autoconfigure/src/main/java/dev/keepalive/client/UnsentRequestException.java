package dev.keepalive.client;

import java.io.IOException;

/**
 * The starter stopped a request before any byte of it was written, because the pooled connection it got had
 * been idle past what its origin's path is known to allow and the request could not serve as a probe. Nothing
 * reached the server: the resend layer sends it again on another connection, whatever its method.
 */
public class UnsentRequestException extends IOException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create the exception.
	 * @param origin the origin
	 * @param idleMillis how long the connection had been idle, ms
	 * @param cutoffMillis the learnt idle cutoff, ms
	 */
	public UnsentRequestException(String origin, long idleMillis, long cutoffMillis) {
		super("keepalive: not sent on a connection to " + origin + " idle for " + idleMillis
				+ " ms, past the learnt idle cutoff of " + cutoffMillis + " ms; sent again on another connection");
	}

}
