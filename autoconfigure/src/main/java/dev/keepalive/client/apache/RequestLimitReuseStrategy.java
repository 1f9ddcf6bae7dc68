package dev.keepalive.client.apache;

import org.apache.hc.client5.http.impl.DefaultClientConnectionReuseStrategy;
import org.apache.hc.core5.http.ConnectionReuseStrategy;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;

import dev.keepalive.client.ConnectionReuseState;
import dev.keepalive.client.DiscardReason;

/**
 * HttpClient's reuse rules ({@code Connection: close}, HTTP/1.0, framing), plus the server's
 * {@code Keep-Alive: max=N}: a connection that carried {@code N} requests is closed on release.
 */
final class RequestLimitReuseStrategy implements ConnectionReuseStrategy {

	// As HttpClient's builder, which Boot tells to honour the system properties, would choose.
	private final ConnectionReuseStrategy delegate = "true".equalsIgnoreCase(System.getProperty("http.keepAlive", "true"))
			? DefaultClientConnectionReuseStrategy.INSTANCE : (request, response, context) -> false;

	@Override
	public boolean keepAlive(HttpRequest request, HttpResponse response, HttpContext context) {
		if (!this.delegate.keepAlive(request, response, context)) {
			return false;
		}
		ConnectionReuseState state = KeepAliveRequestExecutor.stateOf(context);
		if (state != null && state.requests() >= state.limits().maxRequests()) {
			state.discarded(DiscardReason.MAX_REQUESTS);
			return false;
		}
		return true;
	}

}
