package dev.keepalive.client.apache;

import java.io.IOException;

import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.junit.jupiter.api.Test;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.ReactorClientHttpRequestFactory;

import dev.keepalive.client.DecoratingRequestFactoryBuilder;
import dev.keepalive.client.retry.ResendingClientHttpRequestFactory;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.KeepAlivePeer;

import static dev.keepalive.testsupport.ClientContext.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which engine the blocking clients get, and that the starter follows Boot's choice: Apache HttpClient 5 when
 * it is on the classpath (or chosen), Reactor Netty otherwise, each with the keep-alive rules and the resends.
 */
class KeepAliveHttpComponentsAutoConfigurationTests {

	private final ApplicationContextRunner runner = ClientContext.runnerWithBootsEngineChoice();

	@Test
	void withHttpClient5OnTheClasspathBootPicksItAndTheStarterFollows() throws IOException {
		this.runner.withPropertyValues("keepalive.client.adaptive-margin=false").run((context) -> {
			assertThat(context).hasSingleBean(HttpComponentsKeepAliveCustomizer.class);
			assertThat(context).hasBean("keepAliveRetryHttpComponentsCustomizer");
			assertThat(engineOf(context.getBean(ClientHttpRequestFactoryBuilder.class)))
				.isInstanceOf(HttpComponentsClientHttpRequestFactoryBuilder.class);
			assertThat(sendingFactory(context.getBean(RestTemplateBuilder.class)))
				.isInstanceOf(HttpComponentsClientHttpRequestFactory.class);
			// And the rules apply: the advertised 2 s less the fixed 1 s margin, where HttpClient alone reuses.
			try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2").start()) {
				var restTemplate = context.getBean(RestTemplateBuilder.class).build();
				restTemplate.getForObject(peer.url("/first"), String.class);
				pause(1200);
				restTemplate.getForObject(peer.url("/second"), String.class);
				assertThat(peer.connections()).isEqualTo(2);
			}
		});
	}

	@Test
	void withoutHttpClient5TheApacheRulesStayOut() {
		// (Boot's own engine detection does not look through the test's filtered class loader.)
		this.runner.withClassLoader(new FilteredClassLoader(HttpClientBuilder.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(HttpComponentsKeepAliveCustomizer.class);
			assertThat(context).doesNotHaveBean("keepAliveRetryHttpComponentsCustomizer");
		});
	}

	@Test
	void reactorChosenByPropertyWinsOverHttpClient5OnTheClasspath() {
		this.runner.withPropertyValues("spring.http.clients.imperative.factory=reactor")
			.run((context) -> assertThat(sendingFactory(context.getBean(RestTemplateBuilder.class)))
				.isInstanceOf(ReactorClientHttpRequestFactory.class));
	}

	@Test
	void backsOffWhenTheUserDefinesTheCustomizer() {
		HttpComponentsKeepAliveCustomizer own = new HttpComponentsKeepAliveCustomizer(null,
				new dev.keepalive.client.KeepAliveClientProperties());
		this.runner.withBean("ownCustomizer", HttpComponentsKeepAliveCustomizer.class, () -> own)
			.run((context) -> assertThat(context.getBean(HttpComponentsKeepAliveCustomizer.class)).isSameAs(own));
	}

	@Test
	void leavesHttpClientAloneWhenTheStarterIsDisabled() {
		this.runner.withPropertyValues("keepalive.client.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(HttpComponentsKeepAliveCustomizer.class);
			assertThat(sendingFactory(context.getBean(RestTemplateBuilder.class)))
				.isInstanceOf(HttpComponentsClientHttpRequestFactory.class);
		});
	}

	private static ClientHttpRequestFactoryBuilder<?> engineOf(ClientHttpRequestFactoryBuilder<?> builder) {
		return (builder instanceof DecoratingRequestFactoryBuilder decorating) ? decorating.delegate() : builder;
	}

	private static ClientHttpRequestFactory sendingFactory(RestTemplateBuilder builder) {
		ClientHttpRequestFactory factory = builder.build().getRequestFactory();
		return (factory instanceof ResendingClientHttpRequestFactory resending) ? resending.delegate() : factory;
	}

}
