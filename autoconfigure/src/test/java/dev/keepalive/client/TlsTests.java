package dev.keepalive.client;

import java.time.Duration;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;
import dev.keepalive.testsupport.ScriptedPeer.Script;
import dev.keepalive.testsupport.TestTls;

import static dev.keepalive.testsupport.ClientContext.pause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The HTTP/1.1 cures over TLS, for each client kind: a self-signed certificate made by the test, trusted
 * through a Boot SSL bundle ({@code spring.http.clients.ssl.bundle}). A reused TLS connection that the server
 * closes after its handshake is a connection failure, resent when the rule allows; a real handshake failure
 * is never resent. The pool keeps a dying TLS connection out of the race as it does a cleartext one.
 */
class TlsTests {

	private final ApplicationContextRunner runner = ClientContext.runner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
		.withPropertyValues(TestTls.get().clientBundle());

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aKeyedPostOnAReusedTlsConnectionTheServerResetIsResent(ClientKind kind) throws Exception {
		for (Action failure : new Action[] { Action.RESET, Action.CLOSE }) {
			try (ScriptedPeer peer = ScriptedPeer.startTls(Script.failReused(failure))) {
				kind.on(this.runner).run((context) -> {
					Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
					assertThat(client.exchange(HttpMethod.POST, peer.url("/"), keyed("tls-" + failure), "order"))
						.isEqualTo("ok");
					assertThat(peer.executions("tls-" + failure)).as("%s: executions", failure).isEqualTo(2);
					assertThat(peer.connections()).isEqualTo(2);
				});
			}
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aPostWithoutAKeyIsNotResentOverTlsEither(ClientKind kind) throws Exception {
		try (ScriptedPeer peer = ScriptedPeer.startTls(Script.failReused(Action.RESET))) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				HttpHeaders headers = new HttpHeaders();
				headers.set("X-Request-Id", "unkeyed");
				Throwable failure = catchThrowable(() -> client.exchange(HttpMethod.POST, peer.url("/"), headers, "order"));
				assertThat(failure).hasStackTraceContaining("not resent: POST without");
				assertThat(peer.executions("unkeyed")).isOne();
				assertThat(peer.connections()).isOne();
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aHandshakeFailureIsNeverResent(ClientKind kind) throws Exception {
		try (ScriptedPeer peer = ScriptedPeer.startTls(Script.failReused(Action.RESET))) {
			// No bundle: the client does not trust the peer's certificate.
			kind.on(ClientContext.runner()).run((context) -> {
				Exchanger client = kind.exchanger(context);
				Throwable failure = catchThrowable(() -> client.get(peer.url("/"), keyed("handshake")));
				assertThat(hasCause(failure, SSLHandshakeException.class)).as("%s", failure).isTrue();
				assertThat(peer.executions("handshake")).isZero();
				assertThat(peer.connections()).as("one handshake, not a second").isOne();
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void neverSendsIntoTheRaceWindowOverTls(ClientKind kind) throws Exception {
		try (KeepAlivePeer peer = racingPeer()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.retry.enabled=false").run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/first"), new HttpHeaders());
				pause(1950); // the peer gave up at 1.9 s; its close is still on the way
				client.get(peer.url("/second"), new HttpHeaders());
				assertThat(peer.racesLost()).as(peer.history()).isZero();
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withoutTheStarterTheSameGapLosesTheRaceOverTls(ClientKind kind) throws Exception {
		try (KeepAlivePeer peer = racingPeer()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.enabled=false").run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/first"), new HttpHeaders());
				pause(1950);
				catchThrowable(() -> client.get(peer.url("/second"), new HttpHeaders()));
				assertThat(peer.racesLost()).as(peer.history()).isOne();
			});
		}
	}

	/** Learning over TLS: a path that closes TLS connections idle for 1.5 s, behind an origin advertising nothing. */
	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void oneFailureOverTlsTeachesThePathsIdleTimeout(ClientKind kind) throws Exception {
		try (KeepAlivePeer peer = pathClosingIdleConnections()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.learn.probe=false").run((context) -> {
				Exchanger client = kind.exchanger(context);
				for (int i = 0; i < 4; i++) {
					pause((i == 0) ? 0 : 1700);
					assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
				}
				assertThat(peer.racesLost()).as("only the first gap hit the closed path: %s", peer.history()).isOne();
				Origin origin = context.getBean(Origins.class).all().iterator().next();
				assertThat(origin.effectiveIdleCutoffSource()).isEqualTo("learnt");
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withoutLearningEveryGapOverTlsNeedsAResend(ClientKind kind) throws Exception {
		try (KeepAlivePeer peer = pathClosingIdleConnections()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.learn.enabled=false").run((context) -> {
				Exchanger client = kind.exchanger(context);
				for (int i = 0; i < 3; i++) {
					pause((i == 0) ? 0 : 2000);
					assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
				}
				assertThat(peer.racesLost()).as(peer.history()).isEqualTo(2);
			});
		}
	}

	private static KeepAlivePeer pathClosingIdleConnections() throws Exception {
		return KeepAlivePeer.advertising(null).idleTimeout(Duration.ofMillis(1500)).raceWindow(Duration.ofSeconds(2)).tls().start();
	}

	private static KeepAlivePeer racingPeer() throws Exception {
		return KeepAlivePeer.advertising("timeout=2")
			.idleTimeout(Duration.ofMillis(1900))
			.raceWindow(Duration.ofMillis(600))
			.tls()
			.start();
	}

	private static HttpHeaders keyed(String id) {
		HttpHeaders headers = new HttpHeaders();
		headers.set("Idempotency-Key", id);
		headers.set("X-Request-Id", id);
		return headers;
	}

	private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
		for (Throwable t = failure; t != null; t = (t.getCause() != t) ? t.getCause() : null) {
			if (type.isInstance(t)) {
				return true;
			}
		}
		return false;
	}

}
