package dev.keepalive.client;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Concurrently;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;

import static dev.keepalive.testsupport.ClientContext.pause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Each knob of the pool, proven by what a real peer sees: the rules on every client and engine, the sizing
 * of the shared Reactor Netty pool with one client.
 */
class KeepAlivePoolBehaviourTests {


	private final ApplicationContextRunner runner = ClientContext.runner();

	@Test
	void clientsBuiltAgainOnReactorNettyShareTheirPool() throws IOException {
		// Reactor Netty keys its pool by the client's configuration, observers included: anything the starter
		// adds per client must not split the pool, or every client built opens connections of its own.
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30").start()) {
			this.runner.run((context) -> {
				for (ClientKind kind : ClientKind.onReactorNetty()) {
					assertThat(kind.client(context).apply(peer.url("/first"))).isEqualTo("ok");
					pause(50);
					int connections = peer.connections();
					assertThat(kind.client(context).apply(peer.url("/built-again"))).isEqualTo("ok");
					assertThat(peer.connections()).as(kind + " built again").isEqualTo(connections);
					pause(50);
				}
				// RestTemplate and RestClient share one; Boot configures WebClient's HttpClient apart.
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void stopsReusingAConnectionAfterTheAdvertisedMaxRequests(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30, max=2").start()) {
			kind.on(this.runner).run((context) -> {
				Function<String, String> client = kind.client(context);
				for (int i = 0; i < 3; i++) {
					assertThat(client.apply(peer.url("/" + i))).isEqualTo("ok");
					pause(100);
				}
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void appliesTheDefaultIdleTimeoutWhenNothingIsAdvertised(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising(null).start()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.default-idle-timeout=600ms").run((context) -> {
				Function<String, String> client = kind.client(context);
				client.apply(peer.url("/first"));
				pause(150);
				client.apply(peer.url("/reused"));
				assertThat(peer.connections()).isEqualTo(1);
				pause(900);
				client.apply(peer.url("/fresh"));
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void treatsAHostileHeaderAsNoHeader(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=-5, timeout=abc, max=99999999999999999999, x=\"")
			.start()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.default-idle-timeout=600ms").run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(client.apply(peer.url("/first"))).isEqualTo("ok");
				pause(900);
				assertThat(client.apply(peer.url("/second"))).isEqualTo("ok");
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void hostIdleTimeoutOverridesTheAdvertisedOne(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30").start()) {
			// TestPropertyValues would split "host:port" at the colon: add the property as a map entry.
			kind.on(this.runner)
				.withInitializer((context) -> context.getEnvironment()
					.getPropertySources()
					.addFirst(new MapPropertySource("test", Map.of(
							"keepalive.client.hosts.[127.0.0.1:" + peer.port() + "].idle-timeout", "1500ms"))))
				.run((context) -> {
					Function<String, String> client = kind.client(context);
					client.apply(peer.url("/first"));
					pause(1470); // past 1500 ms less the margin (50 ms or more), far from the advertised 30 s
					client.apply(peer.url("/second"));
					assertThat(peer.connections()).isEqualTo(2);
				});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void ignoreAdvertisedFallsBackToTheDefaultIdleTimeout(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30").start()) {
			kind.on(this.runner)
				.withPropertyValues("keepalive.client.hosts.[127.0.0.1].ignore-advertised=true",
						"keepalive.client.default-idle-timeout=500ms")
				.run((context) -> {
					Function<String, String> client = kind.client(context);
					client.apply(peer.url("/first"));
					pause(800);
					client.apply(peer.url("/second"));
					assertThat(peer.connections()).isEqualTo(2);
				});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void retiresAConnectionAtItsMaxLifeTime(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30").start()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.max-life-time=700ms").run((context) -> {
				Function<String, String> client = kind.client(context);
				client.apply(peer.url("/first"));
				pause(200);
				client.apply(peer.url("/reused"));
				assertThat(peer.connections()).isEqualTo(1);
				pause(600);
				client.apply(peer.url("/fresh"));
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void survivesAServerThatClosedEveryPooledConnection(ClientKind kind) throws IOException {
		// Three pooled connections, each closed by the server (its FIN already read) long before the advertised
		// timeout: the next request gets a new connection, not one dead connection after another.
		try (ScriptedPeer peer = ScriptedPeer.start((request) -> Action.OK_THEN_CLOSE, Duration.ofMillis(200))) {
			kind.on(this.runner).run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(Concurrently.send(3, () -> client.apply(peer.url("/")))).containsOnly("ok");
				assertThat(peer.connections()).isEqualTo(3);
				pause(300);
				assertThat(client.apply(peer.url("/after"))).isEqualTo("ok");
				assertThat(peer.connections()).isEqualTo(4);
			});
		}
	}

	@Test
	void backgroundSweepClosesExpiredIdleConnectionsBeforeTheServerDoes() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2").idleTimeout(Duration.ofSeconds(2)).start()) {
			// With the fixed 1 s margin: the adaptive one leaves the sweep too little time to come first.
			this.runner.withPropertyValues("keepalive.client.eviction-interval=100ms", "keepalive.client.adaptive-margin=false").run((context) -> {
				ClientKind.WEB_CLIENT.client(context).apply(peer.url("/first"));
				await().atMost(Duration.ofMillis(1800)).until(() -> peer.closedByClient() == 1);
				assertThat(peer.closedByPeer()).isZero();
			});
		}
	}

	@Test
	void opensAsManyConnectionsUnderLoadAsPlainBootDoes() throws IOException {
		// Plain Boot's pool (Reactor Netty's global one) allows 500 connections per address; the builder's
		// default would have been 16.
		try (ScriptedPeer peer = ScriptedPeer.start((request) -> Action.OK, Duration.ofMillis(300))) {
			this.runner.run((context) -> {
				Function<String, String> client = ClientKind.REST_CLIENT.client(context);
				assertThat(Concurrently.send(40, () -> client.apply(peer.url("/")))).hasSize(40)
					.allSatisfy((response) -> assertThat(response).isEqualTo("ok"));
				assertThat(peer.connections()).isEqualTo(40);
			});
		}
	}

	@Test
	void queuesRequestsBeyondTheConnectionLimitAsPlainBootDoes() throws IOException {
		// 40 requests at once on 4 connections: 36 wait. Reactor Netty's builder would allow only 2 x 4 to wait.
		try (ScriptedPeer peer = ScriptedPeer.start((request) -> Action.OK, Duration.ofMillis(100))) {
			this.runner.withPropertyValues("keepalive.client.max-connections=4").run((context) -> {
				Function<String, String> client = ClientKind.REST_CLIENT.client(context);
				assertThat(Concurrently.send(40, () -> client.apply(peer.url("/")))).hasSize(40)
					.allSatisfy((response) -> assertThat(response).isEqualTo("ok"));
				assertThat(peer.connections()).isEqualTo(4);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void keepsBootsReadTimeout(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30").silent().start()) {
			kind.on(this.runner).withPropertyValues("spring.http.clients.read-timeout=300ms").run((context) -> {
				Function<String, String> client = kind.client(context);
				long start = System.nanoTime();
				assertThatException().isThrownBy(() -> client.apply(peer.url("/never")));
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
				assertThat(peer.requests()).isEqualTo(1);
			});
		}
	}

}
