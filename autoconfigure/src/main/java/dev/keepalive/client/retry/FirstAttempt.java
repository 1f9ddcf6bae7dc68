package dev.keepalive.client.retry;

import java.util.function.BiFunction;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;

import dev.keepalive.client.ExchangeFacts;
import dev.keepalive.client.ResendSafety;

/**
 * The first attempt of a WebClient exchange, as one operator: it gives the attempt its own
 * {@link ExchangeFacts} in the context Reactor Netty sees, and when the attempt fails with a broken connection
 * it switches to what {@code afterBrokenConnection} returns (a resend, or the failure). One operator instead
 * of a context write and an error operator: this runs for every request, and Reactor's general operators
 * cost an object and a hop per signal each.
 */
final class FirstAttempt<T> extends Mono<T> {

	private final Mono<T> attempt;

	private final BiFunction<ExchangeFacts, Throwable, Mono<T>> afterBrokenConnection;

	/**
	 * Run {@code attempt} with facts of its own; on a broken connection continue with
	 * {@code afterBrokenConnection}, given those facts and the failure.
	 */
	private final ClientRequest request;

	private final ResendSafety safety;

	FirstAttempt(Mono<T> attempt, BiFunction<ExchangeFacts, Throwable, Mono<T>> afterBrokenConnection) {
		this(attempt, afterBrokenConnection, null, null);
	}

	/**
	 * A first attempt whose facts tell the pool what the request is, so that it may probe a connection idle past
	 * its origin's learnt cutoff when it may be sent again (a request with a body never probes: whether that
	 * body can be written twice is known only once it is written).
	 */
	FirstAttempt(Mono<T> attempt, BiFunction<ExchangeFacts, Throwable, Mono<T>> afterBrokenConnection,
			ClientRequest request, ResendSafety safety) {
		this.attempt = attempt;
		this.afterBrokenConnection = afterBrokenConnection;
		this.request = request;
		this.safety = safety;
	}

	@Override
	public void subscribe(CoreSubscriber<? super T> actual) {
		Switching<T> switching = new Switching<>(actual, this.afterBrokenConnection);
		if (this.safety != null && (Object) this.request.body() == BodyInserters.empty()) {
			switching.facts.resendable(this.safety, this.request.method(), this.request.headers());
		}
		this.attempt.subscribe(switching);
	}

	/**
	 * Passes the attempt's signals on, and on a broken connection subscribes to what follows, keeping the
	 * downstream's demand and cancellation. A Mono: one value at most, so demand is a flag.
	 */
	private static final class Switching<T> implements CoreSubscriber<T>, Subscription {

		private final CoreSubscriber<? super T> actual;

		private final BiFunction<ExchangeFacts, Throwable, Mono<T>> afterBrokenConnection;

		private final ExchangeFacts facts = new ExchangeFacts();

		private final Context context;

		private volatile Subscription upstream;

		private volatile boolean requested;

		private volatile boolean cancelled;

		private boolean switched;

		Switching(CoreSubscriber<? super T> actual, BiFunction<ExchangeFacts, Throwable, Mono<T>> afterBrokenConnection) {
			this.actual = actual;
			this.afterBrokenConnection = afterBrokenConnection;
			this.context = actual.currentContext().put(ExchangeFacts.CONTEXT_KEY, this.facts);
		}

		@Override
		public Context currentContext() {
			return this.context;
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			this.upstream = subscription;
			if (!this.switched) {
				this.actual.onSubscribe(this);
				return;
			}
			// Demand or cancellation that reached the first attempt applies to what follows it. Racing a
			// request or cancel on another thread, both may pass it on: a second request or cancel is harmless.
			if (this.cancelled) {
				subscription.cancel();
			}
			else if (this.requested) {
				subscription.request(Long.MAX_VALUE);
			}
		}

		@Override
		public void onNext(T value) {
			this.actual.onNext(value);
		}

		@Override
		public void onError(Throwable failure) {
			// A caller that cancelled is gone: nothing is sent again for it.
			if (this.switched || this.cancelled || !ResendRule.isConnectionFailure(failure)) {
				this.actual.onError(failure);
				return;
			}
			this.switched = true;
			Mono<T> next;
			try {
				next = this.afterBrokenConnection.apply(this.facts, failure);
			}
			catch (RuntimeException ex) {
				ex.addSuppressed(failure);
				this.actual.onError(ex);
				return;
			}
			next.subscribe(this);
		}

		@Override
		public void onComplete() {
			this.actual.onComplete();
		}

		@Override
		public void request(long n) {
			if (n > 0) {
				this.requested = true;
			}
			this.upstream.request(n);
		}

		@Override
		public void cancel() {
			this.cancelled = true;
			this.upstream.cancel();
		}

	}

}
