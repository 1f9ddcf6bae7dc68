package dev.keepalive.client.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.retry.RetryCallback;
import org.springframework.retry.RetryContext;
import org.springframework.retry.RetryPolicy;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.reactor.KeepAliveHttpClientCustomizer;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.InvalidProperties;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;
import dev.keepalive.testsupport.ScriptedPeer.Script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

class KeepAliveRetryAutoConfigurationTests {

	private final ApplicationContextRunner runner = ClientContext.runner();

	@Test
	void addsTheInterceptorAndTheFilter() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(ResendRule.class)
			.hasSingleBean(KeepAliveRetryPolicy.class)
			.hasSingleBean(ResendingRequestFactoryDecorator.class)
			.hasSingleBean(KeepAliveRetryFilter.class)
			.hasBean("keepAliveRetryClientHttpRequestFactoryBuilderCustomizer")
			.hasBean("keepAliveRetryClientHttpConnectorBuilderCustomizer"));
	}

	@Test
	void isOffWhenDisabledOrWhenTheClientIsDisabled() {
		this.runner.withPropertyValues("keepalive.client.retry.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(ResendingRequestFactoryDecorator.class)
				.doesNotHaveBean(KeepAliveRetryFilter.class));
		this.runner.withPropertyValues("keepalive.client.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(KeepAliveRetryPolicy.class)
				.doesNotHaveBean(ResendingRequestFactoryDecorator.class));
	}

	@Test
	void withoutSpringRetryThePoolStillWorks() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2")
			.idleTimeout(Duration.ofSeconds(2))
			.raceWindow(Duration.ofMillis(600))
			.start()) {
			this.runner.withClassLoader(new FilteredClassLoader(RetryPolicy.class))
				.withPropertyValues("keepalive.client.adaptive-margin=false")
				.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(KeepAliveHttpClientCustomizer.class)
					.doesNotHaveBean(ResendingRequestFactoryDecorator.class);
				var client = ClientKind.REST_CLIENT.client(context);
				assertThat(client.apply(peer.url("/"))).isEqualTo("ok");
				// Past the cutoff (2 s less the fixed 1 s margin), before the peer's close: a new connection.
				ClientContext.pause(1500);
				assertThat(client.apply(peer.url("/"))).isEqualTo("ok");
				assertThat(peer.connections()).isEqualTo(2);
				assertThat(peer.racesLost()).isZero();
			});
		}
	}

	@Test
	void backsOffWhenTheUserDefinesThePolicyOrTheRule() {
		KeepAliveRetryPolicy own = new KeepAliveRetryPolicy(
				new ResendRule(new KeepAliveClientProperties().getRetry()));
		this.runner.withBean(KeepAliveRetryPolicy.class, () -> own).run((context) -> {
			assertThat(context.getBean(KeepAliveRetryPolicy.class)).isSameAs(own);
		});
	}

	@Test
	void rejectsZeroMaxAttempts() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.retry.max-attempts=0", "keepalive.client.retry.max-attempts");
	}

	@Test
	void rejectsANegativeBackoff() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.retry.backoff=-1ms", "keepalive.client.retry.backoff");
	}

	@Test
	void rejectsAMethodThatIsNotAToken() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.retry.methods=GET,P OST", "keepalive.client.retry.methods");
	}

	@Test
	void rejectsAnAdditionalMethodThatIsNotAToken() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.retry.additional-methods=PO(ST",
				"keepalive.client.retry.additional-methods");
	}

	@Test
	void additionalMethodsAddToTheDefaultsAndExtensionMethodsAreTokens() {
		this.runner.withPropertyValues("keepalive.client.retry.additional-methods=post,PROPFIND").run((context) -> {
			assertThat(context).hasNotFailed();
			ResendRule rule = context.getBean(ResendRule.class);
			for (String method : List.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE", "POST", "PROPFIND")) {
				assertThat(rule.safeToResend(HttpMethod.valueOf(method), new HttpHeaders())).as(method).isTrue();
			}
			assertThat(rule.safeToResend(HttpMethod.PATCH, new HttpHeaders())).isFalse();
		});
	}

	@Test
	void rejectsAHeaderNameWithAColon() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.retry.idempotency-key-headers=Idempotency-Key:", "keepalive.client.retry.idempotency-key-headers");
	}

	@Test
	void rejectsAZeroLearningFloor() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.learn.min-idle-timeout=0s", "keepalive.client.learn.min-idle-timeout");
	}

	@Test
	void theUsersInterceptorsAndFiltersSeeOneLogicalCall() throws IOException {
		AtomicInteger restClientCalls = new AtomicInteger();
		AtomicInteger restTemplateCalls = new AtomicInteger();
		AtomicInteger webClientCalls = new AtomicInteger();
		ClientHttpRequestInterceptor countingRestClient = (request, body, execution) -> {
			restClientCalls.incrementAndGet();
			return execution.execute(request, body);
		};
		ClientHttpRequestInterceptor countingRestTemplate = (request, body, execution) -> {
			restTemplateCalls.incrementAndGet();
			return execution.execute(request, body);
		};
		ExchangeFilterFunction countingWebClient = (request, next) -> {
			webClientCalls.incrementAndGet();
			return next.exchange(request);
		};
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			this.runner
				.withBean(RestClientCustomizer.class,
						() -> (builder) -> builder.requestInterceptor(countingRestClient))
				.withBean(RestTemplateCustomizer.class,
						() -> (restTemplate) -> restTemplate.getInterceptors().add(countingRestTemplate))
				.withBean(WebClientCustomizer.class, () -> (builder) -> builder.filter(countingWebClient))
				.run((context) -> {
					for (ClientKind kind : ClientKind.onReactorNetty()) {
						Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
						assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
					}
					assertThat(peer.connections()).as("a resend for each client").isEqualTo(6);
					assertThat(restClientCalls).hasValue(2);
					assertThat(restTemplateCalls).hasValue(2);
					assertThat(webClientCalls).hasValue(2);
				});
		}
	}

	@Test
	void anInterceptorAddedByHandAfterBootSeesOneLogicalCall() throws IOException {
		AtomicInteger calls = new AtomicInteger();
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			this.runner.run((context) -> {
				RestClient restClient = context.getBean(RestClient.Builder.class).requestInterceptor((request, body, execution) -> {
					calls.incrementAndGet();
					return execution.execute(request, body);
				}).build();
				restClient.get().uri(peer.url("/warm-up")).retrieve().toBodilessEntity();
				ClientContext.pause(50);
				assertThat(restClient.get().uri(peer.url("/")).retrieve().body(String.class)).isEqualTo("ok");
				assertThat(peer.connections()).as("resent on a new connection").isEqualTo(2);
				assertThat(calls).hasValue(2);
			});
		}
	}

	@Test
	void aJsonBodyWithAnIdempotencyKeyIsResent() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			this.runner.run((context) -> {
				for (ClientKind kind : List.of(ClientKind.REST_CLIENT, ClientKind.REST_TEMPLATE)) {
					RestClient restClient = (kind == ClientKind.REST_CLIENT)
							? context.getBean(RestClient.Builder.class).build()
							: RestClient.create(context.getBean(RestTemplateBuilder.class).build());
					restClient.get().uri(peer.url("/warm-up")).retrieve().toBodilessEntity();
					ClientContext.pause(50);
					String id = "json-" + kind;
					assertThat(restClient.post()
						.uri(peer.url("/"))
						.contentType(MediaType.APPLICATION_JSON)
						.header("Idempotency-Key", id)
						.header("X-Request-Id", id)
						.body(Map.of("order", 42))
						.retrieve()
						.body(String.class)).isEqualTo("ok");
					assertThat(peer.executions(id)).as(kind.name()).isEqualTo(2);
				}
			});
		}
	}

	@Test
	void aRestClientBodyThatCannotBeWrittenTwiceIsNotResent() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			this.runner.run((context) -> {
				RestClient restClient = context.getBean(RestClient.Builder.class).build();
				restClient.get().uri(peer.url("/warm-up")).retrieve().toBodilessEntity();
				ClientContext.pause(50);
				assertThatException().isThrownBy(() -> restClient.put()
					.uri(peer.url("/"))
					.header("X-Request-Id", "one-shot")
					.body((StreamingHttpOutputMessage.Body) (out) -> out.write("once".getBytes()))
					.retrieve()
					.toBodilessEntity()).withStackTraceContaining("not resent: the request body");
				assertThat(peer.executions("one-shot")).isEqualTo(1);
			});
		}
	}

	@Test
	void aStreamedWebClientBodyIsNotResent() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			this.runner.run((context) -> {
				WebClient webClient = context.getBean(WebClient.Builder.class).build();
				webClient.get().uri(peer.url("/warm-up")).retrieve().toBodilessEntity().block(Duration.ofSeconds(5));
				ClientContext.pause(50);
				assertThatException()
					.isThrownBy(() -> webClient.post()
						.uri(peer.url("/"))
						.header("Idempotency-Key", "k")
						.header("X-Request-Id", "streamed")
						.body(Flux.just("a", "b", "c"), String.class)
						.retrieve()
						.toBodilessEntity()
						.block(Duration.ofSeconds(5)))
					.withStackTraceContaining("not resent: the request body");
				assertThat(peer.executions("streamed")).isEqualTo(1);
			});
		}
	}

	@Test
	void listenersSeeEveryDecision() throws IOException {
		AtomicInteger resends = new AtomicInteger();
		AtomicInteger refusals = new AtomicInteger();
		KeepAliveRetryListener listener = new KeepAliveRetryListener() {
			@Override
			public <T, E extends Throwable> void onError(RetryContext context,
					RetryCallback<T, E> callback, Throwable throwable) {
				ResendDecision decision = KeepAliveRetryPolicy.decision(context);
				(decision.resend() ? resends : refusals).incrementAndGet();
			}
		};
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			this.runner.withBean(KeepAliveRetryListener.class, () -> listener).run((context) -> {
				for (ClientKind kind : ClientKind.onReactorNetty()) {
					Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
					client.get(peer.url("/"), new HttpHeaders());
					ClientContext.pause(50);
					assertThatException().isThrownBy(
							() -> client.exchange(HttpMethod.POST, peer.url("/"), new HttpHeaders(), "x"));
				}
				assertThat(resends).hasValue(3);
				assertThat(refusals).hasValue(3);
			});
		}
	}

}
