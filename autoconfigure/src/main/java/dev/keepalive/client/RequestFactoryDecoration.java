package dev.keepalive.client;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;

/**
 * Wraps Boot's Reactor Netty or Apache HttpClient 5 factory builder for the blocking clients, once Boot has applied every
 * customizer to it, so that the factories it builds pass through the {@link RequestFactoryDecorator} beans.
 * Boot's builder is kept, not replaced: RestTemplateBuilder and RestClient.Builder get its factories,
 * decorated.
 */
final class RequestFactoryDecoration implements BeanPostProcessor {

	private static final String HTTP_COMPONENTS_BUILDER = "org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder";

	private final ObjectProvider<RequestFactoryDecorator> decorators;

	RequestFactoryDecoration(ObjectProvider<RequestFactoryDecorator> decorators) {
		this.decorators = decorators;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof ClientHttpRequestFactoryBuilder<?> builder && isKeepAliveEngine(builder)) {
			List<RequestFactoryDecorator> decorators = this.decorators.orderedStream().toList();
			return decorators.isEmpty() ? bean : new DecoratingRequestFactoryBuilder(builder, decorators);
		}
		return bean;
	}

	/** The engines whose exchanges report reuse and response headers, which the decorators rely on. */
	static boolean isKeepAliveEngine(ClientHttpRequestFactoryBuilder<?> builder) {
		// By name: httpclient5 is optional, and Boot's builder class refers to it.
		return builder instanceof ReactorClientHttpRequestFactoryBuilder
				|| HTTP_COMPONENTS_BUILDER.equals(builder.getClass().getName());
	}

}
