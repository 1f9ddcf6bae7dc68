package dev.keepalive.client.retry;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.context.RetryContextSupport;

import dev.keepalive.client.ExchangeFacts;

/**
 * The {@link ResendRule} as a spring-retry {@link RetryPolicy}: blocking clients run it in a
 * {@code RetryTemplate}, WebClient drives the same object from a non-blocking retry. Each attempt is
 * registered with {@link #attempt}; the decision about its failure is kept in the context, where
 * {@link #DECISION} gives it to listeners.
 */
public class KeepAliveRetryPolicy implements RetryPolicy {

	/** The context attribute holding the {@link ResendDecision} about the last failure. */
	public static final String DECISION = "keepalive.decision";

	/** The context attribute holding the current attempt's request and {@link ExchangeFacts}. */
	public static final String ATTEMPT = "keepalive.attempt";

	private static final long serialVersionUID = 1L;

	private static final Log logger = LogFactory.getLog(KeepAliveRetryPolicy.class);

	private final transient ResendRule rule;

	private final transient ResendLog log = new ResendLog();

	/**
	 * Create a policy.
	 * @param rule the rule it applies
	 */
	public KeepAliveRetryPolicy(ResendRule rule) {
		this.rule = rule;
	}

	/**
	 * Register an attempt about to be made.
	 * @param context the retry context
	 * @param method the request method
	 * @param headers the request headers
	 * @param facts what the engine will report about this attempt
	 */
	public static void attempt(RetryContext context, HttpMethod method, HttpHeaders headers, ExchangeFacts facts) {
		context.setAttribute(ATTEMPT, new Attempt(method, headers, facts));
	}

	/**
	 * The rule the policy applies; the pool asks it which requests may probe a connection.
	 * @return the rule
	 */
	public ResendRule rule() {
		return this.rule;
	}

	/**
	 * The decision about the last failure.
	 * @param context the retry context
	 * @return the decision, or {@code null} before any failure
	 */
	public static ResendDecision decision(RetryContext context) {
		return (ResendDecision) context.getAttribute(DECISION);
	}

	/**
	 * What the engine saw of the current (or last) attempt.
	 * @param context the retry context
	 * @return the facts, or {@code null} before the first attempt
	 */
	public static ExchangeFacts facts(RetryContext context) {
		Attempt attempt = (Attempt) context.getAttribute(ATTEMPT);
		return (attempt != null) ? attempt.facts() : null;
	}

	/**
	 * What the caller gets when no resend follows: a refusal that says why, with the failure as its cause, or
	 * the failure itself when it was not a connection failure.
	 * @param context the retry context
	 * @return the throwable to surface
	 */
	public static Throwable surfaced(RetryContext context) {
		Throwable failure = context.getLastThrowable();
		ResendDecision decision = decision(context);
		return (decision != null && decision.refused()) ? new ResendRefusedException(failure, decision) : failure;
	}

	@Override
	public RetryContext open(RetryContext parent) {
		return new RetryContextSupport(parent);
	}

	@Override
	public boolean canRetry(RetryContext context) {
		ResendDecision decision = decision(context);
		return decision == null || decision.resend();
	}

	@Override
	public void registerThrowable(RetryContext context, Throwable throwable) {
		((RetryContextSupport) context).registerThrowable(throwable);
		Attempt attempt = (Attempt) context.getAttribute(ATTEMPT);
		ResendDecision decision = (attempt != null) ? this.rule.decide(attempt.method(), attempt.headers(),
				attempt.facts(), throwable, context.getRetryCount()) : ResendDecision.NOT_A_CONNECTION_FAILURE;
		context.setAttribute(DECISION, decision);
		if (decision.verdict() == ResendDecision.Verdict.NOT_A_CONNECTION_FAILURE) {
			return;
		}
		if (decision.verdict() == ResendDecision.Verdict.RESEND_UNSENT) {
			// Not a failure of the connection: the starter kept the request off it.
			if (logger.isDebugEnabled()) {
				logger.debug("keepalive: " + attempt.method() + " to " + attempt.facts().origin() + " sent on another "
						+ "connection: " + throwable.getMessage());
			}
			return;
		}
		if (attempt.facts().unprocessed() != null) {
			// Not a broken connection: the server said so. A GOAWAY that caught a request sent after an idle
			// period closed the connection at its idle timeout, which teaches as a close does on HTTP/1.1.
			if (attempt.facts().unprocessed() == ExchangeFacts.Unprocessed.GOAWAY && attempt.facts().idleMillis() > 0) {
				attempt.facts().reusedConnectionFailed();
			}
		}
		else {
			attempt.facts().resetObserved(decision.resend());
			if (decision.staleConnection()) {
				attempt.facts().reusedConnectionFailed();
			}
		}
		this.log.decided(attempt.facts().origin(), decision);
		if (logger.isDebugEnabled()) {
			logger.debug("keepalive: " + attempt.method() + " to " + attempt.facts().origin() + " failed on a "
					+ (attempt.facts().reused() ? "reused" : "new") + " connection (" + throwable + "): "
					+ (decision.resend() ? "resending on a new connection" : "not resent: " + decision.explanation()));
		}
	}

	@Override
	public void close(RetryContext context) {
	}

	@Override
	public int getMaxAttempts() {
		return this.rule.maxAttempts();
	}

	private record Attempt(HttpMethod method, HttpHeaders headers, ExchangeFacts facts) {
	}

}
