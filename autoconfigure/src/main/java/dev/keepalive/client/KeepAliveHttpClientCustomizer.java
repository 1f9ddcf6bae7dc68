package dev.keepalive.client;

import io.netty.channel.Channel;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * Teaches a Reactor Netty {@link HttpClient} to read every response's {@code Keep-Alive} header and record,
 * on the connection, how long and how often it may be reused. The pool's {@link KeepAliveEvictionPredicate}
 * enforces it.
 */
public class KeepAliveHttpClientCustomizer {

	private final KeepAlivePolicy policy;

	/**
	 * Create a customizer.
	 * @param policy the policy that turns headers into limits
	 */
	public KeepAliveHttpClientCustomizer(KeepAlivePolicy policy) {
		this.policy = policy;
	}

	/**
	 * Apply to a client.
	 * @param httpClient the client
	 * @return the client that learns from responses
	 */
	public HttpClient customize(HttpClient httpClient) {
		return httpClient.doOnResponse(this::learn);
	}

	private void learn(HttpClientResponse response, Connection connection) {
		Channel channel = connection.channel();
		ConnectionReuseState state = ConnectionReuseState.get(channel);
		if (state == null) {
			state = ConnectionReuseState.attach(channel, this.policy.forUrl(response.resourceUrl()));
		}
		// Most responses repeat the header or carry none: only look further when there is one.
		if (response.responseHeaders().contains(KeepAliveHeader.NAME)) {
			state.advertised(response.responseHeaders().getAll(KeepAliveHeader.NAME));
		}
	}

}
