package dev.keepalive.client.retry;

import java.time.Duration;
import java.util.List;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryListener;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import dev.keepalive.client.ExchangeFacts;

/**
 * Resends a WebClient request whose reused connection turned out to be closed, when {@link ResendRule} says
 * it is safe. Never blocks: the same {@link KeepAliveRetryPolicy} the blocking clients use decides, inside
 * the reactive chain, once an attempt fails; each attempt hands its {@link ExchangeFacts} to Reactor Netty in
 * its own context.
 * A body written as one value ({@code bodyValue}, form data) can be written again; a streamed body cannot.
 */
public final class KeepAliveRetryFilter implements ExchangeFilterFunction {

	private final KeepAliveRetryPolicy policy;

	private final Duration backoff;

	private final List<RetryListener> listeners;

	/**
	 * Create a filter.
	 * @param policy the policy
	 * @param backoff the pause before a resend
	 * @param listeners listeners told about attempts, as a {@code RetryTemplate} would tell them
	 */
	public KeepAliveRetryFilter(KeepAliveRetryPolicy policy, Duration backoff, List<RetryListener> listeners) {
		this.policy = policy;
		this.backoff = backoff;
		this.listeners = List.copyOf(listeners);
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		// Only a broken connection under an exchange brings in the policy: a request that succeeds pays for its
		// facts and one operator, no retry machinery.
		return new FirstAttempt<>(next.exchange(trackBody(request)),
				(facts, failure) -> firstAttemptFailed(request, next, facts, failure), request, this.policy.rule());
	}

	private Mono<ClientResponse> firstAttemptFailed(ClientRequest request, ExchangeFunction next, ExchangeFacts first,
			Throwable failure) {
		if (!first.requestStarted()) {
			return Mono.error(failure);
		}
		RetryContext context = this.policy.open(null);
		this.listeners.forEach((listener) -> listener.open(context, null));
		KeepAliveRetryPolicy.attempt(context, request.method(), request.headers(), first);
		return afterFailure(context, request, next, failure).doOnSuccess((response) -> {
			this.listeners.forEach((listener) -> listener.onSuccess(context, null, response));
			close(context, null);
		}).doOnError((error) -> close(context, error));
	}

	private static Mono<ClientResponse> exchange(ClientRequest request, ExchangeFunction next, ExchangeFacts facts) {
		return next.exchange(trackBody(request))
			.contextWrite((reactorContext) -> reactorContext.put(ExchangeFacts.CONTEXT_KEY, facts));
	}

	/** Decide about a failed attempt; resend, and decide again about the resend, until the policy says no. */
	private Mono<ClientResponse> afterFailure(RetryContext context, ClientRequest request, ExchangeFunction next,
			Throwable failure) {
		this.policy.registerThrowable(context, failure);
		this.listeners.forEach((listener) -> listener.onError(context, null, failure));
		if (!this.policy.canRetry(context)) {
			return Mono.error(surface(context, failure));
		}
		Mono<ClientResponse> resend = Mono.defer(() -> {
			ExchangeFacts facts = new ExchangeFacts();
			KeepAliveRetryPolicy.attempt(context, request.method(), request.headers(), facts);
			// Every failure of a resend goes to the policy, which surfaces what is not a broken connection.
			return exchange(request, next, facts).onErrorResume((ex) -> afterFailure(context, request, next, ex));
		});
		return this.backoff.isZero() ? resend : Mono.delay(this.backoff).then(resend);
	}

	/** Keeps the exception type WebClient callers expect; the refusal, with its cause, inside. */
	private static Throwable surface(RetryContext context, Throwable failure) {
		ResendDecision decision = KeepAliveRetryPolicy.decision(context);
		if (decision == null || !decision.refused() || !(failure instanceof WebClientRequestException ex)) {
			return KeepAliveRetryPolicy.surfaced(context);
		}
		Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
		return new WebClientRequestException(new ResendRefusedException(cause, decision), ex.getMethod(), ex.getUri(),
				ex.getHeaders());
	}

	private void close(RetryContext context, Throwable error) {
		this.listeners.forEach((listener) -> listener.close(context, null, error));
	}

	private static ClientRequest trackBody(ClientRequest request) {
		BodyInserter<?, ? super ClientHttpRequest> body = request.body();
		if ((Object) body == BodyInserters.empty()) {
			return request;
		}
		BodyInserter<Object, ClientHttpRequest> tracked = (message, context) -> body.insert(new StreamTracking(message),
				context);
		return ClientRequest.from(request).body(tracked).build();
	}

	/** Notes whether the body goes out as one buffer (replayable) or as a stream. */
	private static final class StreamTracking extends ClientHttpRequestDecorator {

		StreamTracking(ClientHttpRequest delegate) {
			super(delegate);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			return (body instanceof Mono) ? super.writeWith(body) : streamed(super.writeWith(body));
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			return streamed(super.writeAndFlushWith(body));
		}

		/** The write runs in the attempt's context, where its facts are. */
		private static Mono<Void> streamed(Mono<Void> write) {
			return Mono.deferContextual((context) -> {
				context.<ExchangeFacts>get(ExchangeFacts.CONTEXT_KEY).streamedBody();
				return write;
			});
		}

	}

}
