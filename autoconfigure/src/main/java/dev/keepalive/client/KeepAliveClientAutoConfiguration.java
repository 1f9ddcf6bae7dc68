package dev.keepalive.client;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Puts Boot's RestTemplate, RestClient and WebClient builders on one keep-alive-aware Reactor Netty
 * {@link ConnectionProvider}, through Boot's own builder customizers so that {@code spring.http.clients.*}
 * keeps working.
 */
@AutoConfiguration(afterName = {
		"org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration",
		"org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration",
		"org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration",
		"org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration",
		"org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration",
		"org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration" })
@ConditionalOnClass({ HttpClient.class, ClientHttpRequestFactoryBuilderCustomizer.class })
@ConditionalOnBooleanProperty(name = "keepalive.client.enabled", matchIfMissing = true)
@EnableConfigurationProperties(KeepAliveClientProperties.class)
public final class KeepAliveClientAutoConfiguration {

	/**
	 * The order of the builder customizers that install the pool: after Boot's own (Boot's
	 * ReactorResourceFactory one is {@code @Order(0)}).
	 */
	public static final int CUSTOMIZER_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

	/** The name of the shared pool; a stable name for Reactor Netty's pool metrics. */
	public static final String POOL_NAME = "keepalive";

	@Bean
	@ConditionalOnMissingBean
	KeepAlivePolicy keepAlivePolicy(KeepAliveClientProperties properties) {
		return new KeepAlivePolicy(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	Origins keepAliveOrigins(KeepAlivePolicy policy, ObjectProvider<KeepAliveClientEvents> events) {
		return new Origins(policy, KeepAliveClientEvents.of(events.orderedStream().toList()));
	}

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
	KeepAliveHttpClientCustomizer keepAliveHttpClientCustomizer(Origins origins) {
		return new KeepAliveHttpClientCustomizer(origins);
	}

	@Bean
	@Order(CUSTOMIZER_ORDER)
	@ConditionalOnMissingBean(name = "keepAliveClientHttpRequestFactoryBuilderCustomizer")
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> keepAliveClientHttpRequestFactoryBuilderCustomizer(
			ConnectionProvider connectionProvider, KeepAliveHttpClientCustomizer httpClientCustomizer) {
		return (builder) -> builder.withHttpClientFactory(() -> HttpClient.create(connectionProvider))
			.withHttpClientCustomizer(httpClientCustomizer::customize);
	}

	@Bean
	static RequestFactoryDecoration keepAliveRequestFactoryDecoration(ObjectProvider<RequestFactoryDecorator> decorators) {
		return new RequestFactoryDecoration(decorators);
	}

	@Bean
	SmartInitializingSingleton keepAliveEngineReport(ObjectProvider<ClientHttpRequestFactoryBuilder<?>> blocking,
			ObjectProvider<ClientHttpConnectorBuilder<?>> reactive, KeepAliveClientProperties properties) {
		return () -> EngineReport.log(blocking.getIfAvailable(), reactive.getIfAvailable(), properties);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ClientHttpConnectorBuilderCustomizer.class)
	static class Reactive {

		@Bean
		@Order(CUSTOMIZER_ORDER)
		@ConditionalOnMissingBean(name = "keepAliveClientHttpConnectorBuilderCustomizer")
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> keepAliveClientHttpConnectorBuilderCustomizer(
				ConnectionProvider connectionProvider, KeepAliveHttpClientCustomizer httpClientCustomizer) {
			// Boot's own customizer sets a ReactorResourceFactory (whose pool replaces the factory);
			// ordered after it, ours swaps in the shared pool and keeps the factory's event loops.
			return (builder) -> builder.withHttpClientFactory(() -> HttpClient.create(connectionProvider))
				.withHttpClientCustomizer(httpClientCustomizer::customize);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RestClientCustomizer.class)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnMissingBean(ClientHttpRequestFactoryBuilder.class)
	static class ReactiveWebApplication {

		@Bean
		RestClientCustomizer keepAliveReactiveAppRestClientCustomizer(
				ObjectProvider<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers,
				ObjectProvider<HttpClientSettings> settings, ObjectProvider<RequestFactoryDecorator> decorators) {
			return new ReactiveAppRestClientCustomizer(customizers.orderedStream().toList(),
					settings.getIfAvailable(HttpClientSettings::defaults), decorators.orderedStream().toList());
		}

	}

	/** One startup line saying which clients run on a keep-alive-aware pool, and a warning for those that do not. */
	static final class EngineReport {

		private static final Log logger = LogFactory.getLog(KeepAliveClientAutoConfiguration.class);

		private static final String INACTIVE = "so the idle cutoff below the advertised Keep-Alive timeout, the "
				+ "default idle timeout, max=N and the reuse-aware resends are inactive for ";

		private EngineReport() {
		}

		static void log(ClientHttpRequestFactoryBuilder<?> blocking, ClientHttpConnectorBuilder<?> reactive,
				KeepAliveClientProperties properties) {
			if (blocking instanceof DecoratingRequestFactoryBuilder decorating) {
				blocking = decorating.delegate();
			}
			if (blocking != null && !RequestFactoryDecoration.isKeepAliveEngine(blocking)) {
				logger.warn("keepalive: RestClient and RestTemplate use " + describe(blocking)
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
						+ properties.getSafetyMargin().toMillis() + " ms (default idle timeout "
						+ properties.getDefaultIdleTimeout().toMillis() + " ms when none is advertised); RestClient and "
						+ "RestTemplate on " + ((blocking != null) ? describe(blocking) : "no auto-configured engine"));
			}
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
				return "Apache HttpClient 5 (" + name + ")";
			}
			if (name.startsWith("Reactor")) {
				return "Reactor Netty (" + name + ")";
			}
			return name;
		}

	}

}
