package dev.keepalive.client;

import java.util.concurrent.TimeUnit;

/**
 * The margin one origin's connections keep below its server's idle timeout.
 * <p>
 * The idle clock of a connection runs from the moment its last request started to be written. Whether the
 * server counts its timeout from its last read of that request or from the end of its response, it starts
 * no sooner than the request arrived, so it closes no sooner than {@code N} plus that request's one-way delay
 * {@code d1} after the client's clock started. A request written after {@code N - m} arrives at
 * {@code N - m + d2}: in time while {@code m > d2 - d1}, the change in one-way delay between the two requests.
 * Adaptive, the margin is therefore the floor (timer and scheduling jitter, tens of ms) plus the shortest
 * round trip the origin's exchanges took recently (request written to response headers, over the last 30 to
 * 60 s): slack for a one-way delay that doubles between two requests. It is never more than the cap
 * ({@code safety-margin}); before the first exchange, and once a connection failed inside its cutoff (the
 * path needs more than it shows), it is the cap. Fixed, it is the cap.
 * <p>
 * Lock-free: a response writes only when it sets a new shortest round trip or starts a window; races
 * between them lose a sample, never the estimate.
 */
final class PathMargin {

	/** The shortest round trip of the last one or two windows counts: a route change is forgotten in a minute. */
	static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);

	private final KeepAlivePolicy.Margin settings;

	private volatile long windowStartNanos = System.nanoTime();

	private volatile long windowMinNanos = Long.MAX_VALUE;

	private volatile long previousMinNanos = Long.MAX_VALUE;

	/** Why the margin is the cap for good, once a failure showed the path needs more; {@code null} before. */
	private volatile String widened;

	PathMargin(KeepAlivePolicy.Margin settings) {
		this.settings = settings;
	}

	/**
	 * An exchange's round trip: from the moment its request started to be written to its response headers.
	 * @param roundTripNanos the round trip, ns
	 * @param nowNanos {@link System#nanoTime()}
	 * @return {@code true} if it was the origin's first
	 */
	boolean roundTrip(long roundTripNanos, long nowNanos) {
		if (!this.settings.adaptive()) {
			return false;
		}
		long min = this.windowMinNanos;
		boolean first = min == Long.MAX_VALUE && this.previousMinNanos == Long.MAX_VALUE;
		if (nowNanos - this.windowStartNanos >= WINDOW_NANOS) {
			this.previousMinNanos = min;
			this.windowMinNanos = roundTripNanos;
			this.windowStartNanos = nowNanos;
		}
		else if (roundTripNanos < min) {
			this.windowMinNanos = roundTripNanos;
		}
		return first;
	}

	/**
	 * The shortest recent round trip.
	 * @return ms (rounded up), or -1 before the first exchange
	 */
	long shortestRoundTripMillis() {
		long min = Math.min(this.windowMinNanos, this.previousMinNanos);
		return (min == Long.MAX_VALUE) ? -1 : (min + 999_999) / 1_000_000;
	}

	/**
	 * The margin in force.
	 * @return ms, between the floor and the cap
	 */
	long marginMillis() {
		if (!this.settings.adaptive() || this.widened != null) {
			return this.settings.capMillis();
		}
		long roundTrip = shortestRoundTripMillis();
		return (roundTrip < 0) ? this.settings.capMillis()
				: Math.min(this.settings.capMillis(), this.settings.floorMillis() + roundTrip);
	}

	/**
	 * Why the margin is what it is.
	 * @return the reason in words
	 */
	String reason() {
		if (!this.settings.adaptive()) {
			return "fixed: " + KeepAliveClientProperties.PREFIX + ".safety-margin";
		}
		String widened = this.widened;
		if (widened != null) {
			return "widened to " + KeepAliveClientProperties.PREFIX + ".safety-margin: " + widened;
		}
		long roundTrip = shortestRoundTripMillis();
		if (roundTrip < 0) {
			return KeepAliveClientProperties.PREFIX + ".safety-margin until the first exchange measures the path";
		}
		String adaptive = this.settings.floorMillis() + " ms floor + " + roundTrip + " ms shortest recent round trip";
		return (this.settings.floorMillis() + roundTrip > this.settings.capMillis())
				? adaptive + ", capped by " + KeepAliveClientProperties.PREFIX + ".safety-margin" : adaptive;
	}

	/**
	 * A connection failed inside its cutoff, within the cap of its server's timeout: the path needs more margin
	 * than it shows; the cap holds from now on.
	 * @param why what failed
	 * @return {@code true} if that widened the margin
	 */
	synchronized boolean widen(String why) {
		if (!this.settings.adaptive() || this.widened != null) {
			return false;
		}
		this.widened = why;
		return true;
	}

	boolean isWidened() {
		return this.widened != null;
	}

}
