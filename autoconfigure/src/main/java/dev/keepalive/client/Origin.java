package dev.keepalive.client;

import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.keepalive.client.KeepAlivePolicy.OriginPolicy;

/**
 * One origin ({@code host:port}) one engine's pool talks to: its configured policy, what its connections advertised,
 * what failures of its reused connections taught, and counts of what happened. Thread-safe; counters are
 * lock-free, and the only lock is on the rare learning path.
 */
public final class Origin {

	private static final Log logger = LogFactory.getLog(Origin.class);

	private final String key;

	private final ClientEngine engine;

	private final OriginPolicy policy;

	private final KeepAlivePolicy.Learning learning;

	private final KeepAliveClientEvents events;

	private final RecentActivity recent;

	private final LongAdder[] discards = new LongAdder[DiscardReason.values().length];

	private final LongAdder resets = new LongAdder();

	private final LongAdder resends = new LongAdder();

	private volatile long learntIdleCutoffMillis = Long.MAX_VALUE;

	private volatile long staleSinceMillis = Long.MIN_VALUE;

	private volatile long lastResetMillis = -1;

	private volatile long advertisedTimeoutSeconds = -1;

	private volatile ReuseLimits lastLimits;

	Origin(String key, ClientEngine engine, OriginPolicy policy, KeepAlivePolicy.Learning learning,
			KeepAliveClientEvents events, RecentActivity recent) {
		this.key = key;
		this.engine = engine;
		this.policy = policy;
		this.learning = learning;
		this.events = events;
		this.recent = recent;
		this.lastLimits = policy.limits(null);
		for (int i = 0; i < this.discards.length; i++) {
			this.discards[i] = new LongAdder();
		}
	}

	/**
	 * The origin as {@code host:port}.
	 * @return the key
	 */
	public String key() {
		return this.key;
	}

	/**
	 * The engine whose pool holds this origin's connections: each engine's pool learns on its own.
	 * @return the engine
	 */
	public ClientEngine engine() {
		return this.engine;
	}

	OriginPolicy policy() {
		return this.policy;
	}

	/**
	 * The idle cutoff learnt from failures, applied to connections whose server advertises nothing.
	 * @return the cutoff in milliseconds, or {@link Long#MAX_VALUE} when nothing was learnt
	 */
	public long learntIdleCutoffMillis() {
		return this.learntIdleCutoffMillis;
	}

	/**
	 * When a reused connection to this origin last failed before any response byte: pooled connections
	 * released at or before that moment are not handed out again.
	 * @return epoch milliseconds, or {@link Long#MIN_VALUE} if never
	 */
	public long staleSinceMillis() {
		return this.staleSinceMillis;
	}

	/**
	 * The {@code timeout} the origin's connections last advertised.
	 * @return seconds, or -1 if none advertised one
	 */
	public long advertisedTimeoutSeconds() {
		return this.advertisedTimeoutSeconds;
	}

	/**
	 * How long the origin's idle connections are reused now: from the last limits a connection learnt, the
	 * default or a host override, lowered by what failures taught when nothing is advertised.
	 * @return the idle cutoff in milliseconds
	 */
	public long effectiveIdleCutoffMillis() {
		return idleCutoffMillis(this.lastLimits);
	}

	/**
	 * How long a connection with these limits is reused: their cutoff, lowered by what failures taught when
	 * it comes from the default (nothing advertised).
	 */
	long idleCutoffMillis(ReuseLimits limits) {
		return (limits.source() == ReuseLimits.Source.DEFAULT)
				? Math.min(limits.idleCutoffMillis(), this.learntIdleCutoffMillis) : limits.idleCutoffMillis();
	}

	/**
	 * Where the effective idle cutoff comes from.
	 * @return {@code advertised}, {@code default}, {@code learnt} or {@code host}
	 */
	public String effectiveIdleCutoffSource() {
		ReuseLimits limits = this.lastLimits;
		return switch (limits.source()) {
			case ADVERTISED -> "advertised";
			case HOST_OVERRIDE -> "host";
			case DEFAULT -> (this.learntIdleCutoffMillis < limits.idleCutoffMillis()) ? "learnt" : "default";
		};
	}

	/**
	 * Connections discarded for a reason.
	 * @param reason the reason
	 * @return the count so far
	 */
	public long discarded(DiscardReason reason) {
		return this.discards[reason.ordinal()].sum();
	}

	/**
	 * Connection-level failures (reset, early close) of requests to this origin.
	 * @return the count so far
	 */
	public long resets() {
		return this.resets.sum();
	}

	/**
	 * Requests to this origin resent on a new connection.
	 * @return the count so far
	 */
	public long resends() {
		return this.resends.sum();
	}

	/**
	 * When the last connection-level failure happened.
	 * @return epoch milliseconds, or -1 if never
	 */
	public long lastResetMillis() {
		return this.lastResetMillis;
	}

	void connectionDiscarded(DiscardReason reason) {
		this.discards[reason.ordinal()].increment();
		this.events.connectionDiscarded(this, reason);
	}

	void limitsLearnt(ReuseLimits limits, KeepAliveHeader header) {
		this.lastLimits = limits;
		if (header != null && header.hasTimeout()) {
			this.advertisedTimeoutSeconds = header.timeoutSeconds();
			this.events.timeoutAdvertised(this, header.timeoutSeconds());
		}
	}

	/**
	 * A request to this origin failed at the connection level.
	 * @param resent whether it goes out again
	 */
	void resetObserved(boolean resent) {
		long now = System.currentTimeMillis();
		this.resets.increment();
		if (resent) {
			this.resends.increment();
		}
		this.lastResetMillis = now;
		this.recent.reset(resent, now);
	}

	/**
	 * A connection to this origin, reused after {@code idleMillis}, failed before any response byte: the
	 * connections that were idle at that moment are probably closed too, and when the origin advertises no
	 * timeout, something on the path closes idle connections at or before {@code idleMillis}.
	 */
	void reusedConnectionFailed(long idleMillis, boolean advertisedNothing) {
		this.staleSinceMillis = System.currentTimeMillis();
		if (!advertisedNothing || !this.learning.enabled() || idleMillis <= 0) {
			return;
		}
		long cutoff = this.learning.cutoffBelow(idleMillis);
		synchronized (this) {
			if (cutoff >= this.learntIdleCutoffMillis) {
				return;
			}
			this.learntIdleCutoffMillis = cutoff;
		}
		if (logger.isInfoEnabled()) {
			logger.info("keepalive: a connection to " + this.key + " reused after " + idleMillis
					+ " ms idle was closed by the path; its idle connections are now reused for less than "
					+ cutoff + " ms");
		}
	}

	@Override
	public String toString() {
		return this.key;
	}

}
