package dev.keepalive.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Apache httpd and Tomcat advertise {@code Keep-Alive: timeout=N} only to a request that says
 * {@code Connection: keep-alive}. The starter asks on a connection's first request (Apache HttpClient 5 asks on
 * every one by itself), so it learns the timeout from the first response; a request's own {@code Connection}
 * header is left as it is.
 */
class AskingForKeepAliveTests {

	private final ApplicationContextRunner runner = ClientContext.runner();

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aServerThatAdvertisesOnlyWhenAskedIsAskedAndNoPostFails(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = askingPeer()) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				for (int i = 0; i < 4; i++) {
					client.exchange((i % 2 == 0) ? HttpMethod.GET : HttpMethod.POST, peer.url("/"), new HttpHeaders(),
							(i % 2 == 0) ? null : "order");
					// Inside the peer's race window: only a client that learnt timeout=2 stays out of it.
					ClientContext.pause(2100);
				}
			});
			assertThat(peer.askedForKeepAlive()).as(peer.history()).isEqualTo(4);
			assertThat(peer.racesLost()).as(peer.history()).isZero();
			assertThat(peer.connections()).isEqualTo(4);
		}
	}

	@ParameterizedTest
	@EnumSource(value = ClientKind.class, names = { "REST_TEMPLATE", "REST_CLIENT", "WEB_CLIENT" })
	void withoutAskingReactorNettyNeverHearsTheTimeoutAndReusesADyingConnection(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = askingPeer()) {
			kind.on(this.runner)
				.withPropertyValues("keepalive.client.send-connection-keep-alive=false",
						"keepalive.client.retry.enabled=false")
				.run((context) -> {
					Exchanger client = kind.exchanger(context);
					client.get(peer.url("/"), new HttpHeaders());
					ClientContext.pause(2100);
					try {
						client.get(peer.url("/"), new HttpHeaders());
					}
					catch (RuntimeException expected) {
						// The control: the default idle timeout (4 s) reuses what the server closed.
					}
				});
			assertThat(peer.askedForKeepAlive()).isZero();
			assertThat(peer.racesLost()).as(peer.history()).isEqualTo(1);
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aConnectionHeaderOfTheRequestsOwnIsKeptAsItIs(ClientKind kind) throws IOException {
		ConcurrentLinkedQueue<Map<String, String>> seen = new ConcurrentLinkedQueue<>();
		try (ScriptedPeer peer = ScriptedPeer.start((request) -> {
			seen.add(request.headers());
			return Action.OK;
		})) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				HttpHeaders close = new HttpHeaders();
				close.set(HttpHeaders.CONNECTION, "close");
				client.get(peer.url("/"), close);
				client.get(peer.url("/"), new HttpHeaders());
			});
			List<String> connection = seen.stream().map((headers) -> headers.get("connection")).toList();
			assertThat(connection).hasSize(2).first().isEqualTo("close");
		}
	}

	private static KeepAlivePeer askingPeer() throws IOException {
		return KeepAlivePeer.advertising("timeout=2")
			.advertiseOnlyWhenAsked()
			.idleTimeout(Duration.ofSeconds(2))
			.raceWindow(Duration.ofMillis(600))
			.start();
	}

}
