package dev.keepalive.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.keepalive.server.KeepAliveAdvertisement;

/**
 * {@code keepalive.server.advertised.timeout}: the idle timeout the server advertises, in seconds (NaN while
 * it advertises nothing).
 */
public class KeepAliveServerMetrics implements MeterBinder {

	/** The advertised timeout gauge. */
	public static final String ADVERTISED_TIMEOUT = "keepalive.server.advertised.timeout";

	private final KeepAliveAdvertisement advertisement;

	/**
	 * Create the binder.
	 * @param advertisement what the server advertises
	 */
	public KeepAliveServerMetrics(KeepAliveAdvertisement advertisement) {
		this.advertisement = advertisement;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(ADVERTISED_TIMEOUT, this.advertisement, KeepAliveServerMetrics::timeout)
			.description("The Keep-Alive timeout this server advertises")
			.baseUnit("seconds")
			.register(registry);
	}

	private static double timeout(KeepAliveAdvertisement advertisement) {
		long seconds = advertisement.timeoutSeconds();
		return (seconds < 0) ? Double.NaN : seconds;
	}

}
