package dev.keepalive.client;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code max} as Apache httpd (counting down) and Node (a repeated total) send it, and a fractional
 * {@code timeout}, end to end on every client kind: each connection carries exactly what its server allows,
 * and none is reused past what it allows. Resends are off, so that a misreading would show as a failure.
 */
class AdvertisedParametersTests {

	private final ApplicationContextRunner runner = ClientContext.runner()
		.withPropertyValues("keepalive.client.retry.enabled=false");

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aMaxCountingDownLetsTheConnectionCarryEveryRequestItAllows(ClientKind kind) throws IOException {
		// max=10 on the first response: ten more after it, eleven in all; the eleventh response closes.
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=5").maxCountingDown(10).start()) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				for (int i = 0; i < 11; i++) {
					assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
					// WebClient's block() can return before the connection is back in the pool.
					ClientContext.pause(30);
				}
				assertThat(peer.connections()).as("not retired after ten: %s", peer.history()).isEqualTo(1);
				ClientContext.pause(100);
				assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aRepeatedMaxIsTheTotal(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=5, max=3").start()) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				for (int i = 0; i < 6; i++) {
					assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
					ClientContext.pause(30);
				}
				assertThat(peer.connections()).as(peer.history()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aFractionalTimeoutIsRoundedDownNotIgnored(ClientKind kind) throws IOException {
		// Ignored, "timeout=2.5" would leave the 4 s default, and the reuse after 3 s would hit the close.
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2.5")
			.idleTimeout(Duration.ofMillis(2500))
			.raceWindow(Duration.ofSeconds(1))
			.start()) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
				ClientContext.pause(3000);
				assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
				assertThat(peer.racesLost()).isZero();
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

}
