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
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The three clients against a peer that advertises {@code timeout=2} and closes idle connections at exactly
 * 2 s. With the default 1 s safety margin a connection is reused only within 1 s of idleness.
 */
class KeepAliveClientRaceTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	/** An idle gap inside the racing peer's window. */
	private static final long GAP = 1950;

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
			// The fixed margin; MarginLabTests test the adaptive one.
			kind.on(this.runner).withPropertyValues("keepalive.client.adaptive-margin=false").run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(client.apply(peer.url("/first"))).isEqualTo("ok");
				pause(1500); // N - margin/2: the peer still holds the connection, but we must not trust it
				assertThat(client.apply(peer.url("/second"))).isEqualTo("ok");
				assertThat(peer.connections()).as(peer.history()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void reusesConnectionWellWithinAdvertisedTimeout(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2").idleTimeout(TIMEOUT).start()) {
			kind.on(this.runner).run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(client.apply(peer.url("/first"))).isEqualTo("ok");
				pause(300);
				assertThat(client.apply(peer.url("/second"))).isEqualTo("ok");
				assertThat(peer.connections()).as(peer.history()).isEqualTo(1);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void neverSendsIntoTheRaceWindowAtTheAdvertisedTimeout(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = racingPeer()) {
			kind.on(this.runner).run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(client.apply(peer.url("/first"))).isEqualTo("ok");
				pause(GAP); // inside the window: the server has given up, its FIN is still on the way
				assertThat(client.apply(peer.url("/second"))).isEqualTo("ok");
				assertThat(peer.racesLost()).as(peer.history()).isZero();
				assertThat(peer.connections()).as(peer.history()).isEqualTo(2);
			});
		}
	}

	/** The control: the same gap without the starter loses the race, so the test above can fail. */
	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withoutTheStarterTheSameGapLosesTheRace(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = racingPeer()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.enabled=false").run((context) -> {
				Function<String, String> client = kind.client(context);
				assertThat(client.apply(peer.url("/first"))).isEqualTo("ok");
				pause(GAP);
				Throwable failure = catchThrowable(() -> client.apply(peer.url("/second")));
				assertThat(peer.racesLost()).as("the plain pool handed out the closing connection: %s", peer.history()).isEqualTo(1);
				if (kind.engine() == ClientEngine.REACTOR_NETTY) {
					assertThat(failure).isNotNull();
				} // else Apache HttpClient's own retry resent the GET, blindly: ResendTests shows a POST is lost.
			});
		}
	}

	/**
	 * Advertises 2 s but gives up at 1.9 s, as servers and the proxies in front of them do, its FIN taking
	 * 600 ms to arrive: a request after {@link #GAP} lands in that window, even for a client that trusts the
	 * advertised timeout to the millisecond (Apache HttpClient's own strategy).
	 */
	private static KeepAlivePeer racingPeer() throws IOException {
		return KeepAlivePeer.advertising("timeout=2")
			.idleTimeout(Duration.ofMillis(1900))
			.raceWindow(Duration.ofMillis(600))
			.start();
	}

}
