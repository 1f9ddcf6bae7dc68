package dev.keepalive.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.keepalive.server.KeepAliveAdvertisement;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.ServerApps;

import static dev.keepalive.testsupport.ClientContext.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end, both cures together: real embedded servers with a 1 s idle timeout that the starter's server
 * side advertises, and a client app with the starter sending 250 sequential requests to each (500 in all)
 * whose idle gaps land within ±100 ms of that timeout, spread over the three clients and both engines (RestTemplate
 * and RestClient on Reactor Netty and on Apache HttpClient 5): not one may fail.
 */
class EmbeddedServerSoakTests {

	private static final int REQUESTS = 250;

	@Test
	void tomcatWithOneSecondKeepAliveTimeout() {
		soak(ServerApps.tomcat("--server.tomcat.keep-alive-timeout=1s", "--keepalive.client.enabled=false"));
	}

	@Test
	void reactorNettyWithOneSecondIdleTimeout() {
		soak(ServerApps.netty("--server.netty.idle-timeout=1s", "--keepalive.client.enabled=false"));
	}

	private void soak(ConfigurableApplicationContext server) {
		try (ConfigurableApplicationContext app = server) {
			assertThat(app.getBean(KeepAliveAdvertisement.class).timeoutSeconds()).isEqualTo(1);
			int port = ServerApps.port(app);
			String url = "http://127.0.0.1:" + port + "/hello";
			ApplicationContextRunner reactorNetty = ClientContext.runner();
			ApplicationContextRunner httpComponents = ClientKind.REST_CLIENT_HTTP_COMPONENTS.on(ClientContext.runner());
			reactorNetty.run((reactor) -> httpComponents.run((apache) -> {
				List<Function<String, String>> clients = new ArrayList<>();
				for (ClientKind kind : ClientKind.values()) {
					clients.add(kind.client((kind.engine() == ClientEngine.HTTP_COMPONENTS) ? apache : reactor));
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
				// No failure was hidden by a resend: the pools alone kept every request off a closing connection.
				for (ApplicationContext context : List.of(reactor, apache)) {
					assertThat(context.getBean(Origins.class).all()).isNotEmpty()
						.allSatisfy((origin) -> assertThat(origin.resets()).isZero());
				}
			}));
		}
	}

}
