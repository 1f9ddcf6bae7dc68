package dev.keepalive.client;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.keepalive.client.KeepAlivePolicy.OriginPolicy;

/**
 * One origin ({@code host:port}) the pool talks to: its configured policy, and what failures of its reused
 * connections taught. Thread-safe; written only on the rare failure path.
 */
public final class Origin {

	private static final Log logger = LogFactory.getLog(Origin.class);

	private final String key;

	private final OriginPolicy policy;

	private final KeepAlivePolicy.Learning learning;

	private volatile long learntIdleCutoffMillis = Long.MAX_VALUE;

	private volatile long staleSinceMillis = Long.MIN_VALUE;

	Origin(String key, OriginPolicy policy, KeepAlivePolicy.Learning learning) {
		this.key = key;
		this.policy = policy;
		this.learning = learning;
	}

	/**
	 * The origin as {@code host:port}.
	 * @return the key
	 */
	public String key() {
		return this.key;
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
