package dev.keepalive.client.retry;

import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.retry.support.RetryTemplate;

import dev.keepalive.client.RequestFactoryDecorator;
import dev.keepalive.client.ResendSafety;

/**
 * Puts {@link ResendingClientHttpRequestFactory} under RestTemplate and RestClient.
 */
public final class ResendingRequestFactoryDecorator implements RequestFactoryDecorator {

	private final RetryTemplate retryTemplate;

	private final ResendSafety safety;

	/**
	 * Create the decorator.
	 * @param retryTemplate a template whose policy is a {@link KeepAliveRetryPolicy}
	 */
	public ResendingRequestFactoryDecorator(RetryTemplate retryTemplate) {
		this(retryTemplate, null);
	}

	/**
	 * Create the decorator.
	 * @param retryTemplate a template whose policy is a {@link KeepAliveRetryPolicy}
	 * @param safety the rule that says which requests may be sent again (and so may probe), or {@code null}
	 */
	public ResendingRequestFactoryDecorator(RetryTemplate retryTemplate, ResendSafety safety) {
		this.retryTemplate = retryTemplate;
		this.safety = safety;
	}

	@Override
	public ClientHttpRequestFactory decorate(ClientHttpRequestFactory factory) {
		return new ResendingClientHttpRequestFactory(factory, this.retryTemplate, this.safety);
	}

}
