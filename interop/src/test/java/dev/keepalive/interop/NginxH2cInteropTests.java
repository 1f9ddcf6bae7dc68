package dev.keepalive.interop;

import java.io.IOException;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.keepalive.testsupport.ClientKind;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * nginx 1.22 serving h2c by prior knowledge ({@code listen ... http2;} without {@code ssl}) with
 * {@code keepalive_timeout 2s;}: since 1.19.7 {@code keepalive_timeout} governs idle HTTP/2 connections
 * ({@code http2_idle_timeout} is obsolete: nginx warns and ignores it). At 2 s idle nginx sends
 * GOAWAY(NO_ERROR) naming the connection's last stream and closes with FIN; HTTP/2 has no {@code Keep-Alive}
 * header, so nothing tells the client the timeout.
 * <p>
 * WebClient and RestClient on Reactor Netty speak h2c: plain Spring Boot by the application's own customizer
 * (as {@code Http2Tests.OwnSwitch} in the autoconfigure tests), the starter by
 * {@code keepalive.client.protocol=h2c}. A request that crosses nginx's GOAWAY is above its last-stream-id:
 * unprocessed by nginx's own word, so the starter resends it whatever its method, and no request may fail.
 */
class NginxH2cInteropTests extends InteropTests {

	@Override
	protected InteropServer startServer() {
		return Nginx.startH2c("keepalive_timeout 2s;");
	}

	@Override
	protected String name() {
		return "nginx-h2c-2s";
	}

	@Override
	protected boolean advertisesItsRealTimeout() {
		return false;
	}

	@Override
	protected boolean noRequestMayFailWithTheStarter() {
		return true;
	}

	@Override
	protected Stream<ClientKind> clientKinds() {
		return Stream.of(ClientKind.REST_CLIENT, ClientKind.WEB_CLIENT);
	}

	@Override
	protected ApplicationContextRunner plain() {
		return super.plain().withUserConfiguration(OwnH2cSwitch.class);
	}

	@Override
	protected ApplicationContextRunner withTheStarter() {
		return super.withTheStarter().withPropertyValues("keepalive.client.protocol=h2c");
	}

	@Override
	protected DelayingRelay relay(LongConsumer idleCloses) throws IOException {
		return DelayingRelay.h2c(server().port(), DELAY, idleCloses);
	}

	/**
	 * The close after a connection's second stream, 400 ms after its first, as in the races (a first stream's
	 * answer read while the JVM warms up came 25 ms late in every probe of one run, which aimed every race gap
	 * short of the close: the relays then never saw one to correct the aim by).
	 */
	@Override
	protected long measureClose(int port, String path, String id) {
		try (RawH2cClient client = new RawH2cClient(port)) {
			assertThat(client.get(path + "?id=" + id + "-first")).isEqualTo(200);
			ServerProcess.sleep(400);
			assertThat(client.get(path + "?id=" + id)).isEqualTo(200);
			return client.awaitClose().afterMillis();
		}
	}

	/** Every request of the race reached nginx on HTTP/2: the clients spoke h2c, plain and with the starter. */
	@Override
	protected void assertEveryRace(Race.Result result) {
		List<String> lines = ((Nginx) server()).accessLogLines()
			.stream()
			.filter((line) -> line.contains("?id=" + result.prefix() + "-"))
			.toList();
		assertThat(lines).as("nginx's access log for %s", result.prefix())
			.isNotEmpty()
			.allSatisfy((line) -> assertThat(line).endsWith(" HTTP/2.0"));
	}

	@Test
	void endsAnIdleConnectionAt2sWithGoAwayNoErrorThenFin() {
		RawH2cClient.Close close;
		try (RawH2cClient client = new RawH2cClient(server().port())) {
			assertThat(client.get("/ok?id=facts-1")).isEqualTo(200);
			assertThat(client.get("/ok?id=facts-2")).isEqualTo(200);
			close = client.awaitClose();
		}
		assertThat(close.goAway()).as("%s", close).isNotNull();
		assertThat(close.goAway().errorCode()).as("%s", close).isZero();
		assertThat(close.goAway().lastStreamId()).as("the last stream the connection carried: %s", close).isEqualTo(3);
		assertThat(close.how()).as("%s", close).isEqualTo("FIN");
		assertThat(close.goAwayAfterMillis()).as("%s", close).isBetween(1900L, 2300L);
		assertThat(close.afterMillis() - close.goAwayAfterMillis()).as("%s", close).isLessThan(50L);
		assertThat(closeMillis()).as("idle closes %s", closes()).isBetween(1900L, 2300L);
	}

	/** h2c by prior knowledge on Reactor Netty, switched by the application, as Http2Tests.OwnSwitch does. */
	@Configuration(proxyBeanMethods = false)
	static class OwnH2cSwitch {

		@Bean
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> h2cConnector() {
			return (builder) -> builder.withHttpClientCustomizer(OwnH2cSwitch::h2c);
		}

		@Bean
		ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> h2cRequestFactory() {
			return (builder) -> builder.withHttpClientCustomizer(OwnH2cSwitch::h2c);
		}

		static HttpClient h2c(HttpClient client) {
			return client.protocol(HttpProtocol.H2C, HttpProtocol.H2);
		}

	}

}
