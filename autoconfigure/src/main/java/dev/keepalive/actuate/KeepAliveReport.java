package dev.keepalive.actuate;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reactor.netty.resources.ConnectionPoolMetrics;

import dev.keepalive.client.ClientEngine;
import dev.keepalive.client.ConnectionReuseState;
import dev.keepalive.client.DiscardReason;
import dev.keepalive.client.Origin;
import dev.keepalive.client.Origins;
import dev.keepalive.client.reactor.KeepAlivePools;
import dev.keepalive.client.reactor.KeepAliveReactorNettyAutoConfiguration;
import dev.keepalive.server.KeepAliveAdvertisement;

/**
 * What the health indicator and the endpoint show, read from the live client and server state. Either side
 * may be absent ({@code null}).
 */
public final class KeepAliveReport {

	private final Origins origins;

	private final KeepAlivePools pools;

	private final KeepAliveAdvertisement advertisement;

	/**
	 * Create a report.
	 * @param origins the client's origins, or {@code null} without the client side
	 * @param pools the client's pools, or {@code null}
	 * @param advertisement the server's advertisement, or {@code null} without the server side
	 */
	public KeepAliveReport(Origins origins, KeepAlivePools pools, KeepAliveAdvertisement advertisement) {
		this.origins = origins;
		this.pools = pools;
		this.advertisement = advertisement;
	}

	/**
	 * Every known origin, most recently reset first, then by name.
	 * @return the descriptors
	 */
	public List<OriginDescriptor> origins() {
		if (this.origins == null) {
			return List.of();
		}
		return this.origins.all()
			.stream()
			.sorted(Comparator.comparingLong(Origin::lastResetMillis).reversed().thenComparing(Origin::key))
			.map(this::describe)
			.toList();
	}

	/**
	 * The client side in a few numbers.
	 * @param nowMillis the current time
	 * @return the summary, or {@code null} without the client side
	 */
	public ClientSummary client(long nowMillis) {
		if (this.origins == null) {
			return null;
		}
		int active = 0;
		int idle = 0;
		if (this.pools != null) {
			for (KeepAlivePools.Pool pool : this.pools.pools()) {
				active += pool.metrics().acquiredSize();
				idle += pool.metrics().idleSize();
			}
		}
		return new ClientSummary(KeepAliveReactorNettyAutoConfiguration.POOL_NAME, this.origins.all().size(), active, idle,
				this.origins.recent().resets(nowMillis), this.origins.recent().resends(nowMillis));
	}

	/**
	 * The server side.
	 * @return the descriptor, or {@code null} without the server side
	 */
	public ServerDescriptor server() {
		if (this.advertisement == null) {
			return null;
		}
		long timeout = this.advertisement.timeoutSeconds();
		return new ServerDescriptor(this.advertisement.header(), (timeout >= 0) ? timeout : null,
				this.advertisement.isDraining());
	}

	private OriginDescriptor describe(Origin origin) {
		Map<String, Long> discarded = new LinkedHashMap<>();
		for (DiscardReason reason : DiscardReason.values()) {
			discarded.put(reason.tag(), origin.discarded(reason));
		}
		Connections connections = null; // Apache HttpClient keeps one pool per client and reports none.
		if (origin.engine() == ClientEngine.REACTOR_NETTY) {
			KeepAlivePools.Pool pool = (this.pools != null) ? this.pools.pool(origin.key()) : null;
			connections = (pool != null) ? Connections.of(pool.metrics()) : new Connections(0, 0, 0);
		}
		Http2 http2 = null;
		if (!ConnectionReuseState.HTTP_1_1.equals(origin.protocol()) || origin.goAways() > 0) {
			KeepAlivePools.Pool pool = (this.pools != null) ? this.pools.http2Pool(origin.key()) : null;
			http2 = new Http2((pool != null) ? pool.metrics().allocatedSize() : 0,
					(pool != null) ? pool.metrics().acquiredSize() : 0, origin.goAways(), origin.refusedStreams(),
					origin.pingFailures());
		}
		long advertised = origin.advertisedTimeoutSeconds();
		long learnt = origin.learntIdleCutoffMillis();
		long lastReset = origin.lastResetMillis();
		long lowered = origin.learntIdleCutoffLoweredAtMillis();
		long raised = origin.learntIdleCutoffRaisedAtMillis();
		return new OriginDescriptor(origin.key(), origin.engine().tag(), origin.protocol(), (advertised >= 0) ? advertised : null,
				origin.effectiveIdleCutoffMillis(), origin.effectiveIdleCutoffSource(), origin.safetyMarginMillis(),
				origin.safetyMarginReason(), (learnt != Long.MAX_VALUE) ? learnt : null, origin.learntIdleCutoffReason(),
				(lowered >= 0) ? Instant.ofEpochMilli(lowered) : null,
				(raised >= 0) ? Instant.ofEpochMilli(raised) : null, connections, discarded, origin.resets(),
				origin.resends(), (lastReset >= 0) ? Instant.ofEpochMilli(lastReset) : null, http2);
	}

