package dev.keepalive.client;

import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * What one pooled connection has learnt from its server and how it has been used, whatever the engine: the
 * engine keeps one per connection (Reactor Netty on the channel, Apache HttpClient on the connection) and
 * asks it, when the pool considers the connection, whether it may be handed out again. Written by the thread
 * running the connection's exchange, read from any thread.
 */
public final class ConnectionReuseState {

	private static final AtomicIntegerFieldUpdater<ConnectionReuseState> DISCARDED = AtomicIntegerFieldUpdater
		.newUpdater(ConnectionReuseState.class, "discarded");

	private final Origin origin;

	/** 1 once the pool decided to close the connection: the pool may say so more than once. */
	private volatile int discarded;

	private volatile ReuseLimits limits;

	/** The raw header the current limits came from: a repeated header is not parsed again. */
	private List<String> advertised;

	/** Requests started on this connection; written by one exchange at a time. */
	private int requests;

	/** The last {@code max} the server advertised, and how many requests had started then; -1 before any. */
	private long lastMax = -1;

	private int requestsAtLastMax;

	/** Whether the server counts {@code max} down (Apache httpd) rather than repeating a total (Node). */
	private boolean maxCountsDown;

	/** When the connection last went idle; written by one exchange, or by the pool handing it out, at a time. */
	private volatile long idleSinceNanos;

	/** The facts of the exchange under way, if its caller asked for them; written by one exchange at a time. */
	private ExchangeFacts exchange;

	/**
	 * Start keeping track of a connection.
	 * @param origin where it connects to
	 */
	public ConnectionReuseState(Origin origin) {
		this.origin = origin;
		this.limits = origin.policy().limits(null);
	}

	/**
	 * Where the connection goes.
	 * @return the origin
	 */
	public Origin origin() {
		return this.origin;
	}

	/**
	 * How long and how often the connection may be reused, as far as it has told.
	 * @return the current limits
	 */
	public ReuseLimits limits() {
		return this.limits;
	}

	/**
	 * How long the connection may stay idle: its limit, lowered by what failures to its origin taught when
	 * it advertised nothing.
	 * @return milliseconds
	 */
	public long idleCutoffMillis() {
		return this.origin.idleCutoffMillis(this.limits);
	}

	/**
	 * How long a pool should keep this connection once it is idle: its cutoff, or, while its origin probes a
	 * learnt cutoff, what its source allows (past the learnt cutoff only a probe may use it).
	 * @return milliseconds
	 */
	public long keptIdleMillis() {
		return this.origin.probing() ? this.limits.idleCutoffMillis() : idleCutoffMillis();
	}

	/**
	 * Why this connection may not be handed out again, if it may not.
	 * @param idleMillis how long it has been idle
	 * @param uses how often it has been handed out so far
	 * @param lifeMillis how long ago it was opened
	 * @param maxLifeMillis the longest a connection may live
	 * @param releasedAtMillis when it went back to the pool (epoch milliseconds), 0 if it is in use
	 * @return the reason, or {@code null} if it may still be reused
	 */
	public DiscardReason discardReason(long idleMillis, long uses, long lifeMillis, long maxLifeMillis,
			long releasedAtMillis) {
		DiscardReason idle = idleExpired(idleMillis);
		if (idle != null) {
			return idle;
		}
		if (uses >= this.limits.maxRequests()) {
			return DiscardReason.MAX_REQUESTS;
		}
		if (lifeMillis >= maxLifeMillis) {
			return DiscardReason.MAX_LIFE;
		}
		// A sibling failed as stale after this one went idle: this one is most likely closed too.
		return idleSinceStale(releasedAtMillis) ? DiscardReason.PURGED_AFTER_RESET : null;
	}

	/**
	 * Why this connection, idle for {@code idleMillis}, may not be handed out again: past what its source
	 * (the header, the default, a host override) allows, or past what failures to this origin taught.
	 */
	private DiscardReason idleExpired(long idleMillis) {
		ReuseLimits limits = this.limits;
		if (idleMillis >= limits.idleCutoffMillis()) {
			return switch (limits.source()) {
				case ADVERTISED -> DiscardReason.ADVERTISED_TIMEOUT;
				case HOST_OVERRIDE -> DiscardReason.HOST_TIMEOUT;
				case DEFAULT -> DiscardReason.DEFAULT_TIMEOUT;
			};
		}
		// While probing, a connection past the learnt cutoff stays for a request that may probe it: requestStarted.
		return (!this.origin.probing() && idleMillis >= this.origin.learntIdleCutoffMillis())
				? DiscardReason.LEARNT_TIMEOUT : null;
	}

