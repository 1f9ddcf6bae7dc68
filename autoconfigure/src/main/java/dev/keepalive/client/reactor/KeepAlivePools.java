package dev.keepalive.client.reactor;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

import dev.keepalive.client.Origins;

/**
 * The shared provider's pools, one per remote address (and, for HTTP/2, the stream pool Reactor Netty keeps
 * over it), as Reactor Netty reports them when they are created and disposed: live idle and active counts per
 * origin, with or without Micrometer. Listeners (the metrics
 * support) are told about each pool too.
 */
public final class KeepAlivePools implements ConnectionProvider.MeterRegistrar {

	/** Reactor Netty names the HTTP/2 pool it keeps over a provider after the provider: {@code http2.<name>}. */
	private static final String HTTP2_PREFIX = "http2.";

	private final Map<String, Pool> pools = new ConcurrentHashMap<>();

	/** HTTP/2 pools: one per remote address too, each slot a TCP connection of the pool above carrying streams. */
	private final Map<String, Pool> http2Pools = new ConcurrentHashMap<>();

	private final List<Listener> listeners = new CopyOnWriteArrayList<>();

	/**
	 * The live pool of an origin.
	 * @param originKey {@code host:port}
	 * @return its pool, or {@code null} if none is open
	 */
	public Pool pool(String originKey) {
		return this.pools.get(originKey);
	}

	/**
	 * The live HTTP/2 pool of an origin: its connections also count in {@link #pool}'s, as acquired.
	 * @param originKey {@code host:port}
	 * @return its HTTP/2 pool, or {@code null} if none is open
	 */
	public Pool http2Pool(String originKey) {
		return this.http2Pools.get(originKey);
	}

	/**
	 * The live pools of TCP connections (HTTP/1.1 and HTTP/2 alike).
	 * @return a snapshot
	 */
	public List<Pool> pools() {
		return List.copyOf(this.pools.values());
	}

	/**
	 * Be told about pools, those open now included.
	 * @param listener the listener
	 */
	public void addListener(Listener listener) {
		this.listeners.add(listener);
		this.pools.values().forEach(listener::registered);
		this.http2Pools.values().forEach(listener::registered);
	}

	@Override
	public void registerMetrics(String poolName, String id, SocketAddress remoteAddress, ConnectionPoolMetrics metrics) {
		Pool pool = new Pool(poolName, id, originKey(remoteAddress), remoteAddress, metrics);
		byProtocol(poolName).put(pool.originKey(), pool);
		this.listeners.forEach((listener) -> listener.registered(pool));
	}

	@Override
	public void deRegisterMetrics(String poolName, String id, SocketAddress remoteAddress) {
		Pool pool = byProtocol(poolName).remove(originKey(remoteAddress));
		if (pool != null) {
			this.listeners.forEach((listener) -> listener.deregistered(pool));
		}
	}

	private Map<String, Pool> byProtocol(String poolName) {
		return poolName.startsWith(HTTP2_PREFIX) ? this.http2Pools : this.pools;
	}

	private static String originKey(SocketAddress address) {
		if (address instanceof InetSocketAddress inet) {
			return Origins.keyOf(inet.getHostString(), inet.getPort());
		}
		return String.valueOf(address);
	}

	/**
	 * One pool.
	 *
	 * @param name the provider's name
	 * @param id Reactor Netty's id of the pool
	 * @param originKey the origin, {@code host:port}
	 * @param remoteAddress the remote address
	 * @param metrics live counts
	 */
	public record Pool(String name, String id, String originKey, SocketAddress remoteAddress,
			ConnectionPoolMetrics metrics) {
	}

	/** Told about pools as they come and go. */
	public interface Listener {

		void registered(Pool pool);

		void deregistered(Pool pool);

	}

}
