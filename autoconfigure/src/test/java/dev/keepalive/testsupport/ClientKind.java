package dev.keepalive.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.runner.AbstractApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

import dev.keepalive.client.ClientEngine;

/**
 * The three clients a user builds from Boot's auto-configured builders, writing no code of ours, on each
 * engine Boot can build them on: RestTemplate and RestClient on Reactor Netty or Apache HttpClient 5
 * ({@code spring.http.clients.imperative.factory}), WebClient on Reactor Netty.
 */
public enum ClientKind {

	REST_TEMPLATE(Api.REST_TEMPLATE, ClientEngine.REACTOR_NETTY),

	REST_CLIENT(Api.REST_CLIENT, ClientEngine.REACTOR_NETTY),

	WEB_CLIENT(Api.WEB_CLIENT, ClientEngine.REACTOR_NETTY),

	REST_TEMPLATE_HTTP_COMPONENTS(Api.REST_TEMPLATE, ClientEngine.HTTP_COMPONENTS),

	REST_CLIENT_HTTP_COMPONENTS(Api.REST_CLIENT, ClientEngine.HTTP_COMPONENTS);

	private final Api api;

	private final ClientEngine engine;

	ClientKind(Api api, ClientEngine engine) {
		this.api = api;
		this.engine = engine;
	}

	/** The three clients in a context that builds them all on Reactor Netty (the default {@link ClientContext}). */
	public static List<ClientKind> onReactorNetty() {
		return List.of(REST_TEMPLATE, REST_CLIENT, WEB_CLIENT);
	}

	/** The engine the client runs on. */
	public ClientEngine engine() {
		return this.engine;
	}

	/** The runner, told to build the blocking clients on this kind's engine. */
	public <R extends AbstractApplicationContextRunner<R, ?, ?>> R on(R runner) {
		return (this.api == Api.WEB_CLIENT) ? runner
				: runner.withPropertyValues("spring.http.clients.imperative.factory="
						+ ((this.engine == ClientEngine.HTTP_COMPONENTS) ? "http-components" : "reactor"));
	}

	/**
	 * Build one client from the context's builders; a function from URL to response body that throws what
	 * the client throws.
	 */
	public Function<String, String> client(ApplicationContext context) {
		Exchanger exchanger = exchanger(context);
		return (url) -> exchanger.get(url, new HttpHeaders());
	}

	/** Build one client from the context's builders, for requests of any method, headers and body. */
	public Exchanger exchanger(ApplicationContext context) {
		return switch (this.api) {
			case REST_TEMPLATE -> {
				RestTemplate restTemplate = context.getBean(RestTemplateBuilder.class).build();
				yield (method, url, headers, body) -> restTemplate
					.exchange(url, method, new HttpEntity<>(body, headers), String.class)
					.getBody();
			}
			case REST_CLIENT -> {
				RestClient restClient = context.getBean(RestClient.Builder.class).build();
				yield (method, url, headers, body) -> {
					RestClient.RequestBodySpec spec = restClient.method(method)
						.uri(url)
						.headers((target) -> headers.forEach(target::addAll));
					if (body != null) {
						spec.body(body);
					}
					return spec.retrieve().body(String.class);
				};
			}
			case WEB_CLIENT -> {
				WebClient webClient = context.getBean(WebClient.Builder.class).build();
				yield (method, url, headers, body) -> {
					WebClient.RequestBodySpec spec = webClient.method(method)
						.uri(url)
						.headers((target) -> headers.forEach(target::addAll));
					if (body != null) {
						spec.bodyValue(body);
					}
					return spec.retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
				};
			}
		};
	}

	/**
	 * Build a client whose pool holds one idle connection to {@code warmUpUrl}'s server, so that its next
	 * request there reuses it.
	 */
	public Exchanger warmedUp(ApplicationContext context, String warmUpUrl) {
		Exchanger client = exchanger(context);
		if (!"ok".equals(client.get(warmUpUrl, new HttpHeaders()))) {
			throw new IllegalStateException("The warm-up request to " + warmUpUrl + " did not answer ok");
		}
		// WebClient's block() can return before the connection is back in the pool.
		ClientContext.pause(50);
		return client;
	}

	private enum Api {

		REST_TEMPLATE, REST_CLIENT, WEB_CLIENT

	}

}