	/** Whether the connection went idle before a failure showed its origin's idle connections to be stale. */
	private boolean idleSinceStale(long releasedAtMillis) {
		return releasedAtMillis > 0 && releasedAtMillis <= this.origin.staleSinceMillis();
	}

	/**
	 * The server sent one {@code Keep-Alive} header: update the limits, unless it repeats the last one (most
	 * responses do), which costs a comparison.
	 * @param value the header value, as received
	 */
	public void advertised(String value) {
		List<String> last = this.advertised;
		if (last != null && last.size() == 1 && last.get(0).equals(value)) {
			return;
		}
		advertised(List.of(value));
	}

	/**
	 * The server sent {@code Keep-Alive} headers: update the limits.
	 * @param values the header values, as received
	 */
	public void advertised(List<String> values) {
		if (values.equals(this.advertised)) {
			return;
		}
		this.advertised = values;
		KeepAliveHeader header = KeepAliveHeader.parse(values).orElse(null);
		ReuseLimits limits = this.origin.policy().limits(header);
		if (limits.maxRequests() != ReuseLimits.UNLIMITED) {
			limits = new ReuseLimits(limits.idleCutoffMillis(), allowance(limits.maxRequests()), limits.source());
		}
		this.limits = limits;
		this.origin.limitsLearnt(limits, header);
	}

	/**
	 * The requests this connection may carry in all, from a {@code max} it advertised now. Apache httpd counts
	 * {@code max} down (the requests the connection may still carry after this response); Node repeats its
	 * total. A {@code max} that fell by exactly the requests made since the last one counts down; until a
	 * second response shows that, the smaller reading (a total) holds.
	 */
	private long allowance(long max) {
		int requests = this.requests;
		if (this.lastMax >= 0 && max < this.lastMax && this.lastMax - max == requests - this.requestsAtLastMax) {
			this.maxCountsDown = true;
		}
		this.lastMax = max;
		this.requestsAtLastMax = requests;
		return this.maxCountsDown ? Math.min(ReuseLimits.UNLIMITED - requests, max) + requests : max;
	}

	/**
	 * The pool closes this connection: count it once.
	 * @param reason why
	 */
	public void discarded(DiscardReason reason) {
		if (DISCARDED.compareAndSet(this, 0, 1)) {
			this.origin.connectionDiscarded(reason);
		}
	}

	/**
	 * A request is about to be written: record it on the exchange's facts, if the caller asked for them, and
	 * say whether it may go out on this connection. A connection idle past its origin's learnt cutoff (the
	 * pool hands those out only while probing is on) carries a request that may be sent again as a probe, at
	 * most one per probe interval; any other request is stopped before its first byte and sent again on
	 * another connection by the resend layer.
	 * @param facts the exchange's facts, or {@code null}
	 * @param nowNanos {@link System#nanoTime()}
	 * @return {@code false} if the engine must not write the request (throw {@link UnsentRequestException})
	 */
	public boolean requestStarted(ExchangeFacts facts, long nowNanos) {
		this.requests++;
		this.exchange = facts;
		if (facts == null) {
			return true;
		}
		boolean reused = this.requests > 1;
		long idleMillis = reused ? (nowNanos - this.idleSinceNanos) / 1_000_000 : 0;
		facts.requestStarted(this, reused, idleMillis);
		if (!reused || idleMillis < this.origin.learntIdleCutoffMillis()) {
			return true;
		}
		if (facts.mayProbe() && this.origin.tryProbe()) {
			facts.probe();
			return true;
		}
		if (!facts.bodyReplayable()) {
			// Its body is already spent: sending it here risks less than failing it unsent.
			return true;
		}
		facts.unsent();
		discarded(DiscardReason.LEARNT_TIMEOUT);
		return false;
	}

	/**
	 * The status line and headers of the response to the exchange under way arrived: tell its facts, if its
	 * caller asked for them.
	 */
	public void responseStarted() {
		ExchangeFacts facts = this.exchange;
		if (facts != null) {
			this.exchange = null;
			facts.responseStarted();
			if (facts.isProbe()) {
				this.origin.probeSucceeded(facts.idleMillis());
			}
		}
	}

	/**
	 * Requests started on this connection so far.
	 * @return the count
	 */
	public int requests() {
		return this.requests;
	}

	/**
	 * The connection is idle since then: its response is done, or the pool, handing it out, says so.
	 * @param nowNanos {@link System#nanoTime()} at the moment it went idle
	 */
	public void responded(long nowNanos) {
		this.idleSinceNanos = nowNanos;
	}

}
