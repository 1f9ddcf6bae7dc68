package dev.keepalive.client.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.keepalive.client.DiscardReason;
import dev.keepalive.client.Origin;
import dev.keepalive.client.Origins;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Learning that follows the evidence, on every client kind: a header that failures contradict is overruled,
 * a restart is not a timeout, a learnt cutoff comes back up once probes (requests that may be sent again)
 * find connections alive, and a request that may not be sent again never meets a connection idle past the
 * learnt cutoff.
 */
class EvidenceTests {

	private final ApplicationContextRunner runner = ClientContext.runner();

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aHeaderThatFailuresContradictIsOverruledAndNoPostFailsOnceLearnt(ClientKind kind) throws IOException {
		// A proxy closes idle connections at 2 s and passes on its backend's "timeout=30".
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30")
			.idleTimeout(Duration.ofSeconds(2))
			.raceWindow(Duration.ofSeconds(1))
			.start()) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				List<Integer> failedPosts = new ArrayList<>();
				int succeeded = 0;
				for (int i = 0; i < 60; i++) {
					boolean post = i % 2 == 1;
					try {
						client.exchange(post ? HttpMethod.POST : HttpMethod.GET, peer.url("/"), new HttpHeaders(),
								post ? "order" : null);
						succeeded++;
					}
					catch (RuntimeException ex) {
						assertThat(post).as("a GET failed: %s", ex).isTrue();
						failedPosts.add(i);
					}
					// 1970-2030 ms: around the path's close, far below the 29 s the header allows.
					ClientContext.pause(1970 + (i * 17L) % 61);
				}
				assertThat(failedPosts).as("POSTs that failed; the peer saw %s", peer.history()).hasSizeLessThanOrEqualTo(3)
					.allSatisfy((i) -> assertThat(i).isLessThan(6));
				assertThat(peer.requests()).as("each request executed once").isEqualTo(succeeded);
				Origin origin = context.getBean(Origins.class).all().iterator().next();
				assertThat(origin.effectiveIdleCutoffSource()).isEqualTo("learnt");
				assertThat(origin.learntIdleCutoffReason()).contains("advertised Keep-Alive: timeout=30");
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aLearntCutoffComesBackUpOnceThePathKeepsConnectionsAgain(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising(null)
			.idleTimeout(Duration.ofSeconds(2))
			.raceWindow(Duration.ofSeconds(1))
			.start()) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				for (int i = 0; i < 20; i++) {
					try {
						exchange(client, peer, i);
					}
					catch (RuntimeException ex) {
						// A POST that met the path's close before the cutoff was learnt: not what is tested here.
					}
					ClientContext.pause(2050);
				}
				assertThat(peer.racesLost()).as(peer.history()).isPositive();
				peer.idleTimeout(Duration.ofSeconds(10));
				int connectionsAtSwitch = peer.connections();
				int racesAtSwitch = peer.racesLost();
				for (int i = 0; i < 50; i++) {
					exchange(client, peer, i);
					// Clearly past the 2.05 s that failed (counted from the request, plus that exchange's own time,
					// and more on a loaded machine): a probe alive after that long refutes it.
					ClientContext.pause(2500);
				}
				assertThat(peer.racesLost()).as("failures after the switch").isEqualTo(racesAtSwitch);
				Origin origin = context.getBean(Origins.class).all().iterator().next();
				assertThat(peer.connections() - connectionsAtSwitch).as("new connections in the last 50 (discarded: %s): %s",
						discards(origin), peer.history()).isLessThanOrEqualTo(5);
				assertThat(origin.learntIdleCutoffMillis()).isEqualTo(Long.MAX_VALUE);
				assertThat(origin.learntIdleCutoffRaisedAtMillis()).isPositive();
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aRestartLeavesNoLastingCutoff(ClientKind kind) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start((request) -> request.stale() ? Action.RESET : Action.OK)) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				ClientContext.pause(300);
				peer.restart();
				// The stale connection is reset; the GET is resent; the origin's cutoff drops to the floor.
				assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
				for (int i = 0; i < 10; i++) {
					ClientContext.pause(2000);
					assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
				}
				Origin origin = context.getBean(Origins.class).all().iterator().next();
				assertThat(origin.learntIdleCutoffMillis()).as("the restart's cutoff is lifted").isEqualTo(Long.MAX_VALUE);
				int connections = peer.connections();
				for (int i = 0; i < 3; i++) {
					ClientContext.pause(2000);
					assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
				}
				assertThat(peer.connections()).as("reused after 2 s gaps again").isEqualTo(connections);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aPostNeverMeetsAConnectionIdlePastTheLearntCutoff(ClientKind kind) throws IOException {
		// The path cuts at 1.5 s; once that is learnt (cutoff 1 s), POSTs 1.7 s apart must each get another
		// connection: the pool may keep older ones for probes, but never writes a POST on them.
		try (KeepAlivePeer peer = KeepAlivePeer.advertising(null)
			.idleTimeout(Duration.ofMillis(1500))
			.raceWindow(Duration.ofSeconds(2))
			.start()) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/"), new HttpHeaders());
				ClientContext.pause(1700);
				client.get(peer.url("/"), new HttpHeaders()); // fails on the path, is resent: learnt
				int racesLearnt = peer.racesLost();
				for (int i = 0; i < 5; i++) {
					ClientContext.pause(1700);
					assertThat(client.exchange(HttpMethod.POST, peer.url("/"), new HttpHeaders(), "order")).isEqualTo("ok");
				}
				assertThat(racesLearnt).isEqualTo(1);
				assertThat(peer.racesLost()).as("POSTs on a connection the path closed: %s", peer.history())
					.isEqualTo(racesLearnt);
			});
		}
	}

	private static String discards(Origin origin) {
		StringBuilder discards = new StringBuilder();
		for (DiscardReason reason : DiscardReason.values()) {
			discards.append(reason.tag()).append('=').append(origin.discarded(reason)).append(' ');
		}
		return discards.toString().trim();
	}

	private static void exchange(Exchanger client, KeepAlivePeer peer, int i) {
		boolean post = i % 2 == 1;
		client.exchange(post ? HttpMethod.POST : HttpMethod.GET, peer.url("/"), new HttpHeaders(), post ? "order" : null);
	}

}
