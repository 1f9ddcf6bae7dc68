package dev.keepalive.metrics;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import reactor.netty.resources.ConnectionPoolMetrics;

import dev.keepalive.client.reactor.KeepAlivePools;

/**
 * Reactor Netty's connection pool gauges for the shared provider, under Reactor Netty's own names and tags
 * ({@code reactor.netty.connection.provider.*}, tags {@code name=keepalive}, {@code id},
 * {@code remote.address}), registered in the application's registry. The starter reads the same live counts
 * for its endpoint, so it installs the pool's registrar itself.
 */
public class KeepAlivePoolMetrics implements KeepAlivePools.Listener {

	private static final String PREFIX = "reactor.netty.connection.provider.";

	private static final List<PoolGauge> GAUGES = List.of(
			new PoolGauge("total.connections", "Connections open, active or idle", ConnectionPoolMetrics::allocatedSize),
			new PoolGauge("active.connections", "Connections carrying a request", ConnectionPoolMetrics::acquiredSize),
			new PoolGauge("idle.connections", "Connections idle in the pool", ConnectionPoolMetrics::idleSize),
			new PoolGauge("pending.connections", "Requests waiting for a connection",
					ConnectionPoolMetrics::pendingAcquireSize),
			new PoolGauge("max.connections", "Most connections allowed", ConnectionPoolMetrics::maxAllocatedSize),
			new PoolGauge("max.pending.connections", "Most requests allowed to wait",
					ConnectionPoolMetrics::maxPendingAcquireSize));

	private final MeterRegistry registry;

	/**
	 * Create the gauges' owner.
	 * @param registry where to register
	 */
	public KeepAlivePoolMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void registered(KeepAlivePools.Pool pool) {
		Tags tags = tags(pool);
		for (PoolGauge gauge : GAUGES) {
			Gauge.builder(PREFIX + gauge.name(), pool.metrics(), gauge.value())
				.description(gauge.description())
				.tags(tags)
				.strongReference(false)
				.register(this.registry);
		}
	}

	@Override
	public void deregistered(KeepAlivePools.Pool pool) {
		Tags tags = tags(pool);
		for (PoolGauge gauge : GAUGES) {
			Gauge meter = this.registry.find(PREFIX + gauge.name()).tags(tags).gauge();
			if (meter != null) {
				this.registry.remove(meter);
			}
		}
	}

	private static Tags tags(KeepAlivePools.Pool pool) {
		return Tags.of("name", pool.name(), "id", pool.id(), "remote.address", address(pool.remoteAddress()));
	}

	private static String address(SocketAddress address) {
		return (address instanceof InetSocketAddress inet) ? inet.getHostString() + ":" + inet.getPort()
				: String.valueOf(address);
	}

	private record PoolGauge(String name, String description, ToDoubleFunction<ConnectionPoolMetrics> value) {
	}

}
