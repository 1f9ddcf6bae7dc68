package dev.keepalive.client;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.keepalive.client.KeepAliveClientProperties.Host;
import dev.keepalive.client.ReuseLimits.Source;

/**
 * Turns configuration and what a server advertises into {@link ReuseLimits} for a connection.
 * <p>
 * An advertised {@code timeout=N} is capped by {@code max-idle-timeout}; the connection is then reused only
 * while it has been idle for less than {@code N} less its origin's margin ({@link Margin}), or {@code N / 2}
 * when {@code N} is not longer than the margin. Without a usable header, {@code default-idle-timeout} applies
 * as is. A per-host {@code idle-timeout} replaces the advertised value; {@code ignore-advertised} discards the
 * header. Immutable and thread-safe.
 */
public final class KeepAlivePolicy {

	private final long safetyMarginMillis;

	private final long maxIdleTimeoutMillis;

	private final OriginPolicy defaults;

	private final Map<String, OriginPolicy> hosts;

	private final Learning learning;

	private final Margin margin;

	/**
	 * Create a policy from validated properties.
	 * @param properties the client properties
	 */
	public KeepAlivePolicy(KeepAliveClientProperties properties) {
		properties.validate();
		this.safetyMarginMillis = properties.getSafetyMargin().toMillis();
		this.maxIdleTimeoutMillis = properties.getMaxIdleTimeout().toMillis();
		long defaultIdleMillis = properties.getDefaultIdleTimeout().toMillis();
		this.defaults = new OriginPolicy(defaultIdleMillis, null, false);
		Map<String, OriginPolicy> hosts = new HashMap<>();
		properties.getHosts().forEach((key, host) -> hosts.put(HostKey.normalize(key), originPolicy(defaultIdleMillis, host)));
		this.hosts = Map.copyOf(hosts);
		this.margin = new Margin(properties.isAdaptiveMargin(),
				Math.min(properties.getMinSafetyMargin().toMillis(), this.safetyMarginMillis), this.safetyMarginMillis);
		KeepAliveClientProperties.Learn learn = properties.getLearn();
		this.learning = new Learning(learn.isEnabled(), learn.getMinIdleTimeout().toMillis(), this.safetyMarginMillis,
				learn.isEnabled() && learn.isProbe() && properties.getRetry().isEnabled(),
				learn.getProbeInterval().toMillis());
	}

	private OriginPolicy originPolicy(long defaultIdleMillis, Host host) {
		Duration idleTimeout = host.getIdleTimeout();
		return new OriginPolicy(defaultIdleMillis, (idleTimeout != null) ? idleTimeout.toMillis() : null,
				host.isIgnoreAdvertised());
	}

	/**
	 * How failures of reused connections lower an origin's idle cutoff.
	 * @return the learning settings
	 */
	public Learning learning() {
		return this.learning;
	}

	/**
	 * How far below a server's idle timeout its connections stop being reused.
	 * @return the margin settings
	 */
	public Margin margin() {
		return this.margin;
	}

	/**
	 * The limits of a connection that has not told us anything yet.
	 * @return the default limits
	 */
	public ReuseLimits defaultLimits() {
		return this.defaults.unadvertised;
	}

	/**
	 * The policy for one origin, taking per-host overrides into account.
	 * @param host the host as written in the request URL
	 * @param port the port, explicit or the scheme's default
	 * @return the origin's policy
	 */
	public OriginPolicy forOrigin(String host, int port) {
		if (this.hosts.isEmpty() || host == null) {
			return this.defaults;
		}
		OriginPolicy policy = this.hosts.get(HostKey.of(host, port));
		return (policy != null) ? policy : this.hosts.getOrDefault(HostKey.normalize(host), this.defaults);
	}

	/**
	 * The policy for the origin of a request URL.
	 * @param url an absolute URL, as Reactor Netty reports it
	 * @return the origin's policy, or the defaults if the URL cannot be parsed
	 */
	public OriginPolicy forUrl(String url) {
		if (this.hosts.isEmpty()) {
			return this.defaults;
		}
		HostKey.Address origin = HostKey.addressOf(url);
		return (origin != null) ? forOrigin(origin.host(), origin.port()) : this.defaults;
	}

	/**
	 * Learning from failures: a reused connection that failed after being idle for {@code A} shows that the
	 * path closes idle connections at or before {@code A}; treat {@code A} like an advertised timeout, but
	 * never go below the floor. Probes, requests that may be sent again, find out when that stops being true.
	 *
	 * @param enabled whether to learn at all
	 * @param minIdleCutoffMillis the floor, ms
	 * @param safetyMarginMillis the margin kept below {@code A}, ms
	 * @param probe whether requests that may be sent again probe connections idle past a learnt cutoff (needs
	 * the resends: a probe that fails goes out again)
	 * @param probeIntervalMillis at most one probe per origin in this time, ms
	 */
	public record Learning(boolean enabled, long minIdleCutoffMillis, long safetyMarginMillis, boolean probe,
			long probeIntervalMillis) {

		/**
		 * The idle cutoff that avoids a failure seen after {@code idleMillis}.
		 * @param idleMillis how long the failed connection had been idle
		 * @return the cutoff, at least the floor
		 */
		public long cutoffBelow(long idleMillis) {
			return Math.max(this.minIdleCutoffMillis, ReuseLimits.below(idleMillis, this.safetyMarginMillis));
		}

	}

	/**
	 * How far below a server's idle timeout a connection stops being reused. Fixed, it is
	 * {@code safety-margin} (undici keeps 2 s, Node's agent 1 s, urllib 0.5 s). Adaptive, it is what the path to
	 * each origin needs, between the floor and {@code safety-margin}: see {@link PathMargin}.
	 *
	 * @param adaptive whether each origin's margin follows its path
	 * @param floorMillis the smallest adaptive margin, ms
	 * @param capMillis the largest margin, and the margin when not adaptive, ms
	 */
	public record Margin(boolean adaptive, long floorMillis, long capMillis) {
	}

	/**
	 * What one origin's connections may do, given what the origin advertises.
	 */
	public final class OriginPolicy {

		private final ReuseLimits unadvertised;

		private final boolean ignoreAdvertised;

		private OriginPolicy(long defaultIdleMillis, Long overrideTimeoutMillis, boolean ignoreAdvertised) {
			this.unadvertised = (overrideTimeoutMillis != null)
					? new ReuseLimits(overrideTimeoutMillis, ReuseLimits.UNLIMITED, Source.HOST_OVERRIDE)
					: new ReuseLimits(defaultIdleMillis, ReuseLimits.UNLIMITED, Source.DEFAULT);
			this.ignoreAdvertised = ignoreAdvertised;
		}

		/**
		 * The limits for a connection whose server sent this header.
		 * @param header the parsed header, or {@code null} if none was usable
		 * @return the limits
		 */
		public ReuseLimits limits(KeepAliveHeader header) {
			if (header == null || this.ignoreAdvertised) {
				return this.unadvertised;
			}
			boolean useTimeout = header.hasTimeout() && this.unadvertised.source() != Source.HOST_OVERRIDE;
			long idleTimeout = useTimeout
					? Math.min(Math.multiplyExact(header.timeoutSeconds(), 1000L), maxIdleTimeoutMillis)
					: this.unadvertised.idleTimeoutMillis();
			long maxRequests = header.hasMaxRequests() ? header.maxRequests() : ReuseLimits.UNLIMITED;
			return new ReuseLimits(idleTimeout, maxRequests, useTimeout ? Source.ADVERTISED : this.unadvertised.source());
		}

	}

}
