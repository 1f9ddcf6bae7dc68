package dev.keepalive.client.apache;

import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

import dev.keepalive.client.KeepAliveClientAutoConfiguration;
import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.Origins;

/**
 * The keep-alive rules for RestTemplate and RestClient when Boot builds them on Apache HttpClient 5
 * ({@code httpclient5} on the classpath, or {@code spring.http.clients.imperative.factory=http-components}).
 * WebClient stays on Reactor Netty.
 */
@AutoConfiguration(after = KeepAliveClientAutoConfiguration.class)
@ConditionalOnClass({ HttpClientBuilder.class, HttpComponentsClientHttpRequestFactoryBuilder.class })
@ConditionalOnBean(Origins.class)
public final class KeepAliveHttpComponentsAutoConfiguration {

	@Bean
	@Order(KeepAliveClientAutoConfiguration.CUSTOMIZER_ORDER)
	@ConditionalOnMissingBean
	HttpComponentsKeepAliveCustomizer keepAliveHttpComponentsCustomizer(Origins origins,
			KeepAliveClientProperties properties) {
		return new HttpComponentsKeepAliveCustomizer(origins, properties);
	}

}
