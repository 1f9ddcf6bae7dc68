package dev.keepalive.client;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Resets and resends over the last five minutes, in one-minute buckets: what the health indicator shows.
 * Lock-free and approximate: a bucket is cleared when its minute comes round again, and a count that races
 * that clearing may be lost.
 */
public final class RecentActivity {

	private static final int MINUTES = 5;

	private final AtomicLongArray minutes = new AtomicLongArray(MINUTES);

	private final AtomicLongArray resets = new AtomicLongArray(MINUTES);

	private final AtomicLongArray resends = new AtomicLongArray(MINUTES);

	void reset(boolean resent, long nowMillis) {
		int slot = slot(nowMillis);
		this.resets.incrementAndGet(slot);
		if (resent) {
			this.resends.incrementAndGet(slot);
		}
	}

	/**
	 * Connection-level failures in the last five minutes.
	 * @param nowMillis the current time
	 * @return the count
	 */
	public long resets(long nowMillis) {
		return sum(this.resets, nowMillis);
	}

	/**
	 * Resends in the last five minutes.
	 * @param nowMillis the current time
	 * @return the count
	 */
	public long resends(long nowMillis) {
		return sum(this.resends, nowMillis);
	}

	private int slot(long nowMillis) {
		long minute = nowMillis / 60_000;
		int slot = (int) (minute % MINUTES);
		long seen = this.minutes.get(slot);
		if (seen != minute && this.minutes.compareAndSet(slot, seen, minute)) {
			this.resets.set(slot, 0);
			this.resends.set(slot, 0);
		}
		return slot;
	}

	private long sum(AtomicLongArray counts, long nowMillis) {
		long minute = nowMillis / 60_000;
		long total = 0;
		for (int slot = 0; slot < MINUTES; slot++) {
			if (minute - this.minutes.get(slot) < MINUTES) {
				total += counts.get(slot);
			}
		}
		return total;
	}

}
