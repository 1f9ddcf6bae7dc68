package dev.keepalive.client;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Function;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.KeepAlivePeer.Close;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.keepalive.testsupport.ClientContext.pause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The three clients against a peer that advertises {@code timeout=2} and closes idle connections at exactly
 * 2 s. With the default 1 s safety margin a connection is reused only within 1 s of idleness.
 */
class KeepAliveClientRaceTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	// The pool alone must win these races: a resend would hide a connection it should not have handed out.
	private final ApplicationContextRunner runner = ClientContext.runner()
		.withPropertyValues("keepalive.client.retry.enabled=false");

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void opensNewConnectionAfterIdleGapInsideSafetyMarginWhenPeerClosesWithFin(ClientKind kind) throws IOException {
		opensNewConnectionAfterIdleGapInsideSafetyMargin(kind, Close.FIN);
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void opensNewConnectionAfterIdleGapInsideSafetyMarginWhenPeerClosesWithRst(ClientKind kind) throws IOException {
		opensNewConnectionAfterIdleGapInsideSafetyMargin(kind, Close.RST);
	}

	private void opensNewConnectionAfterIdleGapInsideSafetyMargin(ClientKind kind, Close close) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2").idleTimeout(TIMEOUT).close(close).start()) {
			this.runner.run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(client.apply(peer.url("/first"))).isEqualTo("ok");
				pause(1500); // N - margin/2: the peer still holds the connection, but we must not trust it
				assertThat(client.apply(peer.url("/second"))).isEqualTo("ok");
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void reusesConnectionWellWithinAdvertisedTimeout(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2").idleTimeout(TIMEOUT).start()) {
			this.runner.run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(client.apply(peer.url("/first"))).isEqualTo("ok");
				pause(300);
				assertThat(client.apply(peer.url("/second"))).isEqualTo("ok");
				assertThat(peer.connections()).isEqualTo(1);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void neverSendsIntoTheRaceWindowAtTheAdvertisedTimeout(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = racingPeer()) {
			this.runner.run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(client.apply(peer.url("/first"))).isEqualTo("ok");
				pause(2200); // inside the window: the server has given up, its FIN is still on the way
				assertThat(client.apply(peer.url("/second"))).isEqualTo("ok");
				assertThat(peer.racesLost()).isZero();
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	/** The control: the same gap without the starter loses the race, so the test above can fail. */
	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withoutTheStarterTheSameGapLosesTheRace(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = racingPeer()) {
			this.runner.withPropertyValues("keepalive.client.enabled=false").run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(client.apply(peer.url("/first"))).isEqualTo("ok");
				pause(2200);
				assertThatException().isThrownBy(() -> client.apply(peer.url("/second")));
				assertThat(peer.racesLost()).isEqualTo(1);
			});
		}
	}

	private static KeepAlivePeer racingPeer() throws IOException {
		return KeepAlivePeer.advertising("timeout=2").idleTimeout(TIMEOUT).raceWindow(Duration.ofMillis(600)).start();
	}

}
