package dev.keepalive.interop;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Where a server closes an idle connection, in ms after its last response byte: first as measured before the
 * races, then as the races' relays see it. Measured on a quiet machine and seen under the load of fifty
 * clients starting, the two can differ by a few ms, half the race window: the relays see every close as it
 * happens, on the same clock for the response and the FIN.
 */
final class CloseEstimate {

	/** The closes the estimate follows: the most recent ones. */
	private static final int RECENT = 15;

	private final long[] measured;

	private final Deque<Long> seen = new ArrayDeque<>();

	CloseEstimate(long[] measured) {
		this.measured = measured.clone();
		Arrays.sort(this.measured);
	}

	/** A close a relay saw. */
	synchronized void seen(long millis) {
		this.seen.addLast(millis);
		if (this.seen.size() > RECENT) {
			this.seen.removeFirst();
		}
	}

	/** The median of the recent closes the relays saw, or of the measured ones while they saw fewer than 3. */
	synchronized long millis() {
		long[] closes = (this.seen.size() >= 3) ? this.seen.stream().mapToLong(Long::longValue).sorted().toArray()
				: this.measured;
		return closes[closes.length / 2];
	}

	/** The median of the measured closes. */
	long measuredMillis() {
		return this.measured[this.measured.length / 2];
	}

	@Override
	public synchronized String toString() {
		return "measured " + Arrays.toString(this.measured) + " ms, seen by the relays " + this.seen + " ms";
	}

}
