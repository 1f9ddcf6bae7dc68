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

	private final LearntCutoff learnt;

	private final PathMargin margin;

	private volatile long staleSinceMillis = Long.MIN_VALUE;

	private volatile long lastResetMillis = -1;

	private volatile long advertisedTimeoutSeconds = -1;

	private volatile ReuseLimits lastLimits;

	/** The protocol of its newest connection: {@code HTTP/1.1}, {@code h2} or {@code h2c}. */
	private volatile String protocol = ConnectionReuseState.HTTP_1_1;

	private final LongAdder goAways = new LongAdder();

	private final LongAdder refusedStreams = new LongAdder();

	private final LongAdder pingFailures = new LongAdder();

	/** How often GOAWAY(ENHANCE_YOUR_CALM) doubled the PING interval, at most {@link #MAX_PING_BACKOFFS}. */
	private volatile int pingBackoffs;

	/** The PING interval doubles at most 4 times (16 times the configured one). */
	private static final int MAX_PING_BACKOFFS = 4;

	/** HTTP/2 error code ENHANCE_YOUR_CALM (RFC 9113 section 7). */
	private static final long ENHANCE_YOUR_CALM = 0xb;

	Origin(String key, ClientEngine engine, OriginPolicy policy, KeepAlivePolicy.Learning learning,
			KeepAlivePolicy.Margin margin, KeepAliveClientEvents events, RecentActivity recent) {
		this.key = key;
		this.engine = engine;
		this.policy = policy;
		this.learning = learning;
		this.events = events;
		this.recent = recent;
		this.lastLimits = policy.limits(null);
		this.learnt = new LearntCutoff(learning);
		this.margin = new PathMargin(margin);
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

	/**
	 * The protocol its newest connection speaks.
	 * @return {@code HTTP/1.1}, {@code h2} or {@code h2c}
	 */
	public String protocol() {
		return this.protocol;
	}

	void protocolUsed(String protocol) {
		if (!protocol.equals(this.protocol)) {
			this.protocol = protocol;
		}
	}

	/**
	 * HTTP/2 GOAWAY frames received from this origin.
	 * @return the count
	 */
	public long goAways() {
		return this.goAways.sum();
	}

	/**
	 * HTTP/2 streams this origin reset with REFUSED_STREAM.
	 * @return the count
	 */
	public long refusedStreams() {
		return this.refusedStreams.sum();
	}

	/**
	 * HTTP/2 connections to this origin closed because a PING went unanswered.
	 * @return the count
	 */
	public long pingFailures() {
		return this.pingFailures.sum();
	}

	/**
	 * A connection received GOAWAY (RFC 9113 section 6.8). ENHANCE_YOUR_CALM (too many PINGs, gRPC's
	 * "too_many_pings") doubles this origin's PING interval for new connections.
	 * @param errorCode the frame's error code
	 */
	public void goAwayReceived(long errorCode) {
		this.goAways.increment();
		if (errorCode == ENHANCE_YOUR_CALM && this.pingBackoffs < MAX_PING_BACKOFFS) {
			this.pingBackoffs++;
			logger.warn("keepalive: " + this.key + " answered with GOAWAY(ENHANCE_YOUR_CALM); PINGs to it are now "
					+ (1 << this.pingBackoffs) + " times further apart (" + KeepAliveClientProperties.PREFIX
					+ ".http2.ping-interval)");
		}
		this.events.goAwayReceived(this, errorCode);
	}

	/** A stream was reset with REFUSED_STREAM (RFC 9113 section 8.7): the server did not process it. */
	public void streamRefused() {
		this.refusedStreams.increment();
		this.events.streamRefused(this);
	}

	/** A PING went unanswered within its ack timeout: the connection was closed. */
	public void pingFailed() {
		this.pingFailures.increment();
		this.events.pingFailed(this);
	}

	/**
	 * The PING interval for a new connection to this origin.
	 * @param configuredMillis {@code keepalive.client.http2.ping-interval}, ms
	 * @return ms: the configured interval, doubled for each GOAWAY(ENHANCE_YOUR_CALM) so far
	 */
	public long pingIntervalMillis(long configuredMillis) {
		return configuredMillis << this.pingBackoffs;
	}

	OriginPolicy policy() {
		return this.policy;
	}

	/**
	 * The idle cutoff learnt from failures of reused connections, whatever the origin advertises: evidence
	 * beats the advertisement.
	 * @return the cutoff in milliseconds, or {@link Long#MAX_VALUE} when nothing was learnt (or it was lifted)
	 */
	public long learntIdleCutoffMillis() {
		return this.learnt.cutoffMillis();
	}

	/**
	 * Why the learnt cutoff is what it is: the failure that lowered it, or the probes that lifted it.
	 * @return the reason in words, or {@code null} if nothing was learnt
	 */
	public String learntIdleCutoffReason() {
		return this.learnt.reason();
	}

	/**
	 * How far below its server's idle timeout (advertised, or a host's {@code idle-timeout}) this origin's
	 * connections stop being reused now.
	 * @return ms, between {@code min-safety-margin} and {@code safety-margin}
	 */
	public long safetyMarginMillis() {
		return this.margin.marginMillis();
	}

	/**
	 * Why the safety margin is what it is: fixed, the floor plus the path's shortest recent round trip, or
	 * widened after a failure.
	 * @return the reason in words
	 */
	public String safetyMarginReason() {
		return this.margin.reason();
	}

	/**
	 * When the learnt cutoff was last lowered.
	 * @return epoch milliseconds, or -1 if never
	 */
	public long learntIdleCutoffLoweredAtMillis() {
		return this.learnt.loweredAtMillis();
	}

	/**
	 * When the learnt cutoff was last lifted by probes.
	 * @return epoch milliseconds, or -1 if never
	 */
	public long learntIdleCutoffRaisedAtMillis() {
		return this.learnt.raisedAtMillis();
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
	 * How long a connection with these limits is reused: their timeout less this origin's margin, lowered by
	 * what failures taught.
	 */
	long idleCutoffMillis(ReuseLimits limits) {
		return Math.min(limits.idleCutoffMillis(this.margin.marginMillis()), this.learnt.cutoffMillis());
	}

	/** How long a connection with these limits is reused by what its source allows, learning aside. */
	long sourceCutoffMillis(ReuseLimits limits) {
		return limits.idleCutoffMillis(this.margin.marginMillis());
	}

	/**
	 * An exchange to this origin took this long from its request's first byte to its response headers.
	 * @param roundTripNanos ns
	 * @param nowNanos {@link System#nanoTime()}
	 */
	void roundTrip(long roundTripNanos, long nowNanos) {
		if (this.margin.roundTrip(roundTripNanos, nowNanos)) {
			this.events.safetyMarginChanged(this);
		}
	}

	/**
	 * Where the effective idle cutoff comes from.
	 * @return {@code advertised}, {@code default}, {@code learnt} or {@code host}
	 */
	public String effectiveIdleCutoffSource() {
		ReuseLimits limits = this.lastLimits;
		if (this.learnt.cutoffMillis() < sourceCutoffMillis(limits)) {
			return "learnt";
		}
		return switch (limits.source()) {
			case ADVERTISED -> "advertised";
			case HOST_OVERRIDE -> "host";
			case DEFAULT -> "default";
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
	 * connections that were idle at that moment are probably closed too (a restart kills them all), and
	 * something on the path closes idle connections at or before {@code idleMillis}. When that is inside what
	 * the connection's source allowed (the header, the default, a host override), the evidence wins: within
	 * {@code safety-margin} of a server's timeout, the margin was too thin for the path and widens to
	 * {@code safety-margin}; further below, the origin's cutoff drops below it until probes find connections
	 * alive after that long again.
	 * @param idleMillis how long the connection had been idle, ms
	 * @param limits what the connection's source allowed
	 */
	void reusedConnectionFailed(long idleMillis, ReuseLimits limits) {
		closedAfterIdle(idleMillis, limits, "a connection reused after " + idleMillis + " ms idle was closed by the server or the path");
	}

	/**
	 * An HTTP/2 connection to this origin got GOAWAY after {@code idleMillis} without a stream: the server closes
	 * its idle connections at about that, which teaches as {@link #reusedConnectionFailed} does.
	 * @param idleMillis how long it had been idle, ms
	 * @param limits what the connection's source allowed
	 */
	void goAwayAfterIdle(long idleMillis, ReuseLimits limits) {
		closedAfterIdle(idleMillis, limits, "a connection idle for " + idleMillis + " ms got GOAWAY");
	}

	private void closedAfterIdle(long idleMillis, ReuseLimits limits, String event) {
		this.staleSinceMillis = System.currentTimeMillis();
		if (idleMillis <= 0) {
			// A busy connection (an HTTP/2 one carrying other streams) broke: no idle timeout to learn from.
			return;
		}
		long allowed = sourceCutoffMillis(limits);
		if (limits.source() != ReuseLimits.Source.DEFAULT && idleMillis < allowed
				&& idleMillis >= limits.idleTimeoutMillis() - this.learning.safetyMarginMillis()
				&& widenMargin(event, limits, allowed)) {
			return;
		}
		long cutoff = this.learnt.failed(idleMillis, allowed, () -> contradicted(limits, allowed, event));
		if (cutoff < 0) {
			return;
		}
		this.events.idleCutoffChanged(this, cutoff, true);
		if (logger.isInfoEnabled()) {
			logger.info("keepalive: " + this.learnt.reason() + "; its idle connections are now reused for less than "
					+ cutoff + " ms, until probes find them alive after " + idleMillis + " ms again");
		}
	}

	/** Whether the adaptive margin widened: it was not already. */
	private boolean widenMargin(String event, ReuseLimits limits, long allowed) {
		if (!this.margin.widen(event + " (reused up to " + allowed + " ms of " + limits.idleTimeoutMillis() + ")")) {
			return false;
		}
		this.events.safetyMarginChanged(this);
		if (logger.isInfoEnabled()) {
			logger.info("keepalive: " + this.key + ": " + this.margin.reason() + "; its margin is now "
					+ this.margin.marginMillis() + " ms");
		}
		return true;
	}

	private String contradicted(ReuseLimits limits, long allowed, String failed) {
		return switch (limits.source()) {
			case ADVERTISED -> this.key + " advertised Keep-Alive: timeout=" + this.advertisedTimeoutSeconds
					+ " (reused up to " + allowed + " ms), but " + failed;
			case HOST_OVERRIDE -> KeepAliveClientProperties.PREFIX + ".hosts for " + this.key + " allows "
					+ allowed + " ms, but " + failed;
			case DEFAULT -> this.key + " advertises no timeout, and " + failed;
		};
	}

	/**
	 * Whether a request that may be sent again may probe a connection idle past the learnt cutoff now.
	 * @return {@code true} at most once per probe interval
	 */
	boolean tryProbe() {
		return this.learning.probe() && this.learnt.tryProbe();
	}

	/** Whether connections idle past the learnt cutoff stay pooled for probes. */
	boolean probing() {
		return this.learning.probe();
	}

	/**
	 * A probe found a connection to this origin alive after {@code idleMillis}.
	 * @param idleMillis how long it had been idle, ms
	 */
	void probeSucceeded(long idleMillis) {
		if (this.learnt.probeSucceeded(idleMillis)) {
			this.events.idleCutoffChanged(this, Long.MAX_VALUE, false);
			if (logger.isInfoEnabled()) {
				logger.info("keepalive: " + this.key + ": " + this.learnt.reason() + ", so the learnt idle cutoff "
						+ "is lifted; its connections are reused as " + effectiveIdleCutoffSource() + " allows again");
			}
		}
	}

	@Override
	public String toString() {
		return this.key;
	}

}
