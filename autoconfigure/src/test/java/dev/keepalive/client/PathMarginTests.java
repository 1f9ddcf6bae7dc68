package dev.keepalive.client;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An origin's margin below its server's idle timeout: the floor plus the shortest recent round trip, within
 * the cap; the cap when nothing is measured yet, when it is fixed, and once a failure widened it.
 */
class PathMarginTests {

	private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

	private final PathMargin adaptive = new PathMargin(new KeepAlivePolicy.Margin(true, 50, 1000));

	@Test
	void isTheCapUntilTheFirstExchangeMeasuresThePath() {
		assertThat(this.adaptive.marginMillis()).isEqualTo(1000);
		assertThat(this.adaptive.reason()).isEqualTo("keepalive.client.safety-margin until the first exchange measures the path");
	}

	@Test
	void isTheFloorPlusTheShortestRecentRoundTrip() {
		long now = System.nanoTime();
		assertThat(this.adaptive.roundTrip(30 * MS, now)).as("the first").isTrue();
		assertThat(this.adaptive.roundTrip(12 * MS, now)).isFalse();
		this.adaptive.roundTrip(2500 * MS, now); // a slow answer does not widen it
		assertThat(this.adaptive.marginMillis()).isEqualTo(62);
		assertThat(this.adaptive.reason()).isEqualTo("50 ms floor + 12 ms shortest recent round trip");
	}

	@Test
	void aFirstRoundTripThatEndsAfterTheFirstWindowIsStillTheFirst() {
		// A long first answer: the origin's window began when its first request did.
		assertThat(this.adaptive.roundTrip(40_000 * MS, System.nanoTime() + PathMargin.WINDOW_NANOS)).isTrue();
		assertThat(this.adaptive.roundTrip(30 * MS, System.nanoTime() + PathMargin.WINDOW_NANOS)).isFalse();
	}

	@Test
	void neverExceedsTheCap() {
		this.adaptive.roundTrip(1500 * MS, System.nanoTime());
		assertThat(this.adaptive.marginMillis()).isEqualTo(1000);
		assertThat(this.adaptive.reason()).endsWith("capped by keepalive.client.safety-margin");
	}

	@Test
	void forgetsAShortRoundTripAfterTwoWindows() {
		long now = System.nanoTime();
		this.adaptive.roundTrip(5 * MS, now);
		this.adaptive.roundTrip(40 * MS, now + PathMargin.WINDOW_NANOS);
		assertThat(this.adaptive.shortestRoundTripMillis()).as("the last window still counts").isEqualTo(5);
		this.adaptive.roundTrip(40 * MS, now + 2 * PathMargin.WINDOW_NANOS);
		assertThat(this.adaptive.shortestRoundTripMillis()).isEqualTo(40);
	}

	@Test
	void staysAtTheCapOnceWidened() {
		this.adaptive.roundTrip(5 * MS, System.nanoTime());
		assertThat(this.adaptive.widen("a failure")).isTrue();
		assertThat(this.adaptive.widen("another")).isFalse();
		this.adaptive.roundTrip(1 * MS, System.nanoTime());
		assertThat(this.adaptive.marginMillis()).isEqualTo(1000);
		assertThat(this.adaptive.reason()).isEqualTo("widened to keepalive.client.safety-margin: a failure");
	}

	@Test
	void aFixedMarginIsTheCapWhateverThePath() {
		PathMargin fixed = new PathMargin(new KeepAlivePolicy.Margin(false, 50, 1000));
		assertThat(fixed.roundTrip(5 * MS, System.nanoTime())).isFalse();
		assertThat(fixed.marginMillis()).isEqualTo(1000);
		assertThat(fixed.widen("a failure")).isFalse();
		assertThat(fixed.reason()).isEqualTo("fixed: keepalive.client.safety-margin");
	}

}
