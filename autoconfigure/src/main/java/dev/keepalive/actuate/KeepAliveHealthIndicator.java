package dev.keepalive.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code keepalive} health component. Always UP: a client library must never take an application's
 * health down. Its details say what the pool is doing: connections, the idle cutoff per origin (the first
 * {@value #MAX_ORIGINS}), resets and resends over the last five minutes, and what the server advertises.
 */
public class KeepAliveHealthIndicator implements HealthIndicator {

	/** The most origins listed in the details. */
	static final int MAX_ORIGINS = 20;

	private final KeepAliveReport report;

	/**
	 * Create the indicator.
	 * @param report where the numbers come from
	 */
	public KeepAliveHealthIndicator(KeepAliveReport report) {
		this.report = report;
	}

	@Override
	public Health health() {
		Health.Builder health = Health.up();
		KeepAliveReport.ClientSummary client = this.report.client(System.currentTimeMillis());
		if (client != null) {
			health.withDetail("client", client);
			List<KeepAliveReport.OriginDescriptor> origins = this.report.origins();
			Map<String, String> cutoffs = new LinkedHashMap<>();
			origins.stream()
				.limit(MAX_ORIGINS)
				.forEach((origin) -> cutoffs.put(origin.origin(),
						origin.idleCutoffMillis() + " ms (" + origin.idleCutoffSource() + ")"));
			health.withDetail("idleCutoffs", cutoffs);
			if (origins.size() > MAX_ORIGINS) {
				health.withDetail("moreOrigins", origins.size() - MAX_ORIGINS);
			}
		}
		KeepAliveReport.ServerDescriptor server = this.report.server();
		if (server != null) {
			health.withDetail("server", server);
		}
		return health.build();
	}

}
