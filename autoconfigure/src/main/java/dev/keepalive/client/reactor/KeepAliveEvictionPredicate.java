package dev.keepalive.client.reactor;

import java.time.Duration;
import java.util.function.BiPredicate;

import reactor.netty.Connection;
import reactor.netty.resources.ConnectionProvider.ConnectionMetadata;

import dev.keepalive.client.ConnectionReuseState;
import dev.keepalive.client.DiscardReason;
import dev.keepalive.client.KeepAlivePolicy;
import dev.keepalive.client.ReuseLimits;

/**
 * Decides whether a pooled connection must be closed instead of handed out. Reactor Netty's pool evaluates
 * it when a connection is acquired (so the check cannot race with the hand-out), when it is released and in
 * the background sweep. It replaces the pool's own checks, so it repeats them: a connection the server has
 * closed, or that may not be kept, is evicted as Reactor Netty's default predicate would (not counted: the
 * starter did not decide it); past the idle and lifetime limits, it is counted against its origin, with the
 * reason.
 */
public final class KeepAliveEvictionPredicate implements BiPredicate<Connection, ConnectionMetadata> {

	private final KeepAlivePolicy policy;

	private final long maxLifeTimeMillis;

	/**
	 * Create a predicate.
	 * @param policy the policy for connections that have not learnt anything yet
	 * @param maxLifeTime the maximum life time of a connection, or {@code null} for none
	 */
	public KeepAliveEvictionPredicate(KeepAlivePolicy policy, Duration maxLifeTime) {
		this.policy = policy;
		this.maxLifeTimeMillis = (maxLifeTime != null) ? maxLifeTime.toMillis() : Long.MAX_VALUE;
	}

	@Override
	public boolean test(Connection connection, ConnectionMetadata metadata) {
		if (!connection.channel().isActive() || !connection.isPersistent()) {
			// Otherwise the pool hands it out, finds it closed, tries once more, and fails the request.
			return true;
		}
		ConnectionReuseState state = KeepAliveHttpClientCustomizer.stateOf(connection.channel());
		if (state == null) {
			// Never carried a request: nothing learnt, nothing to count against an origin.
			ReuseLimits limits = this.policy.defaultLimits();
			return metadata.idleTime() >= limits.idleTimeoutMillis() || metadata.acquireCount() >= limits.maxRequests()
					|| metadata.lifeTime() >= this.maxLifeTimeMillis;
		}
		// Idle by the connection's own clock, from its last request; the pool's counts from the release.
		DiscardReason reason = state.discardReason(state.idleMillis(System.nanoTime()), metadata.acquireCount(),
				metadata.lifeTime(), this.maxLifeTimeMillis, metadata.releaseTimestamp());
		if (reason == null) {
			return false;
		}
		state.discarded(reason);
		return true;
	}

}
