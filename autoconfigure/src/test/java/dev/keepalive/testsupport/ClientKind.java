package dev.keepalive.testsupport;

import java.time.Duration;
import java.util.function.Function;

import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The three clients a user builds from Boot's auto-configured builders, writing no code of ours.
 */
public enum ClientKind {

	REST_TEMPLATE {
		@Override
		public Function<String, String> client(ApplicationContext context) {
			RestTemplate restTemplate = context.getBean(RestTemplateBuilder.class).build();
			return (url) -> restTemplate.getForObject(url, String.class);
		}

		@Override
		public Exchanger exchanger(ApplicationContext context) {
			RestTemplate restTemplate = context.getBean(RestTemplateBuilder.class).build();
			return (method, url, headers, body) -> restTemplate
				.exchange(url, method, new HttpEntity<>(body, headers), String.class)
				.getBody();
		}
	},

	REST_CLIENT {
		@Override
		public Function<String, String> client(ApplicationContext context) {
			RestClient restClient = context.getBean(RestClient.Builder.class).build();
			return (url) -> restClient.get().uri(url).retrieve().body(String.class);
		}

		@Override
		public Exchanger exchanger(ApplicationContext context) {
			RestClient restClient = context.getBean(RestClient.Builder.class).build();
			return (method, url, headers, body) -> {
				RestClient.RequestBodySpec spec = restClient.method(method)
					.uri(url)
					.headers((target) -> headers.forEach(target::addAll));
				if (body != null) {
					spec.body(body);
				}
				return spec.retrieve().body(String.class);
			};
		}
	},

	WEB_CLIENT {
		@Override
		public Function<String, String> client(ApplicationContext context) {
			WebClient webClient = context.getBean(WebClient.Builder.class).build();
			return (url) -> webClient.get().uri(url).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
		}

		@Override
		public Exchanger exchanger(ApplicationContext context) {
			WebClient webClient = context.getBean(WebClient.Builder.class).build();
			return (method, url, headers, body) -> {
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

	/**
	 * Build one client from the context's builders; a function from URL to response body that throws what
	 * the client throws.
	 */
	public abstract Function<String, String> client(ApplicationContext context);

	/** Build one client from the context's builders, for requests of any method, headers and body. */
	public abstract Exchanger exchanger(ApplicationContext context);

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

}
