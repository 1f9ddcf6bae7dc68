package dev.keepalive.client.retry;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.retry.RetryListener;
import org.springframework.retry.RetryPolicy;
import org.springframework.retry.backoff.FixedBackOffPolicy;
import org.springframework.retry.backoff.NoBackOffPolicy;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.web.reactive.function.client.WebClient;

import dev.keepalive.client.KeepAliveClientAutoConfiguration;
import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.reactor.KeepAliveHttpClientCustomizer;
import dev.keepalive.client.reactor.KeepAliveReactorNettyAutoConfiguration;

/**
 * Resends requests whose reused connection turned out to be closed, when that is provably safe
 * ({@link ResendRule}): below every interceptor for RestTemplate and RestClient (a request factory
 * decorator, on Reactor Netty or Apache HttpClient 5), a filter added last for WebClient, so that the user's own
 * see one logical call. The engines' own retries (Reactor Netty's retry-once, HttpClient's retry strategy) are
 * turned off so that attempts never add up to more than {@code max-attempts}.
 */
@AutoConfiguration(after = KeepAliveReactorNettyAutoConfiguration.class)
@ConditionalOnClass({ RetryPolicy.class, HttpClient.class })
@ConditionalOnBean(KeepAliveHttpClientCustomizer.class)
@ConditionalOnBooleanProperty(name = "keepalive.client.retry.enabled", matchIfMissing = true)
public final class KeepAliveRetryAutoConfiguration {

	/** After the customizers that install the pool, whose HttpClient customizer this one extends. */
	static final int CUSTOMIZER_ORDER = KeepAliveClientAutoConfiguration.CUSTOMIZER_ORDER + 1;

	private static final Log logger = LogFactory.getLog(KeepAliveRetryAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	ResendRule keepAliveResendRule(KeepAliveClientProperties properties) {
		warnIfIdempotentMethodsLeftOut(properties.getRetry());
		return new ResendRule(properties.getRetry());
	}

	/** Setting {@code methods} replaces the list: say so when that drops a method the default resends. */
	private static void warnIfIdempotentMethodsLeftOut(KeepAliveClientProperties.Retry retry) {
		Set<String> resent = retry.resendableMethods();
		List<String> leftOut = KeepAliveClientProperties.Retry.IDEMPOTENT_METHODS.stream()
			.filter((method) -> !resent.contains(method))
			.toList();
		if (!leftOut.isEmpty()) {
			String prefix = KeepAliveClientProperties.PREFIX + ".retry.";
			List<String> added = retry.getMethods().stream()
				.filter((method) -> !KeepAliveClientProperties.Retry.IDEMPOTENT_METHODS.contains(method))
				.toList();
			logger.warn("keepalive: " + prefix + "methods=" + String.join(",", retry.getMethods())
					+ " replaces the default list, so " + String.join(", ", leftOut) + " are no longer resent without "
					+ "an idempotency key" + (added.isEmpty() ? "" : "; to add " + String.join(", ", added)
							+ " to the defaults instead, set " + prefix + "additional-methods=" + String.join(",", added)));
		}
	}

	@Bean
	@ConditionalOnMissingBean
	KeepAliveRetryPolicy keepAliveRetryPolicy(ResendRule rule) {
		return new KeepAliveRetryPolicy(rule);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ClientHttpRequestFactoryBuilderCustomizer.class)
	static class Blocking {

		@Bean
		@Order(CUSTOMIZER_ORDER)
		@ConditionalOnMissingBean(name = "keepAliveRetryClientHttpRequestFactoryBuilderCustomizer")
		ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> keepAliveRetryClientHttpRequestFactoryBuilderCustomizer() {
			return (builder) -> builder
				.withHttpClientCustomizer((httpClient) -> BlockingExchangeBinding.apply(httpClient.disableRetry(true)));
		}

		@Bean
		@ConditionalOnMissingBean
		ResendingRequestFactoryDecorator keepAliveResendingRequestFactoryDecorator(KeepAliveRetryPolicy policy,
				KeepAliveClientProperties properties, ObjectProvider<KeepAliveRetryListener> listeners) {
			RetryTemplate template = new RetryTemplate();
			template.setRetryPolicy(policy);
			Duration backoff = properties.getRetry().getBackoff();
			if (backoff.isZero()) {
				template.setBackOffPolicy(new NoBackOffPolicy());
			}
			else {
				FixedBackOffPolicy fixed = new FixedBackOffPolicy();
				fixed.setBackOffPeriod(backoff.toMillis());
				template.setBackOffPolicy(fixed);
			}
			template.setListeners(listeners.orderedStream().toArray(RetryListener[]::new));
			return new ResendingRequestFactoryDecorator(template, policy.rule());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HttpClientBuilder.class, HttpComponentsClientHttpRequestFactoryBuilder.class })
	static class HttpComponents {

		@Bean
		@Order(CUSTOMIZER_ORDER)
		@ConditionalOnMissingBean(name = "keepAliveRetryHttpComponentsCustomizer")
		ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> keepAliveRetryHttpComponentsCustomizer() {
			// HttpClient's own retry would resend on any pooled connection, on top of ours.
			return (builder) -> builder.withHttpClientCustomizer(HttpClientBuilder::disableAutomaticRetries);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ WebClient.class, WebClientCustomizer.class, ClientHttpConnectorBuilderCustomizer.class })
	static class Reactive {

		@Bean
		@Order(CUSTOMIZER_ORDER)
		@ConditionalOnMissingBean(name = "keepAliveRetryClientHttpConnectorBuilderCustomizer")
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> keepAliveRetryClientHttpConnectorBuilderCustomizer() {
			return (builder) -> builder.withHttpClientCustomizer((httpClient) -> httpClient.disableRetry(true));
		}

		@Bean
		@ConditionalOnMissingBean
		KeepAliveRetryFilter keepAliveRetryFilter(KeepAliveRetryPolicy policy, KeepAliveClientProperties properties,
				ObjectProvider<KeepAliveRetryListener> listeners) {
			return new KeepAliveRetryFilter(policy, properties.getRetry().getBackoff(),
					List.copyOf(listeners.orderedStream().toList()));
		}

		@Bean
		@Order(Ordered.LOWEST_PRECEDENCE)
		WebClientCustomizer keepAliveRetryWebClientCustomizer(KeepAliveRetryFilter filter) {
			return (builder) -> builder.filters((filters) -> filters.add(filter));
		}

	}

}
