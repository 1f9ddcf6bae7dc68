package dev.keepalive.client.reactor;

import java.util.Iterator;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import reactor.core.Exceptions;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;

import dev.keepalive.client.ClientEngine;
import dev.keepalive.client.ConnectionReuseState;
import dev.keepalive.client.ExchangeFacts;
import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.KeepAliveHeader;
import dev.keepalive.client.Origins;

/**
 * Teaches a Reactor Netty {@link HttpClient} to read every response's {@code Keep-Alive} header and record,
 * on the connection, how long and how often it may be reused; the pool's {@link KeepAliveEvictionPredicate}
 * enforces it. Also fills in the {@link ExchangeFacts} of an exchange whose caller asked for them. HTTP/2
 * connections are handled by {@link Http2Exchanges}.
 */
public class KeepAliveHttpClientCustomizer {

	private static final AttributeKey<ConnectionReuseState> STATE = AttributeKey
		.valueOf(ConnectionReuseState.class.getName());

	private final Origins origins;

	private final boolean askForKeepAlive;

	private final TcpKeepAliveConfigurer tcpKeepAlive;

	private final Http2Exchanges http2;

	/**
	 * Create a customizer that asks HTTP/1.1 servers for their {@code Keep-Alive} header.
	 * @param origins the origins, with the policy that turns headers into limits
	 */
	public KeepAliveHttpClientCustomizer(Origins origins) {
		this(origins, true);
	}

	/**
	 * Create a customizer.
	 * @param origins the origins, with the policy that turns headers into limits
	 * @param askForKeepAlive whether HTTP/1.1 requests without a {@code Connection} header get
	 * {@code Connection: keep-alive}, which Apache httpd and Tomcat need before they advertise
	 */
	public KeepAliveHttpClientCustomizer(Origins origins, boolean askForKeepAlive) {
		this(origins, askForKeepAlive, null);
	}

	/**
	 * Create a customizer.
	 * @param origins the origins, with the policy that turns headers into limits
	 * @param askForKeepAlive whether HTTP/1.1 requests without a {@code Connection} header get
	 * {@code Connection: keep-alive}, which Apache httpd and Tomcat need before they advertise
	 * @param tcpKeepAlive TCP keepalive for new connections, or {@code null} to leave the sockets as they are
	 */
	public KeepAliveHttpClientCustomizer(Origins origins, boolean askForKeepAlive,
			KeepAliveClientProperties.TcpKeepAlive tcpKeepAlive) {
		this(origins, askForKeepAlive, tcpKeepAlive, new KeepAliveClientProperties.Http2());
	}

	/**
	 * Create a customizer.
	 * @param origins the origins, with the policy that turns headers into limits
	 * @param askForKeepAlive whether HTTP/1.1 requests without a {@code Connection} header get
	 * {@code Connection: keep-alive}, which Apache httpd and Tomcat need before they advertise
	 * @param tcpKeepAlive TCP keepalive for new connections, or {@code null} to leave the sockets as they are
	 * @param http2 the PING health check of HTTP/2 connections
	 */
	public KeepAliveHttpClientCustomizer(Origins origins, boolean askForKeepAlive,
			KeepAliveClientProperties.TcpKeepAlive tcpKeepAlive, KeepAliveClientProperties.Http2 http2) {
		this.origins = origins;
		this.askForKeepAlive = askForKeepAlive;
		this.tcpKeepAlive = (tcpKeepAlive != null && tcpKeepAlive.isEnabled()) ? new TcpKeepAliveConfigurer(tcpKeepAlive)
				: null;
		this.http2 = new Http2Exchanges(origins, http2);
	}

	/**
	 * Apply to a client.
	 * @param httpClient the client
	 * @return the client that learns from responses
	 */
	public HttpClient customize(HttpClient httpClient) {
		// Two callbacks, no more: each is a dispatch and work on every request. The connection's idle clock starts
		// in the first; the eviction predicate reads it at hand-out.
		HttpClient learning = httpClient.doOnRequest(this::requestStarted).doOnResponse(this::learn);
		return (this.tcpKeepAlive != null) ? learning.doOnChannelInit(this.tcpKeepAlive) : learning;
	}

	private void requestStarted(HttpClientRequest request, Connection connection) {
		Channel channel = connection.channel();
		if (channel instanceof Http2StreamChannel stream) {
			this.http2.requestStarted(request, stream);
			return;
		}
		ConnectionReuseState state = channel.attr(STATE).get();
		if (state == null) {
			state = new ConnectionReuseState(this.origins.forUrl(ClientEngine.REACTOR_NETTY, request.resourceUrl()));
			channel.attr(STATE).set(state);
		}
		if (this.askForKeepAlive && state.requests() == 0) {
			// A connection's first request asks: the limits its answer advertises last for the connection, and
			// later requests carry no extra header. Set before the caller's headers are applied: a Connection
			// header of the request's own replaces this.
			HttpHeaders headers = request.requestHeaders();
			if (!headers.contains(HttpHeaderNames.CONNECTION)) {
				headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
			}
		}
		ExchangeFacts facts = request.currentContextView().getOrDefault(ExchangeFacts.CONTEXT_KEY, null);
		if (!state.requestStarted(facts, System.nanoTime())) {
			// Nothing of the request is written yet: fail it here, and the resend layer sends it elsewhere.
			connection.channel().close();
			throw Exceptions.propagate(state.unsent(facts));
		}
	}

	private void learn(HttpClientResponse response, Connection connection) {
		if (connection.channel() instanceof Http2StreamChannel stream) {
			// HTTP/2 has no Keep-Alive header (RFC 9113 section 8.2.2): only the round trip and the facts.
			this.http2.responseStarted(stream);
			return;
		}
		ConnectionReuseState state = stateOf(connection.channel());
		if (state == null) {
			return;
		}
		state.responseStarted();
		// Most responses carry no header or repeat the last one: one lookup, no list.
		Iterator<String> values = response.responseHeaders().valueStringIterator(KeepAliveHeader.NAME);
		if (values.hasNext()) {
			String first = values.next();
			if (!values.hasNext()) {
				state.advertised(first);
			}
			else {
				state.advertised(response.responseHeaders().getAll(KeepAliveHeader.NAME));
			}
		}
	}

	/** The state kept on a pooled connection's channel (the TCP connection), once it carried a request. */
	static ConnectionReuseState stateOf(Channel channel) {
		return channel.attr(STATE).get();
	}

	static void attach(Channel channel, ConnectionReuseState state) {
		channel.attr(STATE).set(state);
	}

}
