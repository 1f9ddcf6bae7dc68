package dev.keepalive.samples.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import reactor.netty.http.HttpProtocol;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

import dev.keepalive.client.ExchangeFacts;
import dev.keepalive.client.retry.KeepAliveRetryListener;
import dev.keepalive.client.retry.KeepAliveRetryPolicy;
import dev.keepalive.client.retry.ResendDecision;

/**
 * A client application as users write it: RestTemplate, RestClient and WebClient built from Boot's
 * auto-configured builders, no code of the starter's. Whether the starter acts is one property.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class DemoClientApplication {

	/**
	 * Start the client application.
	 * @param starter whether the starter acts ({@code keepalive.client.enabled})
	 * @param properties more properties, {@code --name=value}
	 * @return the running application
	 */
	static ConfigurableApplicationContext start(boolean starter, String... properties) {
		String[] args = new String[properties.length + 4];
		args[0] = "--spring.main.banner-mode=off";
		args[1] = "--logging.level.root=WARN";
		args[2] = "--logging.level.reactor.netty=OFF";
		args[3] = "--keepalive.client.enabled=" + starter;
		System.arraycopy(properties, 0, args, 4, properties.length);
		return new SpringApplicationBuilder(DemoClientApplication.class).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run(args);
	}

	/**
	 * Plain Boot on h2c ({@code demo.protocol=h2c}): Boot has no property for the client's HTTP version, so an
	 * application switches Reactor Netty to HTTP/2 by prior knowledge with its own customizer, as here.
	 */
	@Bean
	@ConditionalOnProperty(name = "demo.protocol", havingValue = "h2c")
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> h2cRequestFactory() {
		return (builder) -> builder.withHttpClientCustomizer((client) -> client.protocol(HttpProtocol.H2C));
	}

	/** WebClient's side of {@link #h2cRequestFactory()}. */
	@Bean
	@ConditionalOnProperty(name = "demo.protocol", havingValue = "h2c")
	ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> h2cConnector() {
		return (builder) -> builder.withHttpClientCustomizer((client) -> client.protocol(HttpProtocol.H2C));
	}

	/**
	 * Counts the starter's resends per origin ({@code host:port}), whatever the verdict: a broken reused
	 * connection, a request kept off a connection idle past a learnt cutoff, or an HTTP/2 stream the server did
	 * not process (which {@code Origin.resends()} leaves out).
	 */
	@Bean
	ResendCounter resendCounter() {
		return new ResendCounter();
	}

	/** Resends per origin, as the starter's {@code KeepAliveRetryListener}s are told about them. */
	static final class ResendCounter implements KeepAliveRetryListener {

		private final Map<String, AtomicLong> resends = new ConcurrentHashMap<>();

		@Override
		public <T, E extends Throwable> void onError(RetryContext context, RetryCallback<T, E> callback,
				Throwable throwable) {
			ResendDecision decision = KeepAliveRetryPolicy.decision(context);
			ExchangeFacts facts = KeepAliveRetryPolicy.facts(context);
			if (decision != null && decision.resend() && facts != null && facts.origin() != null) {
				this.resends.computeIfAbsent(facts.origin().key(), (key) -> new AtomicLong()).incrementAndGet();
			}
		}

		long resends(String origin) {
			AtomicLong count = this.resends.get(origin);
			return (count != null) ? count.get() : 0;
		}

	}

	/** The three clients, each a function from URL to body that throws what the client throws. */
	static Map<String, Function<String, String>> clients(ConfigurableApplicationContext context) {
		RestTemplate restTemplate = context.getBean(RestTemplateBuilder.class).build();
		RestClient restClient = context.getBean(RestClient.Builder.class).build();
		WebClient webClient = context.getBean(WebClient.Builder.class).build();
		Map<String, Function<String, String>> clients = new LinkedHashMap<>();
		clients.put("RestTemplate", (url) -> restTemplate.getForObject(url, String.class));
		clients.put("RestClient", (url) -> restClient.get().uri(url).retrieve().body(String.class));
		clients.put("WebClient",
				(url) -> webClient.get().uri(url).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)));
		return clients;
	}

}
