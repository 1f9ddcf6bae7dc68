package dev.keepalive.client;

import java.io.IOException;

/**
 * The starter stopped a request before any byte of it was written, because the pooled connection it got had
 * been idle past its cutoff by the time the request was to be written (a pause after the pool handed it out),
 * or past what its origin's path is known to allow, and the request could not serve as a probe. Nothing
 * reached the server: the resend layer sends it again on another connection, whatever its method.
 */
public class UnsentRequestException extends IOException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create the exception.
	 * @param origin the connection's origin
	 * @param idleMillis how long the connection had been idle, ms
	 * @param cutoffMillis the idle cutoff it was past, ms
	 */
	public UnsentRequestException(Origin origin, long idleMillis, long cutoffMillis) {
		super("keepalive: not sent on a connection to " + origin.key() + " idle for " + idleMillis
				+ " ms, past its idle cutoff of " + cutoffMillis + " ms; sent again on another connection");
	}

}
