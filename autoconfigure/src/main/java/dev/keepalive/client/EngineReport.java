package dev.keepalive.client;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;

/** One startup line saying which clients run on a keep-alive-aware pool, and a warning for those that do not. */
final class EngineReport {

	private static final Log logger = LogFactory.getLog(KeepAliveClientAutoConfiguration.class);

	private static final String INACTIVE = "so the idle cutoff below the advertised Keep-Alive timeout, the "
			+ "default idle timeout, max=N and the reuse-aware resends are inactive for ";

	private EngineReport() {
	}

	/**
	 * Log the report.
	 * @param blocking the engine of the blocking clients, or {@code null} if none is configured
	 * @param blockingClients which blocking clients use it, in words
	 * @param reactive WebClient's connector builder, or {@code null}
	 * @param properties the properties
	 */
	static void log(ClientHttpRequestFactoryBuilder<?> blocking, String blockingClients,
			ClientHttpConnectorBuilder<?> reactive, KeepAliveClientProperties properties) {
		if (blocking instanceof DecoratingRequestFactoryBuilder decorating) {
			blocking = decorating.delegate();
		}
		if (blocking != null && !RequestFactoryDecoration.isKeepAliveEngine(blocking)) {
			logger.warn("keepalive: " + blockingClients + " use " + describe(blocking)
					+ ", which gives no control over its pooled connections, " + INACTIVE + "them. Set "
					+ "spring.http.clients.imperative.factory=reactor (or http-components, with httpclient5 on the "
					+ "classpath) to enable them.");
		}
		if (reactive != null && !(reactive instanceof ReactorClientHttpConnectorBuilder)) {
			logger.warn("keepalive: WebClient uses " + describe(reactive) + ", not Reactor Netty, " + INACTIVE
					+ "it. Set spring.http.clients.reactive.connector=reactor to enable them.");
		}
		if (logger.isInfoEnabled()) {
			logger.info("keepalive: pooled connections are reused until the advertised Keep-Alive timeout less "
					+ margin(properties) + ", counted from each connection's last request (default idle timeout "
					+ properties.getDefaultIdleTimeout().toMillis() + " ms when none is advertised)"
					+ (properties.getHosts().isEmpty() ? "" : "; per-origin rules for " + properties.getHosts().keySet())
					+ "; " + blockingClients + " on " + ((blocking != null) ? describe(blocking) : "no auto-configured engine")
					+ protocol(properties));
		}
	}

	private static String protocol(KeepAliveClientProperties properties) {
		return switch (properties.getProtocol()) {
			case DEFAULT -> "";
			case H2 -> "; Reactor Netty clients negotiate HTTP/2 by ALPN over TLS (keepalive.client.protocol=h2)";
			case H2C -> "; Reactor Netty clients speak HTTP/2, by prior knowledge without TLS (keepalive.client.protocol=h2c)";
		} + (properties.getProtocol() != KeepAliveClientProperties.Protocol.DEFAULT && properties.getHttp2().getPingInterval().isZero()
				? ", PING off" : "");
	}

	private static String margin(KeepAliveClientProperties properties) {
		long cap = properties.getSafetyMargin().toMillis();
		return properties.isAdaptiveMargin() ? "what each origin's path needs (" + properties.getMinSafetyMargin().toMillis()
				+ " ms plus its shortest round trip, at most " + cap + " ms)" : cap + " ms";
	}

	private static String describe(Object builder) {
		String name = builder.getClass().getSimpleName();
		if (name.startsWith("Jdk")) {
			return "the JDK HttpClient (" + name + ")";
		}
		if (name.startsWith("Simple")) {
			return "HttpURLConnection (" + name + ")";
		}
		if (name.startsWith("HttpComponents")) {
			// Boot builds the classic client, which speaks HTTP/1.1 only (HTTP/2 needs HttpClient's async client).
			return "Apache HttpClient 5 (" + name + ", HTTP/1.1 only)";
		}
		if (name.startsWith("Reactor")) {
			return "Reactor Netty (" + name + ")";
		}
		return name;
	}

}
