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

	@Test
	void anHttp2ConnectionIsIdleOnlyWithoutAStreamAndFromTheEndOfItsLast() {
		ConnectionReuseState state = new ConnectionReuseState(origin("h2.example"), "h2c", true);
		long start = System.nanoTime();
		ExchangeFacts first = new ExchangeFacts();
		ExchangeFacts second = new ExchangeFacts();
		assertThat(state.requestStarted(first, start)).isTrue();
		assertThat(state.requestStarted(second, start + TimeUnit.MILLISECONDS.toNanos(10))).isTrue();
		assertThat(first.reused()).isFalse();
		assertThat(second.reused()).as("the TCP connection already carried a stream").isTrue();
		assertThat(state.activeStreams()).isEqualTo(2);
		// A long stream keeps the connection busy, however long ago it started.
		assertThat(state.idleMillis(start + TimeUnit.SECONDS.toNanos(30))).isZero();
		state.streamEnded(start + TimeUnit.MILLISECONDS.toNanos(500));
		assertThat(state.idleMillis(start + TimeUnit.SECONDS.toNanos(30))).isZero();
		state.streamEnded(start + TimeUnit.MILLISECONDS.toNanos(2000));
		assertThat(state.idleMillis(start + TimeUnit.MILLISECONDS.toNanos(2700))).isEqualTo(700);
	}

	@Test
	void twoStreamsInFlightKeepTheirOwnFacts() {
		ConnectionReuseState state = new ConnectionReuseState(origin("streams.example"), "h2", true);
		long start = System.nanoTime();
		ExchangeFacts slow = new ExchangeFacts();
		ExchangeFacts fast = new ExchangeFacts();
		state.requestStarted(slow, start);
		state.requestStarted(fast, start + 1);
		state.responseStarted(fast, start + 1);
		assertThat(fast.headersReceived()).isTrue();
		assertThat(slow.headersReceived()).as("the other stream's answer is not this one's").isFalse();
		state.responseStarted(slow, start);
		assertThat(slow.headersReceived()).isTrue();
	}

	@Test
	void aGoAwayThatClosesAnIdleHttp2ConnectionTeachesItsOrigin() {
		Origin origin = origin("goaway.example");
		ConnectionReuseState state = new ConnectionReuseState(origin, "h2c", true);
		long start = System.nanoTime();
		state.requestStarted(null, start);
		state.responseStarted(null, start);
		state.streamEnded(start);
		state.goAwayWhileIdle(start + TimeUnit.MILLISECONDS.toNanos(2500));
		assertThat(origin.learntIdleCutoffMillis()).isLessThan(2500);
	}

	@Test
	void aGoAwayWhileStreamsAreOpenTeachesNothing() {
		Origin origin = origin("busy.example");
		ConnectionReuseState state = new ConnectionReuseState(origin, "h2c", true);
		long start = System.nanoTime();
		state.requestStarted(null, start);
		state.goAwayWhileIdle(start + TimeUnit.MILLISECONDS.toNanos(2500));
		assertThat(origin.learntIdleCutoffMillis()).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void aBusyHttp2ConnectionThatBreaksTeachesNoIdleCutoff() {
		Origin origin = origin("crashed.example");
		ConnectionReuseState state = new ConnectionReuseState(origin, "h2c", true);
		long start = System.nanoTime();
		state.requestStarted(new ExchangeFacts(), start);
		ExchangeFacts second = new ExchangeFacts();
		state.requestStarted(second, start + 1);
		second.reusedConnectionFailed();
		assertThat(origin.learntIdleCutoffMillis()).isEqualTo(Long.MAX_VALUE);
		assertThat(origin.staleSinceMillis()).as("its idle siblings are still suspect").isPositive();
	}

	@Test
	void enhanceYourCalmDoublesThePingIntervalUpToSixteenTimes() {
		Origin origin = origin("calm.example");
		assertThat(origin.pingIntervalMillis(30_000)).isEqualTo(30_000);
		origin.goAwayReceived(0x0);
		assertThat(origin.pingIntervalMillis(30_000)).as("NO_ERROR is no complaint").isEqualTo(30_000);
		origin.goAwayReceived(0xb);
		assertThat(origin.pingIntervalMillis(30_000)).isEqualTo(60_000);
		for (int i = 0; i < 10; i++) {
			origin.goAwayReceived(0xb);
		}
		assertThat(origin.pingIntervalMillis(30_000)).isEqualTo(480_000);
		assertThat(origin.goAways()).isEqualTo(12);
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
