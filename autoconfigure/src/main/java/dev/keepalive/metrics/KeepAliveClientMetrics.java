package dev.keepalive.metrics;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;

import dev.keepalive.client.DiscardReason;
import dev.keepalive.client.KeepAliveClientEvents;
import dev.keepalive.client.Origin;

/**
 * Records what the pool does: {@code keepalive.client.connections.discarded} by reason,
 * {@code keepalive.client.advertised.timeout}, {@code keepalive.client.idle.cutoff.changes} and
 * {@code keepalive.client.safety.margin}, tagged with the (bounded) origin and the engine.
 */
public class KeepAliveClientMetrics implements KeepAliveClientEvents {

	/** Connections the pool closed instead of reusing; tags {@code reason}, {@code origin}, {@code engine}. */
	public static final String DISCARDED = "keepalive.client.connections.discarded";

	/** Idle timeouts servers advertised, in seconds; tags {@code origin}, {@code engine}. */
	public static final String ADVERTISED_TIMEOUT = "keepalive.client.advertised.timeout";

	/**
	 * Changes of an origin's learnt idle cutoff; tags {@code direction} ({@code down}: a failure lowered it,
	 * {@code up}: probes lifted it), {@code origin}, {@code engine}.
	 */
	public static final String CUTOFF_CHANGES = "keepalive.client.idle.cutoff.changes";

	/**
	 * The safety margin in force for an origin, once its first exchange measured the path; tags {@code origin},
	 * {@code engine}. Origins that share the {@code other} tag show the first of them.
	 */
	public static final String SAFETY_MARGIN = "keepalive.client.safety.margin";

	private final MeterRegistry registry;

	private final OriginTags origins;

	/**
	 * Create the metrics.
	 * @param registry where to record
	 * @param origins the bounded origin tag
	 */
	public KeepAliveClientMetrics(MeterRegistry registry, OriginTags origins) {
		this.registry = registry;
		this.origins = origins;
	}

	@Override
	public void connectionDiscarded(Origin origin, DiscardReason reason) {
		Counter.builder(DISCARDED)
			.description("Pooled connections closed instead of reused, by reason")
			.tag("reason", reason.tag())
			.tag("origin", this.origins.of(origin))
			.tag("engine", origin.engine().tag())
			.register(this.registry)
			.increment();
	}

	@Override
	public void idleCutoffChanged(Origin origin, long cutoffMillis, boolean lowered) {
		Counter.builder(CUTOFF_CHANGES)
			.description("Changes of an origin's learnt idle cutoff: down after a stale failure, up after probes")
			.tag("direction", lowered ? "down" : "up")
			.tag("origin", this.origins.of(origin))
			.tag("engine", origin.engine().tag())
			.register(this.registry)
			.increment();
	}

	@Override
	public void safetyMarginChanged(Origin origin) {
		// Registered once per tag set; the gauge reads the origin's margin, which follows the path.
		TimeGauge.builder(SAFETY_MARGIN, origin, TimeUnit.MILLISECONDS, Origin::safetyMarginMillis)
			.description("How far below the server's idle timeout connections stop being reused")
			.tag("origin", this.origins.of(origin))
			.tag("engine", origin.engine().tag())
			.register(this.registry);
	}

	@Override
	public void timeoutAdvertised(Origin origin, long timeoutSeconds) {
		DistributionSummary.builder(ADVERTISED_TIMEOUT)
			.description("Keep-Alive timeouts advertised by servers")
			.baseUnit("seconds")
			.tag("origin", this.origins.of(origin))
			.tag("engine", origin.engine().tag())
			.register(this.registry)
			.record(timeoutSeconds);
	}

}
