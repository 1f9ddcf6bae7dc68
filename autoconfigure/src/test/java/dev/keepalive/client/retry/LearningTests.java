package dev.keepalive.client.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.keepalive.client.DiscardReason;
import dev.keepalive.client.Origin;
import dev.keepalive.client.Origins;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.KeepAlivePeer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Learning from failures: a path that closes idle connections at 1.5 s (a load balancer, say) behind an
 * origin that advertises nothing. The peer emulates it exactly: a request that reaches a connection idle for
 * 1.5 s or more is reset, as if the close were still on its way.
 */
class LearningTests {

	private static final Duration PATH_IDLE_TIMEOUT = Duration.ofMillis(1500);

	private final ApplicationContextRunner runner = ClientContext.runner();

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void oneFailureTeachesThePathsIdleTimeout(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = pathClosingIdleConnections(null)) {
			// Without probes, which would try (and fail, and resend) a connection idle past the cutoff.
			kind.on(this.runner).withPropertyValues("keepalive.client.learn.probe=false").run((context) -> {
				requestsAfterGapsOf(1700, 4, kind.client(context), peer);
				assertThat(peer.racesLost()).as("reused connections that hit the closed path: %s", peer.history()).isEqualTo(1);
				Origin origin = context.getBean(Origins.class).all().iterator().next();
				assertThat(origin.learntIdleCutoffMillis()).as("1.7 s less the margin, raised to the floor").isEqualTo(1000);
				assertThat(origin.effectiveIdleCutoffSource()).isEqualTo("learnt");
				assertThat(origin.discarded(DiscardReason.LEARNT_TIMEOUT)).isPositive();
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withoutLearningEveryGapPastThePathsTimeoutNeedsAResend(ClientKind kind) throws IOException {
		try (KeepAlivePeer peer = pathClosingIdleConnections(null)) {
			kind.on(this.runner).withPropertyValues("keepalive.client.learn.enabled=false").run((context) -> {
				// 2 s: past the path's 1.5 s however late the peer's thread runs (it counts idle time from before
				// its answer), and 1.5 s short of its real close at 3.5 s, for a test thread that wakes late.
				requestsAfterGapsOf(2000, 4, kind.client(context), peer);
				assertThat(peer.racesLost()).as(peer.history()).isEqualTo(3);
			});
		}
	}

	@Test
	void anAdvertisedTimeoutThatAFailureContradictsIsOverruled() throws IOException {
		// The origin claims 5 s (reused up to 5 s less the margin); the path cuts at 1.5 s: the evidence wins.
		try (KeepAlivePeer peer = pathClosingIdleConnections("timeout=5")) {
			this.runner.withPropertyValues("keepalive.client.learn.probe=false").run((context) -> {
				requestsAfterGapsOf(1700, 3, ClientKind.REST_CLIENT.client(context), peer);
				assertThat(peer.racesLost()).as(peer.history()).isEqualTo(1);
				Origin origin = context.getBean(Origins.class).all().iterator().next();
				assertThat(origin.effectiveIdleCutoffSource()).isEqualTo("learnt");
				// Reused up to 5 s less the margin the path had then: between 4000 and 4950 ms.
				assertThat(origin.learntIdleCutoffReason())
					.containsPattern("advertised Keep-Alive: timeout=5 \\(reused up to 4\\d{3} ms\\)");
			});
		}
	}

	@Test
	void learningNeverGoesBelowTheFloor() throws IOException {
		try (KeepAlivePeer peer = pathClosingIdleConnections(null)) {
			this.runner.withPropertyValues("keepalive.client.learn.min-idle-timeout=1800ms").run((context) -> {
				// Learnt: 1.8 s, not 0.7 s, so a 1.7 s gap still reuses and still needs a resend.
				requestsAfterGapsOf(1700, 3, ClientKind.REST_CLIENT.client(context), peer);
				assertThat(peer.racesLost()).as(peer.history()).isEqualTo(2);
			});
		}
	}

	@Test
	void aHundredGetsAroundThePathsTimeout() throws IOException {
		try (KeepAlivePeer peer = pathClosingIdleConnections(null)) {
			this.runner.run((context) -> {
				Function<String, String> client = ClientKind.REST_CLIENT.client(context);
				int firstHalfRaces = 0;
				long secondHalfStart = 0;
				for (int i = 0; i < 100; i++) {
					// Gaps spread over 1.2-2.0 s, on both sides of the path's 1.5 s.
					ClientContext.pause(1200 + (i * 83L) % 801);
					assertThat(client.apply(peer.url("/"))).isEqualTo("ok");
					if (i == 49) {
						firstHalfRaces = peer.racesLost();
						secondHalfStart = System.nanoTime();
					}
				}
				// Every request succeeded. What the path reset later were probes (GETs may be sent again), at
				// most one per probe interval (2 s), each resent.
				long probeSlots = (System.nanoTime() - secondHalfStart) / 2_000_000_000L + 1;
				assertThat(peer.racesLost() - firstHalfRaces).as("resent probes in the last 50: %s", peer.history())
					.isLessThanOrEqualTo((int) probeSlots);
			});
		}
	}

	private static KeepAlivePeer pathClosingIdleConnections(String keepAlive) throws IOException {
		return KeepAlivePeer.advertising(keepAlive)
			.idleTimeout(PATH_IDLE_TIMEOUT)
			.raceWindow(Duration.ofSeconds(2))
			.start();
	}

	/** Every request must succeed: the ones that hit the closed path are resent. */
	private static void requestsAfterGapsOf(long gapMillis, int requests, Function<String, String> client,
			KeepAlivePeer peer) {
		assertThat(client.apply(peer.url("/"))).isEqualTo("ok");
		for (int i = 1; i < requests; i++) {
			ClientContext.pause(gapMillis);
			assertThat(client.apply(peer.url("/"))).isEqualTo("ok");
		}
	}

}
