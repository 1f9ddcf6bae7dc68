package dev.keepalive.server;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.ClassUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import static dev.keepalive.server.KeepAliveResponseRules.CONNECTION;
import static dev.keepalive.server.KeepAliveResponseRules.KEEP_ALIVE;

/**
 * Adds {@code Keep-Alive: timeout=N} to HTTP/1.1 responses of a WebFlux server, just before they commit.
 */
public class KeepAliveHeaderWebFilter implements WebFilter {

	private static final boolean REACTOR_NETTY = ClassUtils.isPresent("reactor.netty.http.server.HttpServerRequest",
			KeepAliveHeaderWebFilter.class.getClassLoader());

	private static final boolean SERVLET = ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest",
			KeepAliveHeaderWebFilter.class.getClassLoader());

	private final KeepAliveAdvertisement advertisement;

	/**
	 * Create a filter.
	 * @param advertisement what the running server advertises
	 */
	public KeepAliveHeaderWebFilter(KeepAliveAdvertisement advertisement) {
		this.advertisement = advertisement;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpResponse response = exchange.getResponse();
		response.beforeCommit(() -> {
			decorate(exchange.getRequest(), response);
			return Mono.empty();
		});
		return chain.filter(exchange);
	}

	private void decorate(ServerHttpRequest request, ServerHttpResponse response) {
		HttpHeaders headers = response.getHeaders();
		if (this.advertisement.isDraining()) {
			if (KeepAliveResponseRules.mayCarryConnectionHeader(protocol(request))) {
				headers.set(CONNECTION, "close");
			}
			return;
		}
		String header = this.advertisement.header();
		HttpStatusCode status = response.getStatusCode();
		if (header == null || headers.containsHeader(KEEP_ALIVE)
				|| !KeepAliveResponseRules.requestKeepsConnection(protocol(request), request.getHeaders().getFirst(CONNECTION))
				|| !KeepAliveResponseRules.responseKeepsConnection((status != null) ? status.value() : 200,
						headers.getFirst(CONNECTION), false)) {
			return;
		}
		headers.set(KEEP_ALIVE, header);
	}

	/** The request's protocol as the engine saw it ("HTTP/1.1", "HTTP/2.0", ...). */
	private static String protocol(ServerHttpRequest request) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		if (REACTOR_NETTY && nativeRequest instanceof reactor.netty.http.server.HttpServerRequest netty) {
			return netty.protocol();
		}
		if (SERVLET && nativeRequest instanceof jakarta.servlet.http.HttpServletRequest servlet) {
			return servlet.getProtocol();
		}
		return null;
	}

}
