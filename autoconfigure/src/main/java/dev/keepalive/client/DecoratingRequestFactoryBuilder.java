package dev.keepalive.client;

import java.util.List;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * Boot's factory builder for the blocking clients, exactly as Boot configured it, with every factory it
 * builds passed through the {@link RequestFactoryDecorator}s.
 */
public final class DecoratingRequestFactoryBuilder implements ClientHttpRequestFactoryBuilder<ClientHttpRequestFactory> {

	private final ClientHttpRequestFactoryBuilder<?> delegate;

	private final List<RequestFactoryDecorator> decorators;

	/**
	 * Decorate a builder.
	 * @param delegate Boot's builder, customized as Boot customizes it
	 * @param decorators the decorators, applied in order (the first wraps the engine's factory)
	 */
	public DecoratingRequestFactoryBuilder(ClientHttpRequestFactoryBuilder<?> delegate,
			List<RequestFactoryDecorator> decorators) {
		this.delegate = delegate;
		this.decorators = List.copyOf(decorators);
	}

	/**
	 * The decorated builder.
	 * @return Boot's builder
	 */
	public ClientHttpRequestFactoryBuilder<?> delegate() {
		return this.delegate;
	}

	@Override
	public ClientHttpRequestFactory build(HttpClientSettings settings) {
		ClientHttpRequestFactory factory = this.delegate.build(settings);
		for (RequestFactoryDecorator decorator : this.decorators) {
			factory = decorator.decorate(factory);
		}
		return factory;
	}

}
