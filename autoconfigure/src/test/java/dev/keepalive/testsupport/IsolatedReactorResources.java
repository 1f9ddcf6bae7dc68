package dev.keepalive.testsupport;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * For every test application context: event loops of its own, so that closing one context (Boot's factory
 * disposes Reactor Netty's global resources) cannot cut connections of tests running concurrently.
 */
@Configuration(proxyBeanMethods = false)
public class IsolatedReactorResources {

	@Bean
	ReactorResourceFactory reactorResourceFactory() {
		return ClientContext.isolatedResources();
	}

}
