package dev.keepalive.client;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;

/**
 * Wraps Boot's Reactor Netty factory builder for the blocking clients, once Boot has applied every
 * customizer to it, so that the factories it builds pass through the {@link RequestFactoryDecorator} beans.
 * Boot's builder is kept, not replaced: RestTemplateBuilder and RestClient.Builder get its factories,
 * decorated.
 */
final class RequestFactoryDecoration implements BeanPostProcessor {

	private final ObjectProvider<RequestFactoryDecorator> decorators;

	RequestFactoryDecoration(ObjectProvider<RequestFactoryDecorator> decorators) {
		this.decorators = decorators;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof ReactorClientHttpRequestFactoryBuilder builder) {
			List<RequestFactoryDecorator> decorators = this.decorators.orderedStream().toList();
			return decorators.isEmpty() ? bean : new DecoratingRequestFactoryBuilder(builder, decorators);
		}
		return bean;
	}

}
