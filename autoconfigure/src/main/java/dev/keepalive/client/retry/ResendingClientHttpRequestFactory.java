package dev.keepalive.client.retry;

import java.io.IOException;
import java.net.URI;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.support.RetryTemplate;

import dev.keepalive.client.ExchangeFacts;

/**
 * Resends a RestTemplate or RestClient request whose reused connection turned out to be closed, when
 * {@link ResendRule} says it is safe. It decorates the request factory, below every interceptor: interceptors
 * see one logical call, and a request without interceptors is neither buffered nor copied more than once.
 * The first attempt goes straight through; when the connection breaks under it, a {@link RetryTemplate}
 * driven by {@link KeepAliveRetryPolicy} takes over, starting from that failure. A body is written again only
 * if it says it can be ({@link StreamingHttpOutputMessage.Body#repeatable()}).
 */
public final class ResendingClientHttpRequestFactory implements ClientHttpRequestFactory {

	private final ClientHttpRequestFactory delegate;

	private final RetryTemplate retryTemplate;

	/**
	 * Decorate a factory.
	 * @param delegate the factory that sends the requests
	 * @param retryTemplate a template whose policy is a {@link KeepAliveRetryPolicy}
	 */
	public ResendingClientHttpRequestFactory(ClientHttpRequestFactory delegate, RetryTemplate retryTemplate) {
		this.delegate = delegate;
		this.retryTemplate = retryTemplate;
	}

	/**
	 * The decorated factory.
	 * @return the factory that sends the requests
	 */
	public ClientHttpRequestFactory delegate() {
		return this.delegate;
	}

	@Override
	public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) {
		return new ResendingRequest(uri, httpMethod);
	}

	private final class ResendingRequest extends AbstractStreamingClientHttpRequest {

		private final URI uri;

		private final HttpMethod method;

		ResendingRequest(URI uri, HttpMethod method) {
			this.uri = uri;
			this.method = method;
		}

		@Override
		public HttpMethod getMethod() {
			return this.method;
		}

		@Override
		public URI getURI() {
			return this.uri;
		}

		@Override
		protected ClientHttpResponse executeInternal(HttpHeaders headers, Body body) throws IOException {
			ExchangeFacts first = facts(body);
			try {
				return send(first, headers, body);
			}
			catch (IOException | RuntimeException ex) {
				if (!first.requestStarted() || !ResendRule.isConnectionFailure(ex)) {
					throw ex; // Not the connection breaking under an exchange: nothing to decide.
				}
				RetryCallback<ClientHttpResponse, IOException> attempts = (context) -> {
					if (context.getRetryCount() == 0) {
						KeepAliveRetryPolicy.attempt(context, this.method, headers, first);
						throw rethrowable(ex); // The first attempt, which has already failed.
					}
					ExchangeFacts facts = facts(body);
					KeepAliveRetryPolicy.attempt(context, this.method, headers, facts);
					return send(facts, headers, body);
				};
				return ResendingClientHttpRequestFactory.this.retryTemplate.execute(attempts, this::surface);
			}
		}

		private ExchangeFacts facts(Body body) {
			ExchangeFacts facts = new ExchangeFacts();
			if (body != null && !body.repeatable()) {
				facts.streamedBody();
			}
			return facts;
		}

		private ClientHttpResponse send(ExchangeFacts facts, HttpHeaders headers, Body body) throws IOException {
			ClientHttpRequest request = ResendingClientHttpRequestFactory.this.delegate.createRequest(this.uri,
					this.method);
			request.getHeaders().putAll(headers);
			if (!getAttributes().isEmpty()) {
				request.getAttributes().putAll(getAttributes());
			}
			if (body != null) {
				if (request instanceof StreamingHttpOutputMessage streaming) {
					streaming.setBody(body);
				}
				else {
					body.writeTo(request.getBody());
				}
			}
			ExchangeFacts previous = ExchangeFacts.bind(facts);
			try {
				return request.execute();
			}
			finally {
				ExchangeFacts.restore(previous);
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

	}

	private static IOException rethrowable(Exception ex) {
		if (ex instanceof RuntimeException runtime) {
			throw runtime;
		}
		return (IOException) ex;
	}

}
