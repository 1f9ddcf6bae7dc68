package dev.keepalive.samples.benchmark;

import java.io.IOException;
import java.net.URI;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Diagnose mode only: a request factory that wraps another and does nothing else, to measure what moving the
 * blocking resend below Spring's interceptor chain would cost (one more request object and a header copy per
 * request, no buffering).
 */
final class DecoratingRequestFactory implements ClientHttpRequestFactory {

	private final ClientHttpRequestFactory delegate;

	DecoratingRequestFactory(ClientHttpRequestFactory delegate) {
		this.delegate = delegate;
	}

	@Override
	public ClientHttpRequest createRequest(URI uri, HttpMethod method) {
		return new Request(uri, method);
	}

	private final class Request extends AbstractStreamingClientHttpRequest {

		private final URI uri;

		private final HttpMethod method;

		Request(URI uri, HttpMethod method) {
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
			ClientHttpRequest request = DecoratingRequestFactory.this.delegate.createRequest(this.uri, this.method);
			request.getHeaders().putAll(headers);
			if (body != null) {
				if (request instanceof StreamingHttpOutputMessage streaming) {
					streaming.setBody(body);
				}
				else {
					body.writeTo(request.getBody());
				}
			}
			return request.execute();
		}

	}

}
