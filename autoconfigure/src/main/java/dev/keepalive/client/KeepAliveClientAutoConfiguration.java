package dev.keepalive.client;

import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The engine-neutral part of the client side: the properties, the policy that turns them and each response's
 * {@code Keep-Alive} header into reuse limits, the origins and what they learnt, and the decoration of the
 * request factories Boot builds for RestTemplate and RestClient. Each engine's auto-configuration
 * ({@code dev.keepalive.client.reactor}, {@code dev.keepalive.client.apache}) builds on these beans.
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
	 * The order of the builder customizers that install each engine's rules: after Boot's own (Boot's
	 * ReactorResourceFactory one is {@code @Order(0)}).
	 */
	public static final int CUSTOMIZER_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

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
	static RequestFactoryDecoration keepAliveRequestFactoryDecoration(ObjectProvider<RequestFactoryDecorator> decorators) {
		return new RequestFactoryDecoration(decorators);
	}

	@Bean
	SmartInitializingSingleton keepAliveEngineReport(ObjectProvider<ClientHttpRequestFactoryBuilder<?>> blocking,
			ObjectProvider<ClientHttpConnectorBuilder<?>> reactive, KeepAliveClientProperties properties) {
		return () -> EngineReport.log(blocking.getIfAvailable(), reactive.getIfAvailable(), properties);
	}

}
