package dev.keepalive.client;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One connection's reading of what its server advertises, across its responses, and an origin's evidence,
 * without a network: {@code max} counted down (Apache httpd) or repeated (Node), and a failure that does or
 * does not contradict the header.
 */
class ConnectionReuseStateTests {

	private final Origins origins = new Origins(new KeepAlivePolicy(new KeepAliveClientProperties()));

	@Test
	void aMaxThatCountsDownIsWhatRemainsAfterThatResponse() {
		ConnectionReuseState state = new ConnectionReuseState(origin("apache.example"));
		respond(state, "timeout=5, max=10");
		assertThat(state.limits().maxRequests()).as("unsure after one response: the smaller reading").isEqualTo(10);
		respond(state, "timeout=5, max=9");
		assertThat(state.limits().maxRequests()).as("2 carried, 9 more").isEqualTo(11);
		respond(state, "timeout=5, max=8");
		assertThat(state.limits().maxRequests()).isEqualTo(11);
	}

	@Test
	void aMaxThatRepeatsIsTheTotal() {
		ConnectionReuseState state = new ConnectionReuseState(origin("node.example"));
		for (int i = 0; i < 3; i++) {
			respond(state, "timeout=5, max=3");
			assertThat(state.limits().maxRequests()).isEqualTo(3);
		}
	}

	@Test
	void aMaxThatFallsByMoreThanTheRequestsMadeIsNotACountdown() {
		ConnectionReuseState state = new ConnectionReuseState(origin("odd.example"));
		respond(state, "max=10");
		respond(state, "max=5");
		assertThat(state.limits().maxRequests()).isEqualTo(5);
	}

	@Test
	void aFailureInsideTheAdvertisedCutoffOverrulesTheHeader() {
		Origin origin = origin("proxied.example");
		ConnectionReuseState state = new ConnectionReuseState(origin);
		respond(state, "timeout=30");
		origin.reusedConnectionFailed(2000, state.limits());
		assertThat(origin.learntIdleCutoffMillis()).isEqualTo(1000);
		assertThat(state.idleCutoffMillis()).isEqualTo(1000);
		assertThat(origin.effectiveIdleCutoffSource()).isEqualTo("learnt");
		assertThat(origin.learntIdleCutoffReason()).startsWith("proxied.example:80 advertised Keep-Alive: timeout=30 "
				+ "(reused up to " + (30_000 - origin.safetyMarginMillis()) + " ms), but a connection reused after "
				+ "2000 ms idle was closed");
	}

	@Test
	void aTruthfulHeaderIsNotLoweredByAFailureAboveItsCutoff() {
		Origin origin = origin("truthful.example");
		ConnectionReuseState state = new ConnectionReuseState(origin);
		respond(state, "timeout=2");
		// Reused past the 1 s cutoff (a GC pause, say) and closed by the server: the header was right.
		origin.reusedConnectionFailed(1500, state.limits());
		assertThat(origin.learntIdleCutoffMillis()).isEqualTo(Long.MAX_VALUE);
		assertThat(origin.effectiveIdleCutoffSource()).isEqualTo("advertised");
	}

	@Test
	void aProbeAliveAfterTheIdleTimeThatFailedLiftsTheCutoffAndOneAliveBelowItDoesNot() {
		Origin origin = origin("restarted.example");
		ConnectionReuseState state = new ConnectionReuseState(origin);
		origin.reusedConnectionFailed(300, state.limits());
		assertThat(origin.learntIdleCutoffMillis()).as("the floor").isEqualTo(1000);
		origin.probeSucceeded(250);
		origin.probeSucceeded(390);
		assertThat(origin.learntIdleCutoffMillis()).as("not clearly past 300 ms").isEqualTo(1000);
		origin.probeSucceeded(2000);
		assertThat(origin.learntIdleCutoffMillis()).isEqualTo(Long.MAX_VALUE);
		assertThat(origin.learntIdleCutoffRaisedAtMillis()).isPositive();
		assertThat(origin.learntIdleCutoffReason()).contains("alive after 2000 ms idle, where one idle 300 ms had failed");
	}

