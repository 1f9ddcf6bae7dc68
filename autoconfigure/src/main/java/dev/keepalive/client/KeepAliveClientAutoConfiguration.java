package dev.keepalive.client;

import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

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
	static BeanFactoryPostProcessor keepAliveHostPropertyNames(Environment environment) {
		// Before any bean binds the properties, so that the failure names the setting and its fix.
		return (beanFactory) -> HostPropertyNames.check(environment);
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
			ObjectProvider<ClientHttpConnectorBuilder<?>> reactive, KeepAliveClientProperties properties,
			ApplicationContext context) {
		return () -> {
			ClientHttpRequestFactoryBuilder<?> configured = blocking.getIfAvailable();
			if (configured == null && context instanceof ReactiveWebApplicationContext) {
				// Boot configures no engine for the blocking clients here: RestClient.Builder detects its own.
				EngineReport.log(ClientHttpRequestFactoryBuilder.detect(), "RestClient", reactive.getIfAvailable(),
						properties);
			}
			else {
				EngineReport.log(configured, "RestClient and RestTemplate", reactive.getIfAvailable(), properties);
			}
		};
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

}
