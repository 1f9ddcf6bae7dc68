package dev.keepalive.client.retry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLHandshakeException;

import reactor.netty.channel.AbortedException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.keepalive.client.ExchangeFacts;
import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.ResendSafety;
import dev.keepalive.client.retry.ResendDecision.Verdict;

/**
 * When a failed request may go out again: the rule of Chromium's {@code ShouldResendRequest} and Go's
 * {@code shouldRetryRequest}, made configurable. A failure is resent only if it is a connection-level I/O
 * failure (reset, broken pipe, close before the status line), on a REUSED connection, before any response
 * header, for a request that is safe to send twice (idempotent method, idempotency key, or a conditional
 * request that makes it idempotent), whose body can be written again, with attempts left. Stateless and
 * thread-safe; the one place the rule is written down.
 */
public final class ResendRule implements ResendSafety {

	private final Set<String> methods;

	private final List<String> keyHeaders;

	private final int maxAttempts;

	/**
	 * Create the rule from validated properties.
	 * @param retry the retry properties
	 */
	public ResendRule(KeepAliveClientProperties.Retry retry) {
		this.methods = Set.copyOf(retry.resendableMethods());
		this.keyHeaders = List.copyOf(retry.getIdempotencyKeyHeaders());
		this.maxAttempts = retry.getMaxAttempts();
	}

	/**
	 * The most attempts of one request, the first included.
	 * @return the maximum
	 */
	public int maxAttempts() {
		return this.maxAttempts;
	}

	/**
	 * Decide about a failed attempt.
	 * @param method the request method
	 * @param headers the request headers
	 * @param facts what the engine saw of the attempt, or {@code null} if the engine reported nothing
	 * @param failure the failure
	 * @param attemptsMade the attempts made so far, the failed one included
	 * @return the decision
	 */
	public ResendDecision decide(HttpMethod method, HttpHeaders headers, ExchangeFacts facts, Throwable failure,
			int attemptsMade) {
		if (facts == null || !facts.requestStarted() || !isConnectionFailure(failure)) {
			return ResendDecision.NOT_A_CONNECTION_FAILURE;
		}
		if (facts.wasUnsent()) {
			return ResendDecision.RESEND_UNSENT;
		}
		ExchangeFacts.Unprocessed unprocessed = facts.unprocessed();
		if (unprocessed != null) {
			return decideUnprocessed(unprocessed, facts, attemptsMade);
		}
		if (facts.headersReceived()) {
			return refuse(Verdict.HEADERS_RECEIVED, "the response had started, so the server processed it");
		}
		if (!facts.reused()) {
			return refuse(Verdict.FRESH_CONNECTION, "the connection was new, so this is the server's answer");
		}
		if (!safeToResend(method, headers)) {
			return refuse(Verdict.NOT_IDEMPOTENT, method.name() + " without " + String.join(" or ", this.keyHeaders)
					+ " on a reused connection; the server may have executed it (" + howToResend(method) + ")");
		}
		if (!facts.bodyReplayable()) {
			return refuse(Verdict.BODY_NOT_REPLAYABLE, "the request body is a stream that cannot be written twice");
		}
		if (attemptsMade >= this.maxAttempts) {
			return refuse(Verdict.ATTEMPTS_EXHAUSTED, attemptsMade + " of " + this.maxAttempts + " attempts made ("
					+ KeepAliveClientProperties.PREFIX + ".retry.max-attempts)");
		}
		return ResendDecision.RESEND;
	}