	/**
	 * One origin.
	 *
	 * @param origin {@code host:port}
	 * @param engine the engine whose pool connects there: {@code reactor-netty} or {@code http-components}
	 * @param protocol what its newest connection speaks: {@code HTTP/1.1}, {@code h2} or {@code h2c}
	 * @param advertisedTimeoutSeconds the {@code timeout} its connections last advertised, or {@code null}
	 * @param idleCutoffMillis how long its idle connections are reused now
	 * @param idleCutoffSource where that comes from: {@code advertised}, {@code default}, {@code learnt},
	 * {@code host}
	 * @param safetyMarginMillis how far below a server's idle timeout its connections stop being reused
	 * @param safetyMargin why the margin is what it is: fixed, the floor plus the path's shortest recent round
	 * trip, or widened after a failure
	 * @param learntIdleCutoffMillis the cutoff learnt from failures, whatever the origin advertises, or
	 * {@code null} when none is in force
	 * @param learnt why: the failure that lowered the cutoff or the probes that lifted it, or {@code null}
	 * @param learntLowered when a failure last lowered it, or {@code null}
	 * @param learntRaised when probes last lifted it, or {@code null}
	 * @param connections its pool's connections now, or {@code null} where the engine reports none (Apache
	 * HttpClient)
	 * @param discarded connections closed instead of reused, by reason
	 * @param resets connection-level failures of its requests
	 * @param resends requests resent on a new connection
	 * @param lastReset when the last connection-level failure happened, or {@code null}
	 * @param http2 its HTTP/2 pool and signals, or {@code null} if it never spoke HTTP/2
	 */
	public record OriginDescriptor(String origin, String engine, String protocol, Long advertisedTimeoutSeconds, long idleCutoffMillis,
			String idleCutoffSource, long safetyMarginMillis, String safetyMargin, Long learntIdleCutoffMillis, String learnt, Instant learntLowered,
			Instant learntRaised, Connections connections, Map<String, Long> discarded, long resets, long resends,
			Instant lastReset, Http2 http2) {
	}

	/**
	 * An origin's HTTP/2 side: Reactor Netty's stream pool over its TCP connections, and what the protocol told.
	 *
	 * @param connections TCP connections in its HTTP/2 pool
	 * @param activeStreams streams open on them
	 * @param goAways GOAWAY frames received
	 * @param refusedStreams streams reset with REFUSED_STREAM
	 * @param pingFailures connections closed because a PING went unanswered
	 */
	public record Http2(int connections, int activeStreams, long goAways, long refusedStreams, long pingFailures) {
	}

	/**
	 * A pool's connections.
	 *
	 * @param active carrying a request
	 * @param idle waiting in the pool
	 * @param total open
	 */
	public record Connections(int active, int idle, int total) {

		static Connections of(ConnectionPoolMetrics metrics) {
			return new Connections(metrics.acquiredSize(), metrics.idleSize(), metrics.allocatedSize());
		}

	}

	/**
	 * The client side in a few numbers.
	 *
	 * @param pool the shared provider's name
	 * @param origins origins known
	 * @param activeConnections connections carrying a request, all origins
	 * @param idleConnections connections idle in the pool, all origins
	 * @param resetsLastFiveMinutes connection-level failures in the last five minutes
	 * @param resendsLastFiveMinutes resends in the last five minutes
	 */
	public record ClientSummary(String pool, int origins, int activeConnections, int idleConnections,
			long resetsLastFiveMinutes, long resendsLastFiveMinutes) {
	}

	/**
	 * The server side.
	 *
	 * @param header the {@code Keep-Alive} header it sends, or {@code null}
	 * @param advertisedTimeoutSeconds the advertised timeout, or {@code null}
	 * @param draining whether it is shutting down and asking clients to close
	 */
	public record ServerDescriptor(String header, Long advertisedTimeoutSeconds, boolean draining) {
	}

}
