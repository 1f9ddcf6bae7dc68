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
 * {@code keepalive.client.safety.margin}, and on HTTP/2 {@code keepalive.client.http2.goaway} by error code,
 * {@code keepalive.client.http2.refused.streams} and {@code keepalive.client.http2.ping.failures}, tagged with the
 * (bounded) origin and the engine.
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

	/** HTTP/2 GOAWAY frames received; tags {@code error} (RFC 9113 section 7 name), {@code origin}, {@code engine}. */
	public static final String GOAWAY = "keepalive.client.http2.goaway";

	/** HTTP/2 streams reset with REFUSED_STREAM; tags {@code origin}, {@code engine}. */
	public static final String REFUSED_STREAMS = "keepalive.client.http2.refused.streams";

	/** HTTP/2 connections closed because a PING went unanswered; tags {@code origin}, {@code engine}. */
	public static final String PING_FAILURES = "keepalive.client.http2.ping.failures";

	/** RFC 9113 section 7's error codes, by value. */
	private static final String[] ERROR_CODES = { "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR",
			"FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL",
			"COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED" };

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

	@Override
	public void goAwayReceived(Origin origin, long errorCode) {
		Counter.builder(GOAWAY)
			.description("HTTP/2 GOAWAY frames received, by error code")
			.tag("error", (errorCode >= 0 && errorCode < ERROR_CODES.length) ? ERROR_CODES[(int) errorCode] : "unknown")
			.tag("origin", this.origins.of(origin))
			.tag("engine", origin.engine().tag())
			.register(this.registry)
			.increment();
	}

	@Override
	public void streamRefused(Origin origin) {
		Counter.builder(REFUSED_STREAMS)
			.description("HTTP/2 streams the server reset with REFUSED_STREAM (not processed)")
			.tag("origin", this.origins.of(origin))
			.tag("engine", origin.engine().tag())
			.register(this.registry)
			.increment();
	}

	@Override
	public void pingFailed(Origin origin) {
		Counter.builder(PING_FAILURES)
			.description("HTTP/2 connections closed because a PING went unanswered")
			.tag("origin", this.origins.of(origin))
			.tag("engine", origin.engine().tag())
			.register(this.registry)
			.increment();
	}

}
