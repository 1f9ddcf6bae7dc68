package dev.keepalive.client.reactor;

import java.util.List;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.web.client.RestClient;

import dev.keepalive.client.DecoratingRequestFactoryBuilder;
import dev.keepalive.client.RequestFactoryDecorator;

/**
 * In a reactive web application Boot configures no factory builder for the blocking clients, and
 * {@code RestClient.Builder} detects one by itself, bypassing every {@link ClientHttpRequestFactoryBuilderCustomizer}.
 * When the detected engine is Reactor Netty, this applies those customizers (the starter's included) as Boot
 * does in a servlet application, so that RestClient shares the keep-alive-aware pool there too.
 */
final class ReactiveAppRestClientCustomizer implements RestClientCustomizer {

	private final List<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers;

	private final HttpClientSettings settings;

	private final List<RequestFactoryDecorator> decorators;

	ReactiveAppRestClientCustomizer(List<ClientHttpRequestFactoryBuilderCustomizer<?>> customizers,
			HttpClientSettings settings, List<RequestFactoryDecorator> decorators) {
		this.customizers = customizers;
		this.settings = settings;
		this.decorators = decorators;
	}

	@Override
	public void customize(RestClient.Builder builder) {
		ClientHttpRequestFactoryBuilder<?> detected = ClientHttpRequestFactoryBuilder.detect();
		if (detected instanceof ReactorClientHttpRequestFactoryBuilder) {
			builder.requestFactory(
					new DecoratingRequestFactoryBuilder(customize(detected), this.decorators).build(this.settings));
		}
	}

	@SuppressWarnings("unchecked")
	private ClientHttpRequestFactoryBuilder<?> customize(ClientHttpRequestFactoryBuilder<?> builder) {
		ClientHttpRequestFactoryBuilder<?>[] customized = { builder };
		LambdaSafe.callbacks(ClientHttpRequestFactoryBuilderCustomizer.class, this.customizers, builder)
			.invoke((customizer) -> customized[0] = customizer.customize(customized[0]));
		return customized[0];
	}

}
