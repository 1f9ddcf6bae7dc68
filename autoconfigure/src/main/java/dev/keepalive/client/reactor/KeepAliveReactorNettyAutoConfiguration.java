package dev.keepalive.client.reactor;

import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import dev.keepalive.client.KeepAliveClientAutoConfiguration;
import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.KeepAlivePolicy;
import dev.keepalive.client.Origins;

/**
 * The keep-alive rules on Reactor Netty: WebClient always, RestTemplate and RestClient when Boot builds them
 * on it. Boot's builders get one shared keep-alive-aware {@link ConnectionProvider} through Boot's own
 * builder customizers, so that {@code spring.http.clients.*} keeps working; {@code keepalive.client.protocol}
 * switches them to HTTP/2, with ALPN offered over Boot's SSL bundles.
 */
@AutoConfiguration(after = KeepAliveClientAutoConfiguration.class)
@ConditionalOnClass(HttpClient.class)
@ConditionalOnBean(Origins.class)
public final class KeepAliveReactorNettyAutoConfiguration {

	/** The name of the shared pool; a stable name for Reactor Netty's pool metrics. */
	public static final String POOL_NAME = "keepalive";

	@Bean
	@ConditionalOnMissingBean
	KeepAlivePools keepAlivePools() {
		return new KeepAlivePools();
	}

	@Bean(destroyMethod = "dispose")
	@ConditionalOnMissingBean
	ConnectionProvider keepAliveConnectionProvider(KeepAliveClientProperties properties, KeepAlivePolicy policy,
			KeepAlivePools pools) {
		return ConnectionProvider.builder(POOL_NAME)
			.metrics(true, () -> pools)
			.evictionPredicate(new KeepAliveEvictionPredicate(policy, properties.getMaxLifeTime()))
			.evictInBackground(properties.getEvictionInterval())
			.pendingAcquireTimeout(properties.getPendingAcquireTimeout())
			.pendingAcquireMaxCount(properties.getPendingAcquireMaxCount())
			.maxConnections(properties.getMaxConnections())
			.build();
	}

	@Bean
	@ConditionalOnMissingBean
	SharedHttpClient keepAliveSharedHttpClient(ConnectionProvider connectionProvider) {
		return new SharedHttpClient(HttpClient.create(connectionProvider));
	}

	@Bean
	@ConditionalOnMissingBean
	KeepAliveHttpClientCustomizer keepAliveHttpClientCustomizer(Origins origins, KeepAliveClientProperties properties) {
		return new KeepAliveHttpClientCustomizer(origins, properties.isSendConnectionKeepAlive(),
				properties.getTcpKeepAlive(), properties.getHttp2());
	}

	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	@ConditionalOnMissingBean(name = "keepAliveHttpProtocolRequestFactoryBuilderCustomizer")
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> keepAliveHttpProtocolRequestFactoryBuilderCustomizer(
			KeepAliveClientProperties properties) {
		// Last, so that a protocol the application switched with its own customizer gets ALPN too.
		return (builder) -> builder.withHttpClientCustomizer(new Http2Protocols(properties.getProtocol()));
	}

	@Bean
	@Order(KeepAliveClientAutoConfiguration.CUSTOMIZER_ORDER)
	@ConditionalOnMissingBean(name = "keepAliveClientHttpRequestFactoryBuilderCustomizer")
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> keepAliveClientHttpRequestFactoryBuilderCustomizer(
			SharedHttpClient sharedHttpClient, KeepAliveHttpClientCustomizer httpClientCustomizer) {
		return (builder) -> builder.withHttpClientFactory(sharedHttpClient::get)
			.withHttpClientCustomizer(httpClientCustomizer::customize);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ClientHttpConnectorBuilderCustomizer.class)
	static class Reactive {

		@Bean
		@Order(KeepAliveClientAutoConfiguration.CUSTOMIZER_ORDER)
		@ConditionalOnMissingBean(name = "keepAliveClientHttpConnectorBuilderCustomizer")
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> keepAliveClientHttpConnectorBuilderCustomizer(
				SharedHttpClient sharedHttpClient, KeepAliveHttpClientCustomizer httpClientCustomizer) {
			// Boot's own customizer sets a ReactorResourceFactory (whose pool replaces the factory);
			// ordered after it, ours swaps in the shared pool and keeps the factory's event loops.
			return (builder) -> builder.withHttpClientFactory(sharedHttpClient::get)
				.withHttpClientCustomizer(httpClientCustomizer::customize);
		}

		@Bean
		@Order(Ordered.LOWEST_PRECEDENCE)
		@ConditionalOnMissingBean(name = "keepAliveHttpProtocolConnectorBuilderCustomizer")
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> keepAliveHttpProtocolConnectorBuilderCustomizer(
				KeepAliveClientProperties properties) {
			return (builder) -> builder.withHttpClientCustomizer(new Http2Protocols(properties.getProtocol()));
		}

	}

}
