package dev.keepalive.client;

import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * What one connection has learnt from its server and how it has been used, kept on the Netty channel so that
 * the pool's eviction predicate sees it. Written on the channel's event loop, read from any thread.
 */
final class ConnectionReuseState {

	static final AttributeKey<ConnectionReuseState> KEY = AttributeKey.valueOf(ConnectionReuseState.class.getName());

	private static final AtomicIntegerFieldUpdater<ConnectionReuseState> DISCARDED = AtomicIntegerFieldUpdater
		.newUpdater(ConnectionReuseState.class, "discarded");

	private final Origin origin;

	/** 1 once the pool decided to close the connection: the predicate may say so more than once. */
	private volatile int discarded;

	private volatile ReuseLimits limits;

	/** The raw header the current limits came from: a repeated header is not parsed again. */
	private List<String> advertised;

	/** Requests started on this connection; event loop only. */
	private int requests;

	/** When the last response arrived; event loop only. */
	private long idleSinceNanos;

	private ConnectionReuseState(Origin origin) {
		this.origin = origin;
		this.limits = origin.policy().limits(null);
	}

	static ConnectionReuseState get(Channel channel) {
		return channel.attr(KEY).get();
	}

	static ConnectionReuseState attach(Channel channel, Origin origin) {
		ConnectionReuseState state = new ConnectionReuseState(origin);
		channel.attr(KEY).set(state);
		return state;
	}

	Origin origin() {
		return this.origin;
	}

	ReuseLimits limits() {
		return this.limits;
	}

	/**
	 * Why this connection, idle for {@code idleMillis}, may not be handed out again: past what it
	 * advertised, or, when it advertised nothing, past the default lowered by what failures to this origin
	 * taught.
	 * @return the reason, or {@code null} if it may still be reused
	 */
	DiscardReason idleExpired(long idleMillis) {
		ReuseLimits limits = this.limits;
		if (limits.source() == ReuseLimits.Source.DEFAULT) {
			long learnt = this.origin.learntIdleCutoffMillis();
			if (idleMillis >= limits.idleCutoffMillis()) {
				return DiscardReason.DEFAULT_TIMEOUT;
			}
			return (idleMillis >= learnt) ? DiscardReason.LEARNT_TIMEOUT : null;
		}
		if (idleMillis >= limits.idleCutoffMillis()) {
			return (limits.source() == ReuseLimits.Source.ADVERTISED) ? DiscardReason.ADVERTISED_TIMEOUT
					: DiscardReason.HOST_TIMEOUT;
		}
		return null;
	}

	/** Whether the connection went idle before a failure showed its origin's idle connections to be stale. */
	boolean idleSinceStale(long releaseTimestampMillis) {
		// 0: the pool reports no release time for a connection in use.
		return releaseTimestampMillis > 0 && releaseTimestampMillis <= this.origin.staleSinceMillis();
	}

	void advertised(List<String> values) {
		if (values.equals(this.advertised)) {
			return;
		}
		this.advertised = values;
		KeepAliveHeader header = KeepAliveHeader.parse(values).orElse(null);
		ReuseLimits limits = this.origin.policy().limits(header);
		this.limits = limits;
		this.origin.limitsLearnt(limits, header);
	}

	/** The pool closes this connection: count it once. */
	void discarded(DiscardReason reason) {
		if (DISCARDED.compareAndSet(this, 0, 1)) {
			this.origin.connectionDiscarded(reason);
		}
	}

	/** A request is about to be written: record it on the exchange's facts, if the caller asked for them. */
	void requestStarted(ExchangeFacts facts, long nowNanos) {
		this.requests++;
		if (facts != null) {
			long idleMillis = (this.requests > 1) ? (nowNanos - this.idleSinceNanos) / 1_000_000 : 0;
			facts.requestStarted(this, this.requests > 1, idleMillis);
		}
	}

	void responded(long nowNanos) {
		this.idleSinceNanos = nowNanos;
	}

}
