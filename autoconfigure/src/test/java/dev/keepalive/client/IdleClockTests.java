package dev.keepalive.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
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
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.RawHttp;
import dev.keepalive.testsupport.ServerApps;

import static dev.keepalive.testsupport.ClientContext.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idle clock runs from when a connection's last request started to be written. An embedded Tomcat counts
 * its keep-alive timeout from the end of its response and takes 2.5 s of its 3 s to answer. A peer advertises
 * {@code timeout=3}, takes 0.1, 1.5 or 2.5 s to answer, and counts its idle timeout from its last read of the
 * request, or (as Node) from the end of its response; its close reaches the client 600 ms late, and a
 * request that arrives meanwhile is reset. Each POST without a key is sent after the gap that lands in that
 * window: with the starter none fails and no dead connection is handed out; without it (the control) the
 * slow answer's connection is reused and the POST fails.
 */
class IdleClockTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(3);

	private static final Duration RACE_WINDOW = Duration.ofMillis(600);

	private final ApplicationContextRunner runner = ClientContext.runner();

	static Stream<Arguments> slowAnswers() {
		List<Arguments> arguments = new ArrayList<>();
		for (ClientKind kind : ClientKind.values()) {
			for (long handler : new long[] { 100, 1500, 2500 }) {
				arguments.add(Arguments.of(kind, handler, true));
				arguments.add(Arguments.of(kind, handler, false));
			}
		}
		return arguments.stream();
	}

	@ParameterizedTest(name = "{0}, {1} ms answer, idle from the request: {2}")
	@MethodSource("slowAnswers")
	void noDeadConnectionIsHandedOutAfterASlowAnswer(ClientKind kind, long handlerMillis, boolean idleFromRequest)
			throws Exception {
		try (KeepAlivePeer peer = peer(handlerMillis, idleFromRequest)) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				post(client, peer, "first");
				// Into the window in which the peer's close is on its way: a reused connection is reset.
				pause(raceGapMillis(handlerMillis, idleFromRequest));
				post(client, peer, "second");
				assertThat(peer.racesLost()).as("a dead connection was handed out: %s", peer.history()).isZero();
				assertThat(peer.requests()).as("each POST executed once: %s", peer.history()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withoutTheStarterTheSlowAnswersConnectionIsReusedAndThePostFails(ClientKind kind) throws Exception {
		try (KeepAlivePeer peer = peer(2500, true)) {
			kind.on(this.runner).withPropertyValues("keepalive.client.enabled=false").run((context) -> {
				Exchanger client = kind.exchanger(context);
				post(client, peer, "first");
				pause(raceGapMillis(2500, true));
				assertThat(failed(() -> post(client, peer, "second"))).as(peer.history()).isTrue();
				assertThat(peer.racesLost()).as(peer.history()).isEqualTo(1);
			});
		}
	}

	@Test
	void tomcatCountsItsKeepAliveTimeoutFromTheEndOfItsResponse() throws Exception {
		try (ConfigurableApplicationContext server = ServerApps.tomcat("--keepalive.server.timeout=3s",
				"--keepalive.client.enabled=false"); RawHttp http = new RawHttp(ServerApps.port(server))) {
			http.send("GET", "/orders?id=raw&sleep=2500", "HTTP/1.1", "Connection: keep-alive");
			// Not 0.5 s after the response, as a server counting from its read of the request would close.
			assertThat(http.awaitCloseAfterResponse()).isBetween(Duration.ofMillis(2900), Duration.ofSeconds(5));
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void anEmbeddedTomcatWhoseHandlerTakesMostOfItsKeepAliveTimeout(ClientKind kind) throws Exception {
		try (ConfigurableApplicationContext server = ServerApps.tomcat("--keepalive.server.timeout=3s",
				"--keepalive.client.enabled=false")) {
			String url = "http://127.0.0.1:" + ServerApps.port(server) + "/orders?sleep=2500&id=";
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				List<String> failures = new ArrayList<>();
				long[] gaps = { 0, 1200, 2950 };
				for (int i = 0; i < gaps.length; i++) {
					pause(gaps[i]);
					String request = url + kind + "-" + i;
					if (failed(() -> client.exchange(HttpMethod.POST, request, new HttpHeaders(), "order"))) {
						failures.add("POST after " + gaps[i] + " ms");
					}
				}
				Map<String, Integer> executions = server.getBean(ServerApps.Endpoints.class).executions();
				assertThat(failures).as(executions.toString()).isEmpty();
				assertThat(executions).hasSize(gaps.length).allSatisfy((id, count) -> assertThat(count).isOne());
			});
		}
	}

	/** The middle of the window, after the response, in which the peer's close is on its way to the client. */
	private static long raceGapMillis(long handlerMillis, boolean idleFromRequest) {
		long closesAfterResponse = idleFromRequest ? TIMEOUT.toMillis() - handlerMillis : TIMEOUT.toMillis();
		return closesAfterResponse + RACE_WINDOW.toMillis() / 2;
	}

	private static KeepAlivePeer peer(long handlerMillis, boolean idleFromRequest) throws Exception {
		KeepAlivePeer.Builder builder = KeepAlivePeer.advertising("timeout=3")
			.idleTimeout(TIMEOUT)
			.raceWindow(RACE_WINDOW)
			.handler(Duration.ofMillis(handlerMillis));
		return (idleFromRequest ? builder.idleFromRequest() : builder).start();
	}

	private static void post(Exchanger client, KeepAlivePeer peer, String body) {
		assertThat(client.exchange(HttpMethod.POST, peer.url("/orders"), new HttpHeaders(), body)).isEqualTo("ok");
	}

	private static boolean failed(Runnable exchange) {
		try {
			exchange.run();
			return false;
		}
		catch (RuntimeException ex) {
			return true;
		}
	}

}
