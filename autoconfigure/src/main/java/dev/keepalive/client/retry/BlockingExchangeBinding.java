package dev.keepalive.client.retry;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.util.context.Context;

import dev.keepalive.client.ExchangeFacts;

/**
 * Carries an attempt's {@link ExchangeFacts} from a blocking client to Reactor Netty. Spring's
 * {@code ReactorClientHttpRequest} blocks with no Reactor context, but it subscribes on the caller's thread,
 * where the resending factory bound the facts ({@link ExchangeFacts#bind}): the connect step copies them into
 * the context where Reactor Netty's callbacks, running on event-loop threads, find them.
 */
final class BlockingExchangeBinding {

	private BlockingExchangeBinding() {
	}

	/** Make the client's connect step pick up facts bound to the subscribing thread. */
	static HttpClient apply(HttpClient httpClient) {
		return httpClient.mapConnect(FactsFromThread::new);
	}

	/**
	 * Looks for bound facts when subscribed, on the caller's thread, and only then adds a context: one
	 * object per request instead of a defer and a context write.
	 */
	private static final class FactsFromThread extends Mono<Connection> {

		private final Mono<? extends Connection> connect;

		FactsFromThread(Mono<? extends Connection> connect) {
			this.connect = connect;
		}

		@Override
		public void subscribe(CoreSubscriber<? super Connection> actual) {
			ExchangeFacts facts = ExchangeFacts.bound();
			this.connect.subscribe((facts != null) ? new WithFacts(actual, facts) : actual);
		}

	}

	/** Passes every signal, and the subscription itself, straight through; only the context differs. */
	private static final class WithFacts implements CoreSubscriber<Connection> {

		private final CoreSubscriber<? super Connection> actual;

		private final Context context;

		WithFacts(CoreSubscriber<? super Connection> actual, ExchangeFacts facts) {
			this.actual = actual;
			this.context = actual.currentContext().put(ExchangeFacts.CONTEXT_KEY, facts);
		}

		@Override
		public Context currentContext() {
			return this.context;
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			this.actual.onSubscribe(subscription);
		}

		@Override
		public void onNext(Connection connection) {
			this.actual.onNext(connection);
		}

		@Override
		public void onError(Throwable failure) {
			this.actual.onError(failure);
		}

		@Override
		public void onComplete() {
			this.actual.onComplete();
		}

	}

}
