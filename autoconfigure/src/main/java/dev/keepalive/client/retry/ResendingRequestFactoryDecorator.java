package dev.keepalive.client.retry;

import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.retry.support.RetryTemplate;

import dev.keepalive.client.RequestFactoryDecorator;

/**
 * Puts {@link ResendingClientHttpRequestFactory} under RestTemplate and RestClient.
 */
public final class ResendingRequestFactoryDecorator implements RequestFactoryDecorator {

	private final RetryTemplate retryTemplate;

	/**
	 * Create the decorator.
	 * @param retryTemplate a template whose policy is a {@link KeepAliveRetryPolicy}
	 */
	public ResendingRequestFactoryDecorator(RetryTemplate retryTemplate) {
		this.retryTemplate = retryTemplate;
	}

	@Override
	public ClientHttpRequestFactory decorate(ClientHttpRequestFactory factory) {
		return new ResendingClientHttpRequestFactory(factory, this.retryTemplate);
	}

}
