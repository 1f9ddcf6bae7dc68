package dev.keepalive.client.retry;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

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
		return httpClient.mapConnect((connect) -> Mono.defer(() -> {
			ExchangeFacts facts = ExchangeFacts.bound();
			return (facts != null) ? connect.contextWrite((context) -> context.put(ExchangeFacts.CONTEXT_KEY, facts))
					: connect;
		}));
	}

}
