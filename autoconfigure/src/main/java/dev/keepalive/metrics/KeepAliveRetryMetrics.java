package dev.keepalive.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;

import dev.keepalive.client.ExchangeFacts;
import dev.keepalive.client.Origin;
import dev.keepalive.client.retry.KeepAliveRetryListener;
import dev.keepalive.client.retry.KeepAliveRetryPolicy;
import dev.keepalive.client.retry.ResendDecision;

/**
 * Records every connection-level failure and what was decided about it: {@code keepalive.client.resets}
 * (tags {@code reused}, {@code resent}), {@code keepalive.client.retries} (tag {@code outcome}) and
 * {@code keepalive.client.retries.refused} (tag {@code reason}), and HTTP/2's unprocessed requests,
 * {@code keepalive.client.http2.unprocessed} (tags {@code signal}, {@code resent}), each also tagged with the bounded origin and the engine.
 */
public class KeepAliveRetryMetrics implements KeepAliveRetryListener {

	/** Connection-level failures (reset, early close); tags {@code reused}, {@code resent}, {@code origin}. */
	public static final String RESETS = "keepalive.client.resets";

	/** Resends; tags {@code outcome} ({@code success}, {@code failure}), {@code origin}. */
	public static final String RETRIES = "keepalive.client.retries";

	/** Connection-level failures not resent; tags {@code reason}, {@code origin}. */
	public static final String REFUSED = "keepalive.client.retries.refused";

	/**
	 * HTTP/2 requests the server said it never processed (GOAWAY, REFUSED_STREAM); tags {@code signal}
	 * ({@code goaway}, {@code refused-stream}), {@code resent}, {@code origin}.
	 */
	public static final String UNPROCESSED = "keepalive.client.http2.unprocessed";

	private final MeterRegistry registry;

	private final OriginTags origins;

	/**
	 * Create the metrics.
	 * @param registry where to record
	 * @param origins the bounded origin tag
	 */
	public KeepAliveRetryMetrics(MeterRegistry registry, OriginTags origins) {
		this.registry = registry;
		this.origins = origins;
	}

	@Override
	public <T, E extends Throwable> void onError(RetryContext context, RetryCallback<T, E> callback,
			Throwable throwable) {
		ResendDecision decision = KeepAliveRetryPolicy.decision(context);
		if (decision == null || decision.verdict() == ResendDecision.Verdict.NOT_A_CONNECTION_FAILURE
				|| decision.verdict() == ResendDecision.Verdict.RESEND_UNSENT) {
			// An unsent request broke no connection: the pool counts its discard (learnt-timeout).
			return;
		}
		ExchangeFacts facts = KeepAliveRetryPolicy.facts(context);
		Origin target = (facts != null) ? facts.origin() : null;
		String origin = this.origins.of(target);
		String engine = engine(target);
		ExchangeFacts.Unprocessed unprocessed = (facts != null) ? facts.unprocessed() : null;
		if (unprocessed != null) {
			Counter.builder(UNPROCESSED)
				.description("HTTP/2 requests the server did not process (GOAWAY, REFUSED_STREAM), resent once")
				.tag("signal", (unprocessed == ExchangeFacts.Unprocessed.GOAWAY) ? "goaway" : "refused-stream")
				.tag("resent", String.valueOf(decision.resend()))
				.tag("origin", origin)
				.tag("engine", engine)
				.register(this.registry)
				.increment();
		}
		else {
			Counter.builder(RESETS)
				.description("Requests that failed because the connection broke (reset, close before the response)")
				.tag("reused", String.valueOf(facts != null && facts.reused()))
				.tag("resent", String.valueOf(decision.resend()))
				.tag("origin", origin)
				.tag("engine", engine)
				.register(this.registry)
				.increment();
		}
		if (decision.refused()) {
			Counter.builder(REFUSED)
				.description("Connection-level failures that were not resent, by reason")
				.tag("reason", decision.verdict().tag())
				.tag("origin", origin)
				.tag("engine", engine)
				.register(this.registry)
				.increment();
		}
		if (context.getRetryCount() > 1) {
			// The attempt that failed was itself a resend.
			retry("failure", origin, engine);
		}
	}

	@Override
	public <T, E extends Throwable> void onSuccess(RetryContext context, RetryCallback<T, E> callback, T result) {
		ResendDecision decision = KeepAliveRetryPolicy.decision(context);
		if (context.getRetryCount() > 0 && (decision == null || decision.verdict() != ResendDecision.Verdict.RESEND_UNSENT)) {
			ExchangeFacts facts = KeepAliveRetryPolicy.facts(context);
			Origin target = (facts != null) ? facts.origin() : null;
			retry("success", this.origins.of(target), engine(target));
		}
	}

	private static String engine(Origin origin) {
		return (origin != null) ? origin.engine().tag() : "unknown";
	}

	private void retry(String outcome, String origin, String engine) {
		Counter.builder(RETRIES)
			.description("Requests resent on a new connection, by outcome")
			.tag("outcome", outcome)
			.tag("origin", origin)
			.tag("engine", engine)
			.register(this.registry)
			.increment();
	}

}