	/**
	 * The server said it never processed the request (HTTP/2 GOAWAY above the stream, REFUSED_STREAM): resent
	 * once on another connection whatever its method, as RFC 9113 sections 6.8 and 8.7 allow and Go's
	 * {@code canRetryError}, OkHttp and undici do; never twice, so a server that keeps refusing is heard.
	 */
	private ResendDecision decideUnprocessed(ExchangeFacts.Unprocessed unprocessed, ExchangeFacts facts,
			int attemptsMade) {
		String said = (unprocessed == ExchangeFacts.Unprocessed.GOAWAY)
				? "the server sent GOAWAY below this stream" : "the server reset the stream with REFUSED_STREAM";
		if (!facts.bodyReplayable()) {
			return refuse(Verdict.BODY_NOT_REPLAYABLE,
					said + ", so it did not process it, but the request body is a stream that cannot be written twice");
		}
		if (attemptsMade > 1) {
			return refuse(Verdict.UNPROCESSED_AGAIN, said + " again: it processed none of " + attemptsMade
					+ " attempts; an unprocessed request is resent once, not more");
		}
		if (attemptsMade >= this.maxAttempts) {
			return refuse(Verdict.ATTEMPTS_EXHAUSTED, said + ", so it did not process it, but " + attemptsMade + " of "
					+ this.maxAttempts + " attempts were made (" + KeepAliveClientProperties.PREFIX + ".retry.max-attempts)");
		}
		return ResendDecision.RESEND_UNPROCESSED;
	}

	/** The setting that would have resent it: every refusal names the property that changes the outcome. */
	private static String howToResend(HttpMethod method) {
		if (KeepAliveClientProperties.Retry.IDEMPOTENT_METHODS.contains(method.name())) {
			return method.name() + " is idempotent, but " + KeepAliveClientProperties.PREFIX
					+ ".retry.methods leaves it out";
		}
		return "if " + method.name() + " is idempotent on this server, add it to " + KeepAliveClientProperties.PREFIX
				+ ".retry.additional-methods";
	}

	/**
	 * Whether sending the request twice has the effect of sending it once: RFC 9110 section 9.2.2, an
	 * idempotency key, or a precondition that only one execution can meet.
	 * @param method the request method
	 * @param headers the request headers
	 * @return {@code true} if safe
	 */
	@Override
	public boolean safeToResend(HttpMethod method, HttpHeaders headers) {
		if (this.methods.contains(method.name())) {
			return true;
		}
		for (String keyHeader : this.keyHeaders) {
			if (headers.containsHeader(keyHeader)) {
				return true;
			}
		}
		return isConditional(headers);
	}

	/**
	 * Riptide's reading: {@code If-Match} with exactly one entity tag, {@code If-None-Match: *}, or
	 * {@code If-Unmodified-Since} make a second execution fail its precondition instead of repeating.
	 */
	private static boolean isConditional(HttpHeaders headers) {
		List<String> ifMatch = headers.get(HttpHeaders.IF_MATCH);
		if (ifMatch != null && ifMatch.size() == 1) {
			String tag = ifMatch.get(0).trim();
			if (!tag.isEmpty() && !tag.equals("*") && tag.indexOf(',') < 0) {
				return true;
			}
		}
		List<String> ifNoneMatch = headers.get(HttpHeaders.IF_NONE_MATCH);
		if (ifNoneMatch != null && ifNoneMatch.size() == 1 && ifNoneMatch.get(0).trim().equals("*")) {
			return true;
		}
		return headers.containsHeader(HttpHeaders.IF_UNMODIFIED_SINCE);
	}

	/**
	 * Whether a failure is the connection breaking (reset, broken pipe, EOF, also under TLS once its handshake
	 * is done) rather than a timeout, a refused or unresolvable connect, or a failed TLS handshake.
	 * @param failure the failure, with its causes
	 * @return {@code true} for a connection-level I/O failure
	 */
	public static boolean isConnectionFailure(Throwable failure) {
		boolean io = false;
		int depth = 0;
		for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
			if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException
					|| t instanceof SSLHandshakeException || t instanceof InterruptedIOException || t instanceof TimeoutException
					|| t instanceof io.netty.handler.timeout.TimeoutException) {
				return false;
			}
			io |= (t instanceof IOException) || (t instanceof AbortedException);
			if (t.getCause() == t) {
				break;
			}
		}
		return io;
	}

	private static ResendDecision refuse(Verdict verdict, String explanation) {
		return new ResendDecision(verdict, explanation);
	}

	@Override
	public String toString() {
		return "ResendRule[methods=" + this.methods + ", keyHeaders=" + this.keyHeaders + ", maxAttempts="
				+ this.maxAttempts + "]";
	}

}