	@Test
	void theIdleClockRunsFromWhenTheLastRequestStarted() {
		ConnectionReuseState state = new ConnectionReuseState(origin("slow.example"));
		long start = respond(state, "timeout=3");
		// A 2.5 s answer, then 1.2 s idle: 3.7 s by a server that counts from its last read of the request.
		long now = start + TimeUnit.MILLISECONDS.toNanos(3700);
		assertThat(state.idleMillis(now)).isEqualTo(3700);
		assertThat(state.discardReason(state.idleMillis(now), 1, 3700, Long.MAX_VALUE, 1))
			.isEqualTo(DiscardReason.ADVERTISED_TIMEOUT);
	}

	@Test
	void aRequestIsStoppedBeforeItsFirstByteWhenTheConnectionExpiredAfterThePoolHandedItOut() {
		Origin origin = origin("paused.example");
		ConnectionReuseState state = new ConnectionReuseState(origin);
		long start = respond(state, "timeout=2");
		// Handed out at 1.5 s, written at 2.1 s (a GC pause in between): the server is closing it.
		ExchangeFacts paused = new ExchangeFacts();
		assertThat(state.requestStarted(paused, start + TimeUnit.MILLISECONDS.toNanos(2100))).isFalse();
		assertThat(paused.wasUnsent()).isTrue();
		assertThat(state.unsent(paused)).hasMessageContaining("idle for 2100 ms, past its idle cutoff of");
		assertThat(origin.discarded(DiscardReason.ADVERTISED_TIMEOUT)).isOne();
	}

	@Test
	void aRequestWhoseBodyCannotBeWrittenAgainGoesOutRatherThanFail() {
		ConnectionReuseState state = new ConnectionReuseState(origin("streamed.example"));
		long start = respond(state, "timeout=2");
		ExchangeFacts streamed = new ExchangeFacts();
		streamed.streamedBody();
		assertThat(state.requestStarted(streamed, start + TimeUnit.MILLISECONDS.toNanos(2100))).isTrue();
		assertThat(streamed.wasUnsent()).isFalse();
	}

	@Test
	void aFailureJustInsideTheAdaptiveCutoffWidensTheMarginInsteadOfLoweringTheCutoff() {
		Origin origin = origin("jittery.example");
		ConnectionReuseState state = new ConnectionReuseState(origin);
		respond(state, "timeout=5");
		long margin = origin.safetyMarginMillis();
		assertThat(margin).isLessThan(1000);
		assertThat(origin.effectiveIdleCutoffMillis()).isEqualTo(5000 - margin);
		origin.reusedConnectionFailed(4900 - margin, state.limits());
		assertThat(origin.safetyMarginMillis()).isEqualTo(1000);
		assertThat(origin.safetyMarginReason()).startsWith("widened to keepalive.client.safety-margin: a connection "
				+ "reused after " + (4900 - margin) + " ms idle");
		assertThat(origin.learntIdleCutoffMillis()).isEqualTo(Long.MAX_VALUE);
		assertThat(origin.effectiveIdleCutoffMillis()).isEqualTo(4000);
		// Further below the timeout, the header is contradicted: that is learnt, as before.
		origin.reusedConnectionFailed(2500, state.limits());
		assertThat(origin.learntIdleCutoffMillis()).isEqualTo(1500);
	}

	private Origin origin(String host) {
		return this.origins.forAddress(ClientEngine.REACTOR_NETTY, "http", host, 80);
	}

	/** One exchange on the connection; when its request started ({@link System#nanoTime()}). */
	private static long respond(ConnectionReuseState state, String keepAlive) {
		long start = System.nanoTime();
		state.requestStarted(null, start);
		state.responseStarted();
		state.advertised(keepAlive);
		return start;
	}

}
