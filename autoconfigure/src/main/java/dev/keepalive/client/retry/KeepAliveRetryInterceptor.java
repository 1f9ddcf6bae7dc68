package dev.keepalive.client.retry;

import java.io.IOException;

import org.springframework.core.Ordered;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.support.RetryTemplate;

import dev.keepalive.client.ExchangeFacts;

/**
 * Resends a RestTemplate or RestClient request whose reused connection turned out to be closed, when
 * {@link ResendRule} says it is safe. The first attempt goes straight through; when the connection breaks
 * under it, a {@link RetryTemplate} driven by {@link KeepAliveRetryPolicy} takes over, starting from that
 * failure. Must be the interceptor nearest the request factory (it is added last, and
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
		ExchangeFacts first = new ExchangeFacts();
		try {
			return execute(first, request, body, execution);
		}
		catch (IOException | RuntimeException ex) {
			if (!first.requestStarted() || !ResendRule.isConnectionFailure(ex)) {
				throw ex; // Not the connection breaking under an exchange: nothing to decide.
			}
			// Only now the retry machinery: a request that succeeds pays for none of it.
			RetryCallback<ClientHttpResponse, IOException> attempts = (context) -> {
				if (context.getRetryCount() == 0) {
					KeepAliveRetryPolicy.attempt(context, request.getMethod(), request.getHeaders(), first);
					throw rethrowable(ex); // The first attempt, which has already failed.
				}
				ExchangeFacts facts = new ExchangeFacts();
				KeepAliveRetryPolicy.attempt(context, request.getMethod(), request.getHeaders(), facts);
				return execute(facts, request, body, execution);
			};
			return this.retryTemplate.execute(attempts, this::surface);
		}
	}

	private static ClientHttpResponse execute(ExchangeFacts facts, HttpRequest request, byte[] body,
			ClientHttpRequestExecution execution) throws IOException {
		ExchangeFacts previous = BlockingExchangeBinding.bind(facts);
		try {
			return execution.execute(request, body);
		}
		finally {
			BlockingExchangeBinding.restore(previous);
		}
	}

	private static IOException rethrowable(Exception ex) {
		if (ex instanceof RuntimeException runtime) {
			throw runtime;
		}
		return (IOException) ex;
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
