package dev.keepalive.client.retry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.support.RetryTemplate;

import dev.keepalive.client.ExchangeFacts;
import dev.keepalive.client.ResendSafety;

/**
 * Resends a RestTemplate or RestClient request whose reused connection turned out to be closed, when
 * {@link ResendRule} says it is safe. It decorates the request factory, below every interceptor: interceptors
 * see one logical call. The first attempt sends the caller's own request, as the delegate created it: nothing
 * is buffered or copied unless a resend is needed.
 * The first attempt goes straight through; when the connection breaks under it, a {@link RetryTemplate}
 * driven by {@link KeepAliveRetryPolicy} takes over, starting from that failure. A body is written again only
 * if it says it can be ({@link StreamingHttpOutputMessage.Body#repeatable()}).
 */
public final class ResendingClientHttpRequestFactory implements ClientHttpRequestFactory {

	private final ClientHttpRequestFactory delegate;

	private final RetryTemplate retryTemplate;

	private final ResendSafety safety;

	/**
	 * Decorate a factory.
	 * @param delegate the factory that sends the requests
	 * @param retryTemplate a template whose policy is a {@link KeepAliveRetryPolicy}
	 */
	public ResendingClientHttpRequestFactory(ClientHttpRequestFactory delegate, RetryTemplate retryTemplate) {
		this(delegate, retryTemplate, null);
	}

	/**
	 * Decorate a factory whose requests tell the pool whether they may be sent again, so that those may probe
	 * connections idle past their origin's learnt cutoff.
	 * @param delegate the factory that sends the requests
	 * @param retryTemplate a template whose policy is a {@link KeepAliveRetryPolicy}
	 * @param safety the rule that says which requests may be sent again, or {@code null} for no probes
	 */
	public ResendingClientHttpRequestFactory(ClientHttpRequestFactory delegate, RetryTemplate retryTemplate,
			ResendSafety safety) {
		this.delegate = delegate;
		this.retryTemplate = retryTemplate;
		this.safety = safety;
	}

	/**
	 * The decorated factory.
	 * @return the factory that sends the requests
	 */
	public ClientHttpRequestFactory delegate() {
		return this.delegate;
	}

	@Override
	public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
		return new ResendingRequest(this.delegate.createRequest(uri, httpMethod));
	}

	/**
	 * The first attempt's request, created by the delegate, takes the caller's headers, attributes and body
	 * directly: a request that succeeds is neither copied nor buffered for our sake. Only a resend copies them
	 * into a new request.
	 */
	private final class ResendingRequest implements ClientHttpRequest, StreamingHttpOutputMessage {

		private final ClientHttpRequest first;

		private Body body;

		/** The caller wrote bytes straight to the output stream: they are the delegate's, and not repeatable. */
		private boolean streamedBody;

		ResendingRequest(ClientHttpRequest first) {
			this.first = first;
		}

		@Override
		public HttpMethod getMethod() {
			return this.first.getMethod();
		}

		@Override
		public URI getURI() {
			return this.first.getURI();
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.first.getHeaders();
		}

		@Override
		public Map<String, Object> getAttributes() {
			return this.first.getAttributes();
		}

		@Override
		public OutputStream getBody() throws IOException {
			this.streamedBody = true;
			return this.first.getBody();
		}

		@Override
		public void setBody(Body body) {
			this.body = body;
			if (this.first instanceof StreamingHttpOutputMessage streaming) {
				streaming.setBody(body);
			}
		}

		@Override
		public ClientHttpResponse execute() throws IOException {
			if (this.body != null && !(this.first instanceof StreamingHttpOutputMessage)) {
				this.body.writeTo(this.first.getBody());
			}
			ExchangeFacts firstFacts = facts();
			try {
				return send(this.first, firstFacts);
			}
			catch (IOException | RuntimeException ex) {
				if (!firstFacts.requestStarted() || !ResendRule.isConnectionFailure(ex)) {
					throw ex; // Not the connection breaking under an exchange: nothing to decide.
				}
				HttpMethod method = getMethod();
				HttpHeaders headers = getHeaders();
				RetryCallback<ClientHttpResponse, IOException> attempts = (context) -> {
					if (context.getRetryCount() == 0) {
						KeepAliveRetryPolicy.attempt(context, method, headers, firstFacts);
						throw rethrowable(ex); // The first attempt, which has already failed.
					}
					ExchangeFacts facts = facts();
					KeepAliveRetryPolicy.attempt(context, method, headers, facts);
					return send(copy(), facts);
				};
				return ResendingClientHttpRequestFactory.this.retryTemplate.execute(attempts, this::surface);
			}
		}

		private ExchangeFacts facts() {
			ExchangeFacts facts = new ExchangeFacts();
			if (this.streamedBody || (this.body != null && !this.body.repeatable())) {
				facts.streamedBody();
			}
			ResendSafety safety = ResendingClientHttpRequestFactory.this.safety;
			if (safety != null) {
				facts.resendable(safety, getMethod(), getHeaders());
			}
			return facts;
		}

		/** A new request for a resend, with the first one's headers, attributes and (repeatable) body. */
		private ClientHttpRequest copy() throws IOException {
			ClientHttpRequest request = ResendingClientHttpRequestFactory.this.delegate.createRequest(getURI(),
					getMethod());
			request.getHeaders().putAll(this.first.getHeaders());
			Map<String, Object> attributes = this.first.getAttributes();
			if (!attributes.isEmpty()) {
				request.getAttributes().putAll(attributes);
			}
			if (this.body != null) {
				if (request instanceof StreamingHttpOutputMessage streaming) {
					streaming.setBody(this.body);
				}
				else {
					this.body.writeTo(request.getBody());
				}
			}
			return request;
		}

		private ClientHttpResponse send(ClientHttpRequest request, ExchangeFacts facts) throws IOException {
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
