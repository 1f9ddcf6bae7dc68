package dev.keepalive.client;

import java.util.List;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * What one connection has learnt from its server and how it has been used, kept on the Netty channel so that
 * the pool's eviction predicate sees it. Written on the channel's event loop, read from any thread.
 */
final class ConnectionReuseState {

	static final AttributeKey<ConnectionReuseState> KEY = AttributeKey.valueOf(ConnectionReuseState.class.getName());

	private final Origin origin;

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
	 * The idle time after which this connection is not handed out again: what it advertised, or, when it
	 * advertised nothing, the default lowered by what failures to this origin taught.
	 */
	long idleCutoffMillis() {
		ReuseLimits limits = this.limits;
		return (limits.source() == ReuseLimits.Source.DEFAULT)
				? Math.min(limits.idleCutoffMillis(), this.origin.learntIdleCutoffMillis()) : limits.idleCutoffMillis();
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
		this.limits = this.origin.policy().limits(KeepAliveHeader.parse(values).orElse(null));
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
