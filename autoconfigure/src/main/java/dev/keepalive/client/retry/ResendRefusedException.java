package dev.keepalive.client.retry;

import java.io.IOException;

/**
 * A connection-level failure that was not resent, saying why; the original failure is the cause.
 */
public class ResendRefusedException extends IOException {

	private static final long serialVersionUID = 1L;

	private final transient ResendDecision decision;

	/**
	 * Create an exception.
	 * @param failure the failure of the last attempt
	 * @param decision why it was not resent
	 */
	public ResendRefusedException(Throwable failure, ResendDecision decision) {
		super(failure.getMessage() + "; not resent: " + decision.explanation(), failure);
		this.decision = decision;
	}

	/**
	 * Why the request was not resent.
	 * @return the decision
	 */
	public ResendDecision decision() {
		return this.decision;
	}

}
