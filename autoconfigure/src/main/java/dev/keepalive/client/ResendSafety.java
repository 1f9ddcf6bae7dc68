package dev.keepalive.client;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

/**
 * Whether sending a request twice has the effect of sending it once: the resend layer's rule, which the pool
 * asks before it lets a request probe a connection idle past its origin's learnt cutoff.
 */
@FunctionalInterface
public interface ResendSafety {

	/**
	 * Whether a request may be sent again.
	 * @param method the request method
	 * @param headers the request headers
	 * @return {@code true} if a second execution cannot hurt (RFC 9110 section 9.2.2, an idempotency key, or a
	 * precondition only one execution can meet)
	 */
	boolean safeToResend(HttpMethod method, HttpHeaders headers);

}
