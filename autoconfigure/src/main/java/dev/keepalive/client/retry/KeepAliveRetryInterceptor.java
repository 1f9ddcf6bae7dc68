package dev.keepalive.client.retry;

import java.io.IOException;

import org.springframework.core.Ordered;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.retry.RetryContext;
import org.springframework.retry.support.RetryTemplate;

import dev.keepalive.client.ExchangeFacts;

/**
 * Resends a RestTemplate or RestClient request whose reused connection turned out to be closed, when
 * {@link ResendRule} says it is safe. Runs the attempts in a {@link RetryTemplate} driven by
 * {@link KeepAliveRetryPolicy}. Must be the interceptor nearest the request factory (it is added last, and
 * ordered last), so that other interceptors see one logical call. Request bodies reach interceptors
 * buffered, so they can always be written again.
 */
public final class KeepAliveRetryInterceptor implements ClientHttpRequestInterceptor, Ordered {

	private final RetryTemplate retryTemplate;

	/**
	 * Create an interceptor.
	 * @param retryTemplate a template whose policy is a {@link KeepAliveRetryPolicy}
	 */
	public KeepAliveRetryInterceptor(RetryTemplate retryTemplate) {
		this.retryTemplate = retryTemplate;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		return this.retryTemplate.execute((context) -> attempt(context, request, body, execution), this::surface);
	}

	private ClientHttpResponse attempt(RetryContext context, HttpRequest request, byte[] body,
			ClientHttpRequestExecution execution) throws IOException {
		ExchangeFacts facts = new ExchangeFacts();
		KeepAliveRetryPolicy.attempt(context, request.getMethod(), request.getHeaders(), facts);
		ExchangeFacts previous = BlockingExchangeBinding.bind(facts);
		try {
			return execution.execute(request, body);
		}
		finally {
			BlockingExchangeBinding.restore(previous);
		}
	}

	private ClientHttpResponse surface(RetryContext context) throws IOException {
		Throwable failure = KeepAliveRetryPolicy.surfaced(context);
		if (failure instanceof IOException ex) {
			throw ex;
		}
		if (failure instanceof RuntimeException ex) {
			throw ex;
		}
		if (failure instanceof Error error) {
			throw error;
		}
		throw new IOException(failure);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
