package dev.keepalive.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.retry.RetryListener;

import dev.keepalive.client.Origins;
import dev.keepalive.client.reactor.KeepAlivePools;
import dev.keepalive.client.reactor.KeepAliveReactorNettyAutoConfiguration;
import dev.keepalive.client.retry.KeepAliveRetryAutoConfiguration;
import dev.keepalive.client.retry.KeepAliveRetryPolicy;
import dev.keepalive.server.KeepAliveAdvertisement;
import dev.keepalive.server.KeepAliveServerAutoConfiguration;

/**
 * Micrometer metrics for the pool, the resends and the server's advertisement; only when the application
 * has a {@link MeterRegistry}.
 */
@AutoConfiguration(
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		after = { KeepAliveReactorNettyAutoConfiguration.class, KeepAliveRetryAutoConfiguration.class,
				KeepAliveServerAutoConfiguration.class })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@EnableConfigurationProperties(KeepAliveMetricsProperties.class)
public final class KeepAliveMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	OriginTags keepAliveOriginTags(KeepAliveMetricsProperties properties) {
		return new OriginTags(properties.getMaxOriginTags());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(Origins.class)
	static class Client {

		@Bean
		@ConditionalOnMissingBean
		KeepAliveClientMetrics keepAliveClientMetrics(MeterRegistry registry, OriginTags origins) {
			return new KeepAliveClientMetrics(registry, origins);
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(KeepAlivePools.class)
		KeepAlivePoolMetrics keepAlivePoolMetrics(MeterRegistry registry, KeepAlivePools pools) {
			KeepAlivePoolMetrics metrics = new KeepAlivePoolMetrics(registry);
			pools.addListener(metrics);
			return metrics;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RetryListener.class)
	@ConditionalOnBean(KeepAliveRetryPolicy.class)
	static class Retry {

		@Bean
		@ConditionalOnMissingBean
		KeepAliveRetryMetrics keepAliveRetryMetrics(MeterRegistry registry, OriginTags origins) {
			return new KeepAliveRetryMetrics(registry, origins);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(KeepAliveAdvertisement.class)
	static class Server {

		@Bean
		@ConditionalOnMissingBean
		KeepAliveServerMetrics keepAliveServerMetrics(KeepAliveAdvertisement advertisement) {
			return new KeepAliveServerMetrics(advertisement);
		}

	}

}
