package dev.keepalive.client.retry;

/**
 * What {@link ResendRule} decided about one failed attempt, and why.
 *
 * @param verdict the verdict
 * @param explanation why, in words for an error message; empty when resending or not a connection failure
 */
public record ResendDecision(Verdict verdict, String explanation) {

	static final ResendDecision RESEND = new ResendDecision(Verdict.RESEND, "");

	static final ResendDecision RESEND_UNSENT = new ResendDecision(Verdict.RESEND_UNSENT, "");

	static final ResendDecision RESEND_UNPROCESSED = new ResendDecision(Verdict.RESEND_UNPROCESSED, "");

	static final ResendDecision NOT_A_CONNECTION_FAILURE = new ResendDecision(Verdict.NOT_A_CONNECTION_FAILURE, "");

	/**
	 * Whether the request goes out again, on a new connection.
	 * @return {@code true} to resend
	 */
	public boolean resend() {
		return this.verdict.resend;
	}

	/**
	 * Whether the failure was a reset or early close of an exchange that is not resent.
	 * @return {@code true} when the caller gets a failure that says why it was not resent
	 */
	public boolean refused() {
		return !this.verdict.resend && this.verdict != Verdict.NOT_A_CONNECTION_FAILURE;
	}

	/**
	 * Whether the failure showed a pooled connection to be stale: reused, closed before any response byte.
	 * @return {@code true} when the origin's idle connections should not be handed out again
	 */
	public boolean staleConnection() {
		return this.verdict.stale;
	}

	/** The verdicts, with the tag each refusal carries in metrics. */
	public enum Verdict {

		/** Resent on a new connection. */
		RESEND(null, true, true),

		/**
		 * The starter stopped the request before writing it (its connection was idle past the learnt cutoff):
		 * sent on another connection, whatever its method, since nothing reached the server.
		 */
		RESEND_UNSENT(null, false, true),

		/**
		 * The server said it never processed the request (HTTP/2: a stream above a GOAWAY's last-stream-id, or
		 * reset with REFUSED_STREAM): sent once more on another connection, whatever its method.
		 */
		RESEND_UNPROCESSED(null, false, true),

		/** The server refused to process the request again after it was resent once. */
		UNPROCESSED_AGAIN("unprocessed-again", false, false),

		/** Not a connection-level failure (a timeout, a refused connect, TLS, an HTTP status): not ours. */
		NOT_A_CONNECTION_FAILURE(null, false, false),

		/** The request failed on a new connection: that is the server's answer. */
		FRESH_CONNECTION("fresh-connection", false, false),

		/** Response headers had arrived: the server processed the request. */
		HEADERS_RECEIVED("headers-received", false, false),

		/** Neither an idempotent method, nor an idempotency key, nor a conditional request. */
		NOT_IDEMPOTENT("not-idempotent", true, false),

		/** The body was a stream that has been consumed. */
		BODY_NOT_REPLAYABLE("body-not-replayable", true, false),

		/** {@code keepalive.client.retry.max-attempts} reached. */
		ATTEMPTS_EXHAUSTED("attempts-exhausted", true, false);

		private final String tag;

		private final boolean stale;

		private final boolean resend;

		Verdict(String tag, boolean stale, boolean resend) {
			this.tag = tag;
			this.stale = stale;
			this.resend = resend;
		}

		/**
		 * The refusal reason as a metric tag.
		 * @return the tag, or {@code null} for verdicts that are not refusals
		 */
		public String tag() {
			return this.tag;
		}

	}

}
