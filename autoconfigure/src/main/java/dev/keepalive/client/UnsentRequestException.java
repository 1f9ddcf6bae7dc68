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
	 * @param origin the connection's origin, with its learnt idle cutoff
	 * @param idleMillis how long the connection had been idle, ms
	 */
	public UnsentRequestException(Origin origin, long idleMillis) {
		super("keepalive: not sent on a connection to " + origin.key() + " idle for " + idleMillis
				+ " ms, past the learnt idle cutoff of " + origin.learntIdleCutoffMillis()
				+ " ms; sent again on another connection");
	}

}
