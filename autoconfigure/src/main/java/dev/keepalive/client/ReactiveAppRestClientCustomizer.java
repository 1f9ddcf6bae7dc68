package dev.keepalive.client;

import java.util.List;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.web.client.RestClient;

/**
 * In a reactive web application Boot configures no factory builder for the blocking clients, and
 * {@code RestClient.Builder} detects one by itself, bypassing every {@link ClientHttpRequestFactoryBuilderCustomizer}.
 * When the detected engine is one the starter teaches (Reactor Netty, Apache HttpClient 5), this applies those
 * customizers (the starter's included) and the request-factory decorators as Boot does in a servlet
 * application, so that RestClient gets the keep-alive rules and the resends there too.
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
		if (RequestFactoryDecoration.isKeepAliveEngine(detected)) {
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
