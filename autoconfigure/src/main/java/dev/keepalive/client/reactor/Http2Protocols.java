package dev.keepalive.client.reactor;

import java.util.List;
import java.util.function.UnaryOperator;

import javax.net.ssl.SSLEngine;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.tcp.SslProvider;

import dev.keepalive.client.KeepAliveClientProperties;

/**
 * Sets a Reactor Netty client's HTTP version from {@code keepalive.client.protocol}, and makes sure a client
 * that may speak h2 over TLS offers it by ALPN (RFC 7301). Boot builds the {@code SslContext} of an SSL bundle
 * without ALPN, so h2 over a bundle would otherwise never be negotiated: the server answers HTTP/1.1, or an
 * h2-only server fails the request. Runs last among the builder customizers, so that a protocol switched by
 * the application's own customizer gets ALPN too.
 */
final class Http2Protocols implements UnaryOperator<HttpClient> {

	private final KeepAliveClientProperties.Protocol protocol;

	Http2Protocols(KeepAliveClientProperties.Protocol protocol) {
		this.protocol = protocol;
	}

	@Override
	public HttpClient apply(HttpClient client) {
		HttpClient switched = switch (this.protocol) {
			case H2 -> client.protocol(HttpProtocol.H2, HttpProtocol.HTTP11);
			case H2C -> client.protocol(HttpProtocol.H2C, HttpProtocol.H2);
			case DEFAULT -> client;
		};
		return offerAlpn(switched);
	}

	/**
	 * The client, securing its connections with the same JDK {@code SSLContext} (the bundle's keys and trust)
	 * but offering h2, and HTTP/1.1 when the client speaks it, by ALPN; unchanged when it does not speak h2
	 * over TLS or its context already negotiates.
	 */
	static HttpClient offerAlpn(HttpClient client) {
		SslProvider ssl = client.configuration().sslProvider();
		List<HttpProtocol> protocols = List.of(client.configuration().protocols());
		if (ssl == null || !protocols.contains(HttpProtocol.H2)
				|| !(ssl.getSslContext() instanceof JdkSslContext context)
				|| !context.applicationProtocolNegotiator().protocols().isEmpty()) {
			return client;
		}
		String[] offered = protocols.contains(HttpProtocol.HTTP11)
				? new String[] { ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1 }
				: new String[] { ApplicationProtocolNames.HTTP_2 };
		ApplicationProtocolConfig alpn = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
				ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
				ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, offered);
		// The TLS versions the bundle enabled live in the engines the context makes.
		SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
		SslContext withAlpn = new JdkSslContext(context.context(), true, context.cipherSuites(),
				IdentityCipherSuiteFilter.INSTANCE, alpn, ClientAuth.NONE, engine.getEnabledProtocols(), false);
		return client.secure((spec) -> spec.sslContext(withAlpn));
	}

}
