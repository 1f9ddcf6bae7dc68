package dev.keepalive.client;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

/**
 * What the engine saw of one attempt of one exchange: whether the request went out on a reused connection,
 * how long that connection had been idle, and whether response headers arrived. The retry layer creates one
 * per attempt and hands it to Reactor Netty in the subscriber context under {@link #CONTEXT_KEY}; the
 * connection's event loop fills it in; the retry layer reads it when the attempt fails. Blocking clients bind
 * an attempt's facts to the calling thread instead ({@link #bind}), where Apache HttpClient, which runs the
 * exchange on that thread, finds them.
 */
public final class ExchangeFacts {

	/** The Reactor context key under which an attempt's facts travel to Reactor Netty. */
	public static final Object CONTEXT_KEY = ExchangeFacts.class;

	private static final ThreadLocal<ExchangeFacts> BOUND = new ThreadLocal<>();

	private volatile ConnectionReuseState connection;

	private volatile boolean reused;

	private volatile long idleMillis;

	private volatile boolean headersReceived;

	private volatile boolean streamedBody;

	private volatile ResendSafety safety;

	private volatile HttpMethod method;

	private volatile HttpHeaders headers;

	/** The starter stopped the request before writing it. */
	private volatile boolean unsent;

	/** The request tried a connection idle past its origin's learnt cutoff. */
	private volatile boolean probe;

	/** What told that the server never processed the request (HTTP/2), or {@code null}. */
	private volatile Unprocessed unprocessed;

	void requestStarted(ConnectionReuseState connection, boolean reused, long idleMillis) {
		this.reused = reused;
		this.idleMillis = idleMillis;
		this.connection = connection;
	}

	/**
	 * Bind an attempt's facts to the calling thread, for the engine to fill in.
	 * @param facts the facts
	 * @return what was bound before, for {@link #restore}
	 */
	public static ExchangeFacts bind(ExchangeFacts facts) {
		ExchangeFacts previous = BOUND.get();
		BOUND.set(facts);
		return previous;
	}

	/**
	 * Undo a {@link #bind}.
	 * @param previous what {@link #bind} returned
	 */
	public static void restore(ExchangeFacts previous) {
		// set, not remove: the thread's entry stays, so the next bind allocates nothing.
		BOUND.set(previous);
	}

	/**
	 * The facts bound to the calling thread.
	 * @return the facts, or {@code null} if the caller asked for none
	 */
	public static ExchangeFacts bound() {
		return BOUND.get();
	}

	/**
	 * Say what the request is, so that it may probe a connection idle past its origin's learnt cutoff when
	 * it may be sent again. Only references are kept; the rule is asked only when a probe is possible.
	 * @param safety the resend layer's rule
	 * @param method the request method
	 * @param headers the request headers
	 */
	public void resendable(ResendSafety safety, HttpMethod method, HttpHeaders headers) {
		this.method = method;
		this.headers = headers;
		this.safety = safety;
	}

	/**
	 * Whether the request may be sent again if the connection turns out closed: it may probe.
	 * @return {@code true} for an idempotent or keyed request with a replayable body
	 */
	boolean mayProbe() {
		ResendSafety safety = this.safety;
		return safety != null && bodyReplayable() && safety.safeToResend(this.method, this.headers);
	}

	void probe() {
		this.probe = true;
	}

	boolean isProbe() {
		return this.probe;
	}

	void unsent() {
		this.unsent = true;
	}

	/**
	 * Whether the starter stopped the request before any byte of it was written.
	 * @return {@code true} when nothing reached the server
	 */
	public boolean wasUnsent() {
		return this.unsent;
	}

	/**
	 * The server said it never processed the request: an HTTP/2 stream above a GOAWAY's last-stream-id (RFC
	 * 9113 section 6.8), or reset with REFUSED_STREAM (section 8.7). Such a request may go out again on another
	 * connection whatever its method.
	 * @param signal what said so
	 */
	public void unprocessed(Unprocessed signal) {
		this.unprocessed = signal;
	}

	/**
	 * What told that the server never processed the request, before any response header arrived (after one, a
	 * GOAWAY or reset says nothing about whether it was processed).
	 * @return the signal, or {@code null} if none did or response headers arrived
	 */
	public Unprocessed unprocessed() {
		return this.headersReceived ? null : this.unprocessed;
	}

	/** The status line and headers of a response arrived. */
	public void responseStarted() {
		this.headersReceived = true;
	}

	/**
	 * Record that the request body was written as a stream, which cannot be written again.
	 */
	public void streamedBody() {
		this.streamedBody = true;
	}

	/**
	 * Whether the request got a connection and started to be written.
	 * @return {@code false} when the attempt failed before that, e.g. while connecting
	 */
	public boolean requestStarted() {
		return this.connection != null;
	}

	/**
	 * Whether the connection had carried a request before this one.
	 * @return {@code true} for a pooled connection handed out again
	 */
	public boolean reused() {
		return this.reused;
	}

	/**
	 * How long the connection had been idle when this request started on it.
	 * @return milliseconds; 0 for a new connection
	 */
	public long idleMillis() {
		return this.idleMillis;
	}

	/**
	 * Whether the status line and headers of a response arrived.
	 * @return {@code true} once the server has answered
	 */
	public boolean headersReceived() {
		return this.headersReceived;
	}

	/**
	 * Whether the request body can be written again.
	 * @return {@code false} when a streamed body was written
	 */
	public boolean bodyReplayable() {
		return !this.streamedBody;
	}

	/**
	 * The origin of the connection, once the request started.
	 * @return the origin, or {@code null}
	 */
	public Origin origin() {
		ConnectionReuseState connection = this.connection;
		return (connection != null) ? connection.origin() : null;
	}

	/**
	 * The request failed at the connection level: count it against its origin.
	 * @param resent whether it goes out again
	 */
	public void resetObserved(boolean resent) {
		ConnectionReuseState connection = this.connection;
		if (connection != null) {
			connection.origin().resetObserved(resent);
		}
	}

	/**
	 * The HTTP/2 signals that a server never processed a stream.
	 */
	public enum Unprocessed {

		/** The stream was above the last-stream-id of a GOAWAY (RFC 9113 section 6.8). */
		GOAWAY,

		/** The stream was reset with REFUSED_STREAM (RFC 9113 section 8.7). */
		REFUSED_STREAM

	}

	/**
	 * The reused connection failed before any response byte: its idle siblings are not handed out again, and
	 * when the origin advertises no timeout, its idle cutoff is lowered below this connection's idle time.
	 */
	public void reusedConnectionFailed() {
		ConnectionReuseState connection = this.connection;
		if (connection != null && this.reused) {
			connection.broken();
			connection.origin().reusedConnectionFailed(this.idleMillis, connection.limits());
		}
	}

}
