package dev.keepalive.client;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What failures and probes taught about the idle timeout of the path to one origin, whatever the origin
 * advertises: a stale failure of a connection reused after {@code A} ms idle, inside the cutoff its source
 * allowed, lowers the cutoff below {@code A}; a probe that finds a connection alive after clearly longer than
 * the shortest {@code A} that failed (10 % and at least 100 ms longer: the client measures idle time a little
 * differently from the path) refutes it (a restart or deploy killed the connections, or the path's timeout was
 * raised) and lifts it. A path that really cuts at {@code T} fails only connections idle {@code T} or more and
 * keeps only those idle less, so it cannot refute itself.
 * <p>
 * A probe is a request that may be resent (idempotent or keyed, its body replayable) sent on a connection
 * idle past the learnt cutoff: if the path did close it, the request goes out again on a new connection, so
 * no caller pays. At most one probe per {@link #probeIntervalNanos} and origin. Reads are volatile; the
 * rare writes (a failure, a probe's result) synchronize.
 */
final class LearntCutoff {

	private final KeepAlivePolicy.Learning learning;

	private final long probeIntervalNanos;

	/** The cutoff in force, {@link Long#MAX_VALUE} when nothing was learnt. */
	private volatile long cutoffMillis = Long.MAX_VALUE;

	/** The shortest idle time after which a reused connection failed since the cutoff was set. */
	private long failedIdleMillis = Long.MAX_VALUE;

	private volatile String reason;

	private volatile long loweredAtMillis = -1;

	private volatile long raisedAtMillis = -1;

	private final AtomicLong lastProbeNanos = new AtomicLong(System.nanoTime() - TimeUnit.DAYS.toNanos(1));

	LearntCutoff(KeepAlivePolicy.Learning learning) {
		this.learning = learning;
		this.probeIntervalNanos = TimeUnit.MILLISECONDS.toNanos(learning.probeIntervalMillis());
	}

	long cutoffMillis() {
		return this.cutoffMillis;
	}

	String reason() {
		return this.reason;
	}

	long loweredAtMillis() {
		return this.loweredAtMillis;
	}

	long raisedAtMillis() {
		return this.raisedAtMillis;
	}

	/**
	 * A connection reused after {@code idleMillis} failed before any response byte, while its source allowed
	 * {@code allowedMillis}. {@code why} is asked only when the cutoff drops (failed probes repeat).
	 * @return the new cutoff, or -1 if it did not change
	 */
	synchronized long failed(long idleMillis, long allowedMillis, Supplier<String> why) {
		if (!this.learning.enabled() || idleMillis <= 0 || idleMillis >= allowedMillis) {
			// Past what its source allowed: the connection should not have been reused; nothing to learn.
			return -1;
		}
		this.failedIdleMillis = Math.min(this.failedIdleMillis, idleMillis);
		long cutoff = this.learning.cutoffBelow(idleMillis);
		if (cutoff >= this.cutoffMillis) {
			return -1;
		}
		this.cutoffMillis = cutoff;
		this.reason = why.get();
		this.loweredAtMillis = System.currentTimeMillis();
		return cutoff;
	}

	/**
	 * Whether a request that may be resent may try a connection idle past the cutoff now: one probe per
	 * interval.
	 */
	boolean tryProbe() {
		long last = this.lastProbeNanos.get();
		long now = System.nanoTime();
		return now - last >= this.probeIntervalNanos && this.lastProbeNanos.compareAndSet(last, now);
	}

	/** How long a connection must be found alive to refute a failure after {@code failedIdleMillis}. */
	static long refutingIdleMillis(long failedIdleMillis) {
		return failedIdleMillis + Math.max(100, failedIdleMillis / 10);
	}

	/**
	 * A probe found a connection alive after {@code idleMillis}.
	 * @return {@code true} if that lifted the cutoff
	 */
	synchronized boolean probeSucceeded(long idleMillis) {
		if (this.cutoffMillis == Long.MAX_VALUE || idleMillis < refutingIdleMillis(this.failedIdleMillis)) {
			// Alive below (or about at) the idle time that failed: consistent with what was learnt.
			return false;
		}
		this.reason = "a probe found a connection alive after " + idleMillis + " ms idle, where one idle "
				+ this.failedIdleMillis + " ms had failed";
		this.cutoffMillis = Long.MAX_VALUE;
		this.failedIdleMillis = Long.MAX_VALUE;
		this.raisedAtMillis = System.currentTimeMillis();
		return true;
	}

}
