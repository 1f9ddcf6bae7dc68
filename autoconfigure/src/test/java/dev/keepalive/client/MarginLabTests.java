package dev.keepalive.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.DelayingRelay;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.ServerApps;

import static dev.keepalive.testsupport.ClientContext.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adaptive margin in a lab: a server with a 2 s idle timeout behind a network with a one-way delay (5 ms,
 * 25 ms, or 5 ms with up to 5 ms of jitter either way), idle gaps spread evenly over 1000-2100 ms, every
 * other request a POST without a key. Either a raw-socket peer that advertises {@code timeout=2} and closes at
 * exactly 2 s after its response, or an embedded Tomcat with {@code keep-alive-timeout=2s} that the starter's
 * server side advertises. No request may fail or execute twice, and of the requests after a gap below
 * 1900 ms at most 10 % may go out on a new connection: a fixed 1 s margin would put every one of them there.
 */
class MarginLabTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	/** 1000, 1100, ... 2100 ms, in an order that mixes short and long gaps. */
	private static final long[] GAPS = { 1500, 2000, 1100, 1800, 2100, 1300, 1000, 1900, 1600, 1200, 1700, 1400 };

	private final ApplicationContextRunner runner = ClientContext.runner();

	static Stream<Arguments> networks() {
		List<Arguments> arguments = new ArrayList<>();
		for (ClientKind kind : ClientKind.values()) {
			arguments.add(Arguments.of(kind, 5, 0));
			arguments.add(Arguments.of(kind, 25, 0));
			arguments.add(Arguments.of(kind, 5, 5));
		}
		return arguments.stream();
	}

	@ParameterizedTest(name = "{0}, {1} ms one way, jitter {2} ms")
	@MethodSource("networks")
	void aPeerThatClosesAtExactlyItsTimeout(ClientKind kind, long delayMillis, long jitterMillis) throws Exception {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2").idleTimeout(TIMEOUT).start();
				DelayingRelay relay = DelayingRelay.to(peer.port(), Duration.ofMillis(delayMillis),
						Duration.ofMillis(jitterMillis))) {
			kind.on(this.runner).run((context) -> {
				Result result = run(kind.exchanger(context), relay.url("/orders"), relay::connections);
				result.assertCured(peer.history());
				assertThat(peer.requests()).as("each request executed once: %s", peer.history())
					.isEqualTo(GAPS.length + 1);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void anEmbeddedTomcatWithATwoSecondKeepAliveTimeout(ClientKind kind) throws Exception {
		try (ConfigurableApplicationContext server = ServerApps.tomcat("--server.tomcat.keep-alive-timeout=2s",
				"--keepalive.client.enabled=false");
				DelayingRelay relay = DelayingRelay.to(ServerApps.port(server), Duration.ofMillis(5), Duration.ZERO)) {
			kind.on(this.runner).run((context) -> {
				Result result = run(kind.exchanger(context), relay.url("/orders"), relay::connections);
				Map<String, Integer> executions = server.getBean(ServerApps.Endpoints.class).executions();
				result.assertCured(executions.toString());
				assertThat(executions).hasSize(GAPS.length + 1).allSatisfy((id, count) -> assertThat(count).isOne());
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withoutTheStarterAPostSentAsTheCloseTravelsFails(ClientKind kind) throws Exception {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2").idleTimeout(TIMEOUT).start();
				DelayingRelay relay = DelayingRelay.to(peer.port(), Duration.ofMillis(25), Duration.ZERO)) {
			kind.on(this.runner).withPropertyValues("keepalive.client.enabled=false").run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.exchange(HttpMethod.POST, relay.url("/orders?id=0"), new HttpHeaders(), "order");
				// Once more, warmed up: the pause below starts as soon as this answer arrived.
				client.exchange(HttpMethod.GET, relay.url("/orders?id=warm"), new HttpHeaders(), null);
				// Arrives 50 ms after it is sent: after the peer's close, before its FIN reached the client.
				pause(TIMEOUT.toMillis() - 25);
				assertThat(Result.failed(
						() -> client.exchange(HttpMethod.POST, relay.url("/orders?id=1"), new HttpHeaders(), "order")))
					.as(peer.history())
					.isTrue();
			});
		}
	}

	private static Result run(Exchanger client, String url, IntSupplier connections) {
		Result result = new Result();
		client.exchange(HttpMethod.POST, url + "?id=0", new HttpHeaders(), "order");
		for (int i = 0; i < GAPS.length; i++) {
			pause(GAPS[i]);
			int before = connections.getAsInt();
			String id = String.valueOf(i + 1);
			HttpMethod method = (i % 2 == 0) ? HttpMethod.POST : HttpMethod.GET;
			if (Result.failed(() -> client.exchange(method, url + "?id=" + id, new HttpHeaders(),
					(method == HttpMethod.POST) ? "order" : null))) {
				result.failures.add(method + " after " + GAPS[i] + " ms");
			}
			if (GAPS[i] < 1900) {
				result.shortGaps++;
				if (connections.getAsInt() > before) {
					result.newConnections.add(GAPS[i]);
				}
			}
		}
		return result;
	}

	private static final class Result {

		private final List<String> failures = new ArrayList<>();

		private final List<Long> newConnections = new ArrayList<>();

		private int shortGaps;

		void assertCured(String history) {
			assertThat(this.failures).as(history).isEmpty();
			assertThat(this.newConnections).as("gaps below 1900 ms that got a new connection, of %d: %s", this.shortGaps,
					history).hasSizeLessThanOrEqualTo(this.shortGaps / 10);
		}

		static boolean failed(Runnable exchange) {
			try {
				exchange.run();
				return false;
			}
			catch (RuntimeException ex) {
				return true;
			}
		}

	}

}
