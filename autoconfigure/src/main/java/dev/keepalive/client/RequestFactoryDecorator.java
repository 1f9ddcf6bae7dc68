package dev.keepalive.client;

import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * Decorates the request factory of the blocking clients (RestTemplate, RestClient) that run on the pool; the
 * resend support is one. Declare a bean to have Boot's factories decorated.
 */
@FunctionalInterface
public interface RequestFactoryDecorator {

	/**
	 * Decorate a factory.
	 * @param factory the factory Boot built
	 * @return the factory to use
	 */
	ClientHttpRequestFactory decorate(ClientHttpRequestFactory factory);

}
