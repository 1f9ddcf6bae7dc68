package dev.keepalive.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.keepalive.server.KeepAliveAdvertisement;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.IsolatedReactorResources;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static dev.keepalive.testsupport.ClientContext.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end, both cures together: real embedded servers with a 1 s idle timeout that the starter's server
 * side advertises, and a client app with the starter sending 250 sequential requests to each (500 in all)
 * whose idle gaps land within ±100 ms of that timeout, spread over the three clients: not one may fail.
 */
class EmbeddedServerSoakTests {

	private static final int REQUESTS = 250;

	@Test
	void tomcatWithOneSecondKeepAliveTimeout() {
		soak(WebApplicationType.SERVLET, TomcatServer.class, "--server.tomcat.keep-alive-timeout=1s");
	}

	@Test
	void reactorNettyWithOneSecondIdleTimeout() {
		soak(WebApplicationType.REACTIVE, NettyServer.class, "--server.netty.idle-timeout=1s");
	}

	private void soak(WebApplicationType type, Class<?> server, String idleTimeout) {
		try (ConfigurableApplicationContext app = new SpringApplicationBuilder(server).web(type)
			.run("--server.port=0", "--server.address=127.0.0.1", "--keepalive.client.enabled=false", idleTimeout)) {
			assertThat(app.getBean(KeepAliveAdvertisement.class).timeoutSeconds()).isEqualTo(1);
			int port = ((WebServerApplicationContext) app).getWebServer().getPort();
			String url = "http://127.0.0.1:" + port + "/hello";
			ClientContext.runner().run((context) -> {
				List<Function<String, String>> clients = new ArrayList<>();
				for (ClientKind kind : ClientKind.values()) {
					clients.add(kind.client(context));
				}
				List<String> failures = new ArrayList<>();
				for (int i = 0; i < REQUESTS; i++) {
					try {
						assertThat(clients.get(i % clients.size()).apply(url)).isEqualTo("hello");
					}
					catch (RuntimeException ex) {
						failures.add(i + ": " + ex);
					}
					pause(900 + (i * 37) % 201); // deterministic spread over 900..1100 ms
				}
				assertThat(failures).isEmpty();
			});
		}
	}

	@RestController
	static class HelloController {

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

	}

	/** A servlet app on embedded Tomcat; the starter's server side advertises its 1 s timeout. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(IsolatedReactorResources.class)
	static class TomcatServer {

		@Bean
		HelloController helloController() {
			return new HelloController();
		}

		@Bean
		TomcatServletWebServerFactory tomcatServletWebServerFactory() {
			return new TomcatServletWebServerFactory();
		}

	}

	/** A WebFlux app on embedded Reactor Netty; the starter's server side advertises its 1 s timeout. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(IsolatedReactorResources.class)
	static class NettyServer {

		@Bean
		HelloController helloController() {
			return new HelloController();
		}

		@Bean
		NettyReactiveWebServerFactory nettyReactiveWebServerFactory(ReactorResourceFactory resources) {
			NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory();
			factory.setResourceFactory(resources);
			return factory;
		}

	}

}
