package dev.keepalive.testsupport;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.http.client.ReactorResourceFactory;

import dev.keepalive.client.KeepAliveClientAutoConfiguration;
import dev.keepalive.client.apache.KeepAliveHttpComponentsAutoConfiguration;
import dev.keepalive.client.reactor.KeepAliveReactorNettyAutoConfiguration;
import dev.keepalive.client.retry.KeepAliveRetryAutoConfiguration;

/**
 * A client application as a user has it: Boot's HTTP client auto-configurations plus the starter's.
 */
public final class ClientContext {

	private ClientContext() {
	}

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(HttpClientAutoConfiguration.class,
			ImperativeHttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class,
			RestClientAutoConfiguration.class, RestTemplateAutoConfiguration.class, WebClientAutoConfiguration.class,
			KeepAliveClientAutoConfiguration.class, KeepAliveReactorNettyAutoConfiguration.class,
			KeepAliveHttpComponentsAutoConfiguration.class, KeepAliveRetryAutoConfiguration.class);

	/** The client configuration, the engine of the blocking clients left for Boot to pick. */
	public static ApplicationContextRunner runnerWithBootsEngineChoice() {
		return new ApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withBean(ReactorResourceFactory.class, ClientContext::isolatedResources);
	}

	/**
	 * The client configuration, RestTemplate and RestClient on Reactor Netty (Boot would pick Apache
	 * HttpClient, which is on the test classpath); {@link ClientKind#on} picks a kind's engine.
	 */
	public static ApplicationContextRunner runner() {
		return runnerWithBootsEngineChoice().withPropertyValues("spring.http.clients.imperative.factory=reactor");
	}

	/**
	 * The same client configuration inside a reactive web application, where Boot configures no engine for
	 * the blocking clients and RestClient.Builder detects its own: Apache HttpClient 5 when it is on the
	 * classpath, as on the tests' ({@link #withoutHttpClient5} hides it).
	 */
	public static ReactiveWebApplicationContextRunner reactiveWebRunner() {
		return new ReactiveWebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withBean(ReactorResourceFactory.class, ClientContext::isolatedResources);
	}

	/** A class loader without Apache HttpClient 5, so that Boot's detection picks Reactor Netty. */
	public static FilteredClassLoader withoutHttpClient5() {
		return new FilteredClassLoader("org.apache.hc.client5", "org.apache.hc.core5");
	}

	/**
	 * A {@link ReactorResourceFactory} with its own event loops: Boot's shares Reactor Netty's global ones
	 * and disposes them when its context closes, under the feet of concurrently running tests.
	 */
	public static ReactorResourceFactory isolatedResources() {
		ReactorResourceFactory factory = new ReactorResourceFactory();
		factory.setUseGlobalResources(false);
		return factory;
	}

	public static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
