package dev.keepalive.client;

import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * What one pooled connection has learnt from its server and how it has been used, whatever the engine: the
 * engine keeps one per connection (Reactor Netty on the channel, Apache HttpClient on the connection) and
 * asks it, when the pool considers the connection and again when a request is about to be written, whether
 * it may be used again. Written by the thread running the connection's exchange, read from any thread.
 * <p>
 * A connection's idle clock runs from the moment its last request started to be written, not from the end
 * of its response: a server counts its idle timeout from its last read of the request (or later, from the end
 * of its response), which is never earlier, so a slow response cannot make the server's clock run ahead of
 * the client's. An HTTP/2 connection (multiplexed) carries many exchanges at once;
 * it is idle only while it carries none, from the end of its last stream (HTTP/2 servers count from there;
 * the client sees that end one way later, which the margin covers), and one state serves all its streams.
 */
public final class ConnectionReuseState {

	/** The protocol name of an HTTP/1.1 connection. */
	public static final String HTTP_1_1 = "HTTP/1.1";

	private static final AtomicIntegerFieldUpdater<ConnectionReuseState> DISCARDED = AtomicIntegerFieldUpdater
		.newUpdater(ConnectionReuseState.class, "discarded");

	private final Origin origin;

	private final boolean multiplexed;

	/** Streams open on a multiplexed connection; written on its event loop, read from any thread. */
	private volatile int activeStreams;

	/** {@link System#nanoTime()} when a multiplexed connection's last stream ended. */
	private volatile long idleSinceNanos;

	/** A request on it failed as on a closed connection: never hand it out again. */
	private volatile boolean broken;

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

	/** {@link System#nanoTime()} when the last request started to be written; written by one exchange at a time. */
	private volatile long lastRequestNanos;

	/** The facts of the exchange under way, if its caller asked for them; written by one exchange at a time. */
	private ExchangeFacts exchange;

	/**
	 * Start keeping track of a connection.
	 * @param origin where it connects to
	 */
	public ConnectionReuseState(Origin origin) {
		this(origin, HTTP_1_1, false);
	}

	/**
	 * Start keeping track of a connection.
	 * @param origin where it connects to
	 * @param protocol the protocol it speaks, for its origin's report: {@code HTTP/1.1}, {@code h2} or {@code h2c}
	 * @param multiplexed whether it carries many exchanges at once (HTTP/2)
	 */
	public ConnectionReuseState(Origin origin, String protocol, boolean multiplexed) {
		this.origin = origin;
		this.multiplexed = multiplexed;
		this.limits = origin.policy().limits(null);
		origin.protocolUsed(protocol);
	}

