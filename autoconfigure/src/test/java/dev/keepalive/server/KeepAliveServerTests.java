package dev.keepalive.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.keepalive.testsupport.ServerApps;
import dev.keepalive.testsupport.RawHttp;
import dev.keepalive.testsupport.RawHttp.Response;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The header as a raw HTTP/1.x client sees it, from real Tomcat, Jetty and Reactor Netty servers.
 */
class KeepAliveServerTests {

	@Test
	void tomcatAdvertisesItsKeepAliveTimeoutAndMaxAndKeepsThePromise() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.tomcat("--server.tomcat.keep-alive-timeout=2s")) {
			assertAdvertisedAndKept(ServerApps.port(app), "timeout=2, max=100", Duration.ofSeconds(2));
		}
	}

	@Test
	void jettyAdvertisesItsIdleTimeoutAndKeepsThePromise() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.jetty("--server.jetty.connection-idle-timeout=2s")) {
			assertAdvertisedAndKept(ServerApps.port(app), "timeout=2", Duration.ofSeconds(2));
		}
	}

	@Test
	void nettyAdvertisesItsIdleTimeoutAndKeepsThePromise() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.netty("--server.netty.idle-timeout=2s")) {
			assertAdvertisedAndKept(ServerApps.port(app), "timeout=2", Duration.ofSeconds(2));
		}
	}

	@Test
	void roundsDownToWholeSeconds() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.netty("--server.netty.idle-timeout=2900ms")) {
			assertThat(get(ServerApps.port(app), "/hello").header("Keep-Alive")).isEqualTo("timeout=2");
		}
	}

	@Test
	void configuredTimeoutIsAdvertisedAndEnforcedOnTomcat() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.tomcat("--server.tomcat.keep-alive-timeout=30s",
				"--keepalive.server.timeout=1s", "--keepalive.server.advertise-max=false")) {
			try (RawHttp http = new RawHttp(ServerApps.port(app))) {
				assertThat(http.send("GET", "/hello", "HTTP/1.1").header("Keep-Alive")).isEqualTo("timeout=1");
				assertThat(http.awaitClose()).isBetween(Duration.ofMillis(950), Duration.ofSeconds(10));
			}
		}
	}

	@Test
	void configuredTimeoutIsAdvertisedAndEnforcedOnJetty() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.jetty("--server.jetty.connection-idle-timeout=30s",
				"--keepalive.server.timeout=1s")) {
			try (RawHttp http = new RawHttp(ServerApps.port(app))) {
				assertThat(http.send("GET", "/hello", "HTTP/1.1").header("Keep-Alive")).isEqualTo("timeout=1");
				assertThat(http.awaitClose()).isBetween(Duration.ofMillis(950), Duration.ofSeconds(10));
			}
		}
	}

	@Test
	void configuredTimeoutIsAdvertisedAndEnforcedOnNetty() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.netty("--keepalive.server.timeout=1s")) {
			try (RawHttp http = new RawHttp(ServerApps.port(app))) {
				assertThat(http.send("GET", "/hello", "HTTP/1.1").header("Keep-Alive")).isEqualTo("timeout=1");
				assertThat(http.awaitClose()).isBetween(Duration.ofMillis(950), Duration.ofSeconds(5));
			}
		}
	}

	@Test
	void serverWithoutAnIdleTimeoutAdvertisesNothing() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.netty()) {
			assertThat(get(ServerApps.port(app), "/hello").headers("Keep-Alive")).isEmpty();
		}
	}

	@Test
	void tomcatRules() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.tomcat("--server.tomcat.keep-alive-timeout=20s")) {
			int port = ServerApps.port(app);
			assertThat(get(port, "/close").headers("Keep-Alive")).as("Connection: close").isEmpty();
			assertThat(get(port, "/own").headers("Keep-Alive")).as("application's own").containsExactly("timeout=99");
			try (RawHttp http = new RawHttp(port)) {
				assertThat(http.send("GET", "/hello", "HTTP/1.1", "Connection: keep-alive").headers("Keep-Alive"))
					.as("Tomcat answers keep-alive requests itself").hasSize(1);
			}
			Response notFound = get(port, "/missing");
			assertThat(notFound.status()).isEqualTo(404);
			assertThat(notFound.headers("Keep-Alive")).containsExactly("timeout=20, max=100");
			Response error = get(port, "/boom");
			assertThat(error.status()).isEqualTo(500);
			assertThat(error.headers("Keep-Alive")).as("Tomcat closes on 500").isEmpty();
			try (RawHttp http = new RawHttp(port)) {
				assertThat(http.send("GET", "/hello", "HTTP/1.0").headers("Keep-Alive")).as("HTTP/1.0").isEmpty();
			}
			try (RawHttp http = new RawHttp(port)) {
				assertThat(http.send("GET", "/hello", "HTTP/1.1", "Connection: close").headers("Keep-Alive"))
					.as("request asked to close").isEmpty();
			}
		}
	}

	@Test
	void tomcatAdvertisesOnAsyncAndEarlyCommittedResponses() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.tomcat("--server.tomcat.keep-alive-timeout=20s")) {
			int port = ServerApps.port(app);
			try (RawHttp http = new RawHttp(port)) {
				Response async = http.send("GET", "/async", "HTTP/1.1");
				assertThat(async.status()).isEqualTo(200);
				assertThat(async.headers("Keep-Alive")).containsExactly("timeout=20, max=100");
				Response streamed = http.send("GET", "/stream", "HTTP/1.1");
				assertThat(streamed.header("Transfer-Encoding")).isEqualTo("chunked");
				assertThat(streamed.headers("Keep-Alive")).containsExactly("timeout=20, max=100");
			}
		}
	}

	@Test
	void nettyRules() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.netty("--server.netty.idle-timeout=20s")) {
			int port = ServerApps.port(app);
			assertThat(get(port, "/close").headers("Keep-Alive")).as("Connection: close").isEmpty();
			assertThat(get(port, "/own").headers("Keep-Alive")).as("application's own").containsExactly("timeout=99");
			try (RawHttp http = new RawHttp(port)) {
				assertThat(http.send("GET", "/hello", "HTTP/1.1", "Connection: keep-alive").headers("Keep-Alive"))
					.hasSize(1);
			}
			Response notFound = get(port, "/missing");
			assertThat(notFound.status()).isEqualTo(404);
			assertThat(notFound.headers("Keep-Alive")).containsExactly("timeout=20");
			assertThat(get(port, "/boom").headers("Keep-Alive")).as("Netty keeps the connection on 500")
				.containsExactly("timeout=20");
			try (RawHttp http = new RawHttp(port)) {
				assertThat(http.send("GET", "/hello", "HTTP/1.0").headers("Keep-Alive")).as("HTTP/1.0").isEmpty();
			}
		}
	}

	@Test
	void responsesServedWhileDrainingAskClientsToClose() throws Exception {
		ConfigurableApplicationContext app = ServerApps.tomcat("--server.shutdown=graceful",
				"--server.tomcat.keep-alive-timeout=20s");
		try (RawHttp http = new RawHttp(ServerApps.port(app))) {
			CompletableFuture<Response> inFlight = CompletableFuture.supplyAsync(() -> {
				try {
					return http.send("GET", "/slow", "HTTP/1.1");
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
			Thread.sleep(400); // the request is being served
			CompletableFuture<Void> shutdown = CompletableFuture.runAsync(app::close);
			Response response = inFlight.get(10, TimeUnit.SECONDS);
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("Connection")).isEqualTo("close");
			assertThat(response.headers("Keep-Alive")).isEmpty();
			shutdown.get(10, TimeUnit.SECONDS);
		}
		finally {
			app.close();
		}
	}

	/**
	 * On HTTP/2 a server ends a connection with GOAWAY, which Tomcat and Reactor Netty send themselves as they
	 * shut down; a {@code Connection} header makes the response malformed (RFC 9113 §8.2.2). A response served
	 * while draining to an h2c request carries none and reaches the client.
	 */
	@Test
	void responsesServedWhileDrainingOnH2cCarryNoConnectionHeaderOnTomcat() throws Exception {
		assertNoConnectionHeaderWhileDraining(ServerApps.tomcat("--server.shutdown=graceful", "--server.http2.enabled=true"));
	}

	@Test
	void responsesServedWhileDrainingOnH2cCarryNoConnectionHeaderOnNetty() throws Exception {
		assertNoConnectionHeaderWhileDraining(ServerApps.netty("--server.shutdown=graceful", "--server.http2.enabled=true"));
	}

	private static void assertNoConnectionHeaderWhileDraining(ConfigurableApplicationContext app) throws Exception {
		try {
			HttpClient h2c = HttpClient.create(ConnectionProvider.newConnection()).protocol(HttpProtocol.H2C);
			CompletableFuture<HttpClientResponse> inFlight = h2c.get()
				.uri("http://127.0.0.1:" + ServerApps.port(app) + "/orders-later?id=draining&sleep=1000")
				.response((response, body) -> body.then(Mono.just(response)))
				.next()
				.toFuture();
			Thread.sleep(400); // the request is being served
			CompletableFuture<Void> shutdown = CompletableFuture.runAsync(app::close);
			HttpClientResponse response = inFlight.get(10, TimeUnit.SECONDS);
			assertThat(response.version().text()).isEqualTo("HTTP/2.0");
			assertThat(response.status().code()).isEqualTo(200);
			assertThat(response.responseHeaders().contains("Connection")).isFalse();
			shutdown.get(10, TimeUnit.SECONDS);
		}
		finally {
			app.close();
		}
	}

	@Test
	void neverOnHttp2() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.netty("--server.netty.idle-timeout=20s",
				"--server.http2.enabled=true")) {
			HttpClient h2c = HttpClient.create(ConnectionProvider.newConnection()).protocol(HttpProtocol.H2C);
			HttpClientResponse response = h2c.get()
				.uri("http://127.0.0.1:" + ServerApps.port(app) + "/hello")
				.response()
				.block(Duration.ofSeconds(10));
			assertThat(response.version().text()).isEqualTo("HTTP/2.0");
			assertThat(response.responseHeaders().contains("Keep-Alive")).isFalse();
			// The same server still advertises on HTTP/1.1: the test above is not vacuous.
			assertThat(get(ServerApps.port(app), "/hello").headers("Keep-Alive")).containsExactly("timeout=20");
		}
	}

	@Test
	void disabledAddsNothing() throws IOException {
		try (ConfigurableApplicationContext app = ServerApps.netty("--server.netty.idle-timeout=2s",
				"--keepalive.server.enabled=false")) {
			assertThat(get(ServerApps.port(app), "/hello").headers("Keep-Alive")).isEmpty();
		}
	}

	private static void assertAdvertisedAndKept(int port, String expected, Duration timeout) throws IOException {
		try (RawHttp http = new RawHttp(port)) {
			Response response = http.send("GET", "/hello", "HTTP/1.1");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.headers("Keep-Alive")).containsExactly(expected);
			// The server must not close earlier than it promised.
			assertThat(http.awaitClose()).isGreaterThanOrEqualTo(timeout.minusMillis(50));
		}
	}

	private static Response get(int port, String path) throws IOException {
		try (RawHttp http = new RawHttp(port)) {
			return http.send("GET", path, "HTTP/1.1");
		}
	}

}