	/**
	 * Streams open now on a multiplexed connection.
	 * @return the count; 0 for HTTP/1.1
	 */
	public int activeStreams() {
		return this.activeStreams;
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
	 * How long the connection has been idle by the client's clock: since its last request started to be
	 * written.
	 * @param nowNanos {@link System#nanoTime()}
	 * @return ms; 0 before its first request
	 */
	public long idleMillis(long nowNanos) {
		if (this.multiplexed) {
			long since = this.idleSinceNanos; // read first: it publishes the count written before it
			return (this.activeStreams > 0 || this.requests == 0) ? 0 : (nowNanos - since) / 1_000_000;
		}
		long last = this.lastRequestNanos; // read first: it publishes the count written before it
		return (this.requests == 0) ? 0 : (nowNanos - last) / 1_000_000;
	}

	/**
	 * How much longer a pool should keep this connection, now that its response is done: up to its cutoff,
	 * or, while its origin probes a learnt cutoff, up to what its source allows (past the learnt cutoff only a
	 * probe may use it).
	 * @param nowNanos {@link System#nanoTime()}
	 * @return ms, 0 or more
	 */
	public long remainingIdleMillis(long nowNanos) {
		long cutoff = this.origin.probing() ? this.origin.sourceCutoffMillis(this.limits) : idleCutoffMillis();
		return Math.max(0, cutoff - idleMillis(nowNanos));
	}

	/**
	 * Why this connection may not be handed out again, if it may not.
	 * @param idleMillis how long it has been idle, by {@link #idleMillis(long)}
	 * @param uses how often it has been handed out so far
	 * @param lifeMillis how long ago it was opened
	 * @param maxLifeMillis the longest a connection may live
	 * @param releasedAtMillis when it went back to the pool (epoch milliseconds), 0 if it is in use
	 * @return the reason, or {@code null} if it may still be reused
	 */
	public DiscardReason discardReason(long idleMillis, long uses, long lifeMillis, long maxLifeMillis,
			long releasedAtMillis) {
		if (this.broken) {
			// An HTTP/2 connection whose stream broke may still look open for a moment (its close on the way).
			return DiscardReason.PURGED_AFTER_RESET;
		}
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
		// A sibling failed as stale after this one went idle: this one is most likely closed too. Reactor Netty's
		// HTTP/2 pool reports no release time: a multiplexed connection keeps its own.
		long releasedAt = this.multiplexed ? idleSinceEpochMillis() : releasedAtMillis;
		return idleSinceStale(releasedAt) ? DiscardReason.PURGED_AFTER_RESET : null;
	}

	/**
	 * Why this connection, idle for {@code idleMillis}, may not be handed out again: past what its source
	 * (the header, the default, a host override) allows, or past what failures to this origin taught.
	 */
	private DiscardReason idleExpired(long idleMillis) {
		ReuseLimits limits = this.limits;
		if (idleMillis >= this.origin.sourceCutoffMillis(limits)) {
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

	/** When a multiplexed connection's last stream ended, by the wall clock; 0 while it carries one. */
	private long idleSinceEpochMillis() {
		long since = this.idleSinceNanos;
		if (this.activeStreams > 0 || since == 0) {
			return 0;
		}
		return System.currentTimeMillis() - (System.nanoTime() - since) / 1_000_000;
	}

	/**
	 * Whether the connection went idle before a failure showed its origin's idle connections to be stale.
	 * Strictly before: the connection a resend opened can go idle within the millisecond of the failure.
	 */
	private boolean idleSinceStale(long releasedAtMillis) {
		return releasedAtMillis > 0 && releasedAtMillis < this.origin.staleSinceMillis();
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
			limits = new ReuseLimits(limits.idleTimeoutMillis(), allowance(limits.maxRequests()), limits.source());
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
	 * A request on this connection failed as on a closed connection (reset, closed before the response): the
	 * pool must not hand it out again, even while its channel still looks open.
	 */
	public void broken() {
		this.broken = true;
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
	 * say whether it may go out on this connection. The pool checked the connection when it handed it out;
	 * this checks again at the last moment, so that a pause in between (a GC, a busy event loop) cannot send a
	 * request into a connection its server is closing. A connection idle past its origin's learnt cutoff (the
	 * pool hands those out only while probing is on) carries a request that may be sent again as a probe, at
	 * most one per probe interval. Any other request on a connection past its cutoff is stopped before its
	 * first byte and sent again on another connection by the resend layer; without one (no facts), or with a
	 * body that cannot be written again, it goes out here, which risks less than failing it.
	 * @param facts the exchange's facts, or {@code null}
	 * @param nowNanos {@link System#nanoTime()}
	 * @return {@code false} if the engine must not write the request (throw {@link #unsent})
	 */
	public boolean requestStarted(ExchangeFacts facts, long nowNanos) {
		long idleMillis = idleMillis(nowNanos);
		boolean reused = this.requests++ > 0;
		this.lastRequestNanos = nowNanos;
		if (this.multiplexed) {
			this.activeStreams++;
		}
		else {
			this.exchange = facts;
		}
		if (facts != null) {
			facts.requestStarted(this, reused, idleMillis);
		}
		if (!reused) {
			return true;
		}
		DiscardReason expired = idleExpired(idleMillis);
		if (expired == null) {
			if (idleMillis < this.origin.learntIdleCutoffMillis()) {
				return true;
			}
			if (facts != null && facts.mayProbe() && this.origin.tryProbe()) {
				facts.probe();
				return true;
			}
			expired = DiscardReason.LEARNT_TIMEOUT;
		}
		if (facts == null || !facts.bodyReplayable()) {
			return true;
		}
		facts.unsent();
		discarded(expired);
		return false;
	}

	/**
	 * The failure an engine throws for a request {@link #requestStarted} stopped.
	 * @param facts the exchange's facts
	 * @return the exception, which says how long the connection idled and what its cutoff was
	 */
	public UnsentRequestException unsent(ExchangeFacts facts) {
		return new UnsentRequestException(this.origin, facts.idleMillis(), idleCutoffMillis());
	}

	/**
	 * The status line and headers of the response to the exchange under way arrived: the origin learns the
	 * round trip, and the exchange's facts, if its caller asked for them, that headers arrived.
	 */
	public void responseStarted() {
		ExchangeFacts facts = this.exchange;
		this.exchange = null;
		responseStarted(facts, this.lastRequestNanos);
	}

	/**
	 * The status line and headers of the response to one exchange of a multiplexed connection arrived.
	 * @param facts the exchange's facts, or {@code null} if its caller asked for none
	 * @param requestNanos {@link System#nanoTime()} when its request started
	 */
	public void responseStarted(ExchangeFacts facts, long requestNanos) {
		long now = System.nanoTime();
		this.origin.roundTrip(now - requestNanos, now);
		if (facts != null) {
			facts.responseStarted();
			if (facts.isProbe()) {
				this.origin.probeSucceeded(facts.idleMillis());
			}
		}
	}

	/**
	 * A stream of a multiplexed connection ended (response complete, reset or closed): the connection is idle
	 * from now when it was the last one.
	 * @param nowNanos {@link System#nanoTime()}
	 */
	public void streamEnded(long nowNanos) {
		this.idleSinceNanos = nowNanos;
		this.activeStreams--;
	}

	/**
	 * The server sent this HTTP/2 connection GOAWAY(NO_ERROR) while it carried nothing: the server closes its
	 * idle connections after about this long, which teaches the origin as a failed reuse does. Nothing is
	 * learnt while streams are open (a GOAWAY mid-flight is a shutdown, not an idle timeout).
	 * @param nowNanos {@link System#nanoTime()}
	 */
	public void goAwayWhileIdle(long nowNanos) {
		// 0 while streams are open or before the first request.
		long idleMillis = idleMillis(nowNanos);
		if (idleMillis > 0) {
			this.origin.goAwayAfterIdle(idleMillis, this.limits);
		}
	}

	/**
	 * Requests started on this connection so far.
	 * @return the count
	 */
	public int requests() {
		return this.requests;
	}

}
