package dev.keepalive.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Configuration of the keep-alive-aware client pool shared by RestTemplate, RestClient and WebClient.
 */
@ConfigurationProperties(KeepAliveClientProperties.PREFIX)
public class KeepAliveClientProperties implements InitializingBean {

	/** The prefix of every client property. */
	public static final String PREFIX = "keepalive.client";

	/**
	 * Whether the keep-alive-aware pool is applied to Boot's HTTP clients. When false, Boot's defaults are
	 * left untouched.
	 */
	private boolean enabled = true;

	/**
	 * How long a connection may stay idle and still be reused when the server advertises no Keep-Alive
	 * timeout. Used as is (no safety margin), like undici's and EggJS's 4s.
	 */
	private Duration defaultIdleTimeout = Duration.ofSeconds(4);

	/**
	 * The largest margin before a server's idle timeout (advertised, or a host's idle-timeout) at which a
	 * connection stops being reused, and the margin itself when adaptive-margin is off. When the timeout is not
	 * longer than the margin, the connection is reused only within half of the timeout.
	 */
	private Duration safetyMargin = Duration.ofSeconds(1);

	/**
	 * Whether each origin's margin follows what its path needs: min-safety-margin plus the shortest recent
	 * round trip of its exchanges, at most safety-margin; safety-margin after a connection failed inside it.
	 */
	private boolean adaptiveMargin = true;

	/**
	 * The smallest adaptive margin, for the event loop's and the server's timer jitter; safety-margin when
	 * that is smaller.
	 */
	private Duration minSafetyMargin = Duration.ofMillis(50);

	/** Upper bound for an advertised idle timeout, so that a huge or hostile value cannot pin connections. */
	private Duration maxIdleTimeout = Duration.ofMinutes(5);

	/** Maximum time a connection is kept from its creation, whatever it advertises. Unset means no limit. */
	private Duration maxLifeTime;

	/**
	 * How often a background sweep closes idle connections that may no longer be reused (Reactor Netty; Apache
	 * HttpClient runs its own sweep and checks on lease).
	 */
	private Duration evictionInterval = Duration.ofSeconds(1);

	/**
	 * Maximum number of connections per remote address in the shared Reactor Netty pool. The default is that of
	 * Reactor Netty's global pool, which plain Boot's clients use.
	 */
	private int maxConnections = 500;

	/** Maximum time to wait for a connection of the shared Reactor Netty pool when all are in use. */
	private Duration pendingAcquireTimeout = Duration.ofSeconds(45);

	/**
	 * Maximum number of requests waiting for a connection of the shared Reactor Netty pool, per remote address;
	 * more fail at once. The
	 * default is that of Reactor Netty's global pool, which plain Boot's clients use. -1 means no limit.
	 */
	private int pendingAcquireMaxCount = 1000;

	/**
	 * Per-origin settings, keyed by "host" or "host:port", for origins behind a proxy or load balancer whose
	 * idle timeout differs from what the origin advertises.
	 */
	private Map<String, Host> hosts = new LinkedHashMap<>();

	/**
	 * Whether a connection's first HTTP/1.1 request carries "Connection: keep-alive" (HTTP/1.1's default, so
	 * harmless), unless it sets a Connection header of its own. Apache httpd and Tomcat advertise their
	 * Keep-Alive timeout only to requests that ask so (Reactor Netty; Apache HttpClient 5 always asks).
	 */
	private boolean sendConnectionKeepAlive = true;

	/** Resending a request whose reused connection turned out to be closed, when that is provably safe. */
	private final Retry retry = new Retry();

	/** Lowering an origin's idle cutoff after its reused connections fail. */
	private final Learn learn = new Learn();

	/** TCP keepalive on the pool's connections: finds idle connections a NAT or load balancer dropped silently. */
	private final TcpKeepAlive tcpKeepAlive = new TcpKeepAlive();

	/**
	 * The HTTP version of the Reactor Netty clients (WebClient, and RestClient/RestTemplate when they run on
	 * Reactor Netty): "default" leaves it as Boot and your customizers set it (HTTP/1.1 unless one switches);
	 * "h2" negotiates HTTP/2 by ALPN over TLS, with HTTP/1.1 when the server declines, and keeps cleartext
	 * origins on HTTP/1.1; "h2c" speaks HTTP/2 to cleartext origins by prior knowledge (RFC 9113 section 3.3)
	 * and negotiates h2 over TLS. Apache HttpClient 5 classic speaks HTTP/1.1 only.
	 */
	private Protocol protocol = Protocol.DEFAULT;

	/** HTTP/2 connections: PING liveness. */
	private final Http2 http2 = new Http2();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getDefaultIdleTimeout() {
		return this.defaultIdleTimeout;
	}

	public void setDefaultIdleTimeout(Duration defaultIdleTimeout) {
		this.defaultIdleTimeout = defaultIdleTimeout;
	}

	public Duration getSafetyMargin() {
		return this.safetyMargin;
	}

	public void setSafetyMargin(Duration safetyMargin) {
		this.safetyMargin = safetyMargin;
	}

	public boolean isAdaptiveMargin() {
		return this.adaptiveMargin;
	}

	public void setAdaptiveMargin(boolean adaptiveMargin) {
		this.adaptiveMargin = adaptiveMargin;
	}

	public Duration getMinSafetyMargin() {
		return this.minSafetyMargin;
	}

	public void setMinSafetyMargin(Duration minSafetyMargin) {
		this.minSafetyMargin = minSafetyMargin;
	}

	public Duration getMaxIdleTimeout() {
		return this.maxIdleTimeout;
	}

	public void setMaxIdleTimeout(Duration maxIdleTimeout) {
		this.maxIdleTimeout = maxIdleTimeout;
	}

	public Duration getMaxLifeTime() {
		return this.maxLifeTime;
	}

	public void setMaxLifeTime(Duration maxLifeTime) {
		this.maxLifeTime = maxLifeTime;
	}

	public Duration getEvictionInterval() {
		return this.evictionInterval;
	}

	public void setEvictionInterval(Duration evictionInterval) {
		this.evictionInterval = evictionInterval;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public Duration getPendingAcquireTimeout() {
		return this.pendingAcquireTimeout;
	}

	public void setPendingAcquireTimeout(Duration pendingAcquireTimeout) {
		this.pendingAcquireTimeout = pendingAcquireTimeout;
	}

	public int getPendingAcquireMaxCount() {
		return this.pendingAcquireMaxCount;
	}

	public void setPendingAcquireMaxCount(int pendingAcquireMaxCount) {
		this.pendingAcquireMaxCount = pendingAcquireMaxCount;
	}

	public boolean isSendConnectionKeepAlive() {
		return this.sendConnectionKeepAlive;
	}

	public void setSendConnectionKeepAlive(boolean sendConnectionKeepAlive) {
		this.sendConnectionKeepAlive = sendConnectionKeepAlive;
	}

	public Map<String, Host> getHosts() {
		return this.hosts;
	}

	public void setHosts(Map<String, Host> hosts) {
		this.hosts = hosts;
	}

	public Retry getRetry() {
		return this.retry;
	}

	public Learn getLearn() {
		return this.learn;
	}

	public TcpKeepAlive getTcpKeepAlive() {
		return this.tcpKeepAlive;
	}

	public Protocol getProtocol() {
		return this.protocol;
	}

	public void setProtocol(Protocol protocol) {
		this.protocol = protocol;
	}

	public Http2 getHttp2() {
		return this.http2;
	}

	/** Validates once bound, so that a bad value stops startup even when the user replaces our beans. */
	@Override
	public void afterPropertiesSet() {
		validate();
	}

	/**
	 * Fail fast, naming the property and the fix, instead of misbehaving at the first request.
	 * @throws InvalidConfigurationPropertyValueException on the first invalid value
	 */
	public void validate() {
		requirePositive("default-idle-timeout", this.defaultIdleTimeout);
		requireNotNegative("safety-margin", this.safetyMargin);
		requireNotNegative("min-safety-margin", this.minSafetyMargin);
		requirePositive("max-idle-timeout", this.maxIdleTimeout);
		if (this.maxLifeTime != null) {
			requirePositive("max-life-time", this.maxLifeTime);
		}
		requirePositive("eviction-interval", this.evictionInterval);
		requirePositive("pending-acquire-timeout", this.pendingAcquireTimeout);
		if (this.pendingAcquireMaxCount < 1 && this.pendingAcquireMaxCount != -1) {
			throw invalid("pending-acquire-max-count", this.pendingAcquireMaxCount, "must be at least 1, or -1 for no limit");
		}
		if (this.maxConnections < 1) {
			throw invalid("max-connections", this.maxConnections, "must be at least 1; remove it for the default, 500");
		}
		if (this.retry.maxAttempts < 1) {
			throw invalid("retry.max-attempts", this.retry.maxAttempts,
					"must be at least 1 (1 never resends); set retry.enabled=false to turn resending off");
		}
		requireNotNegative("retry.backoff", this.retry.backoff);
		requireMethods("retry.methods", this.retry.methods);
		requireMethods("retry.additional-methods", this.retry.additionalMethods);
		for (String header : this.retry.idempotencyKeyHeaders) {
			if (header == null || header.isBlank() || header.chars().anyMatch((c) -> c <= ' ' || c == ':')) {
				throw invalid("retry.idempotency-key-headers", header, "must list header names, e.g. Idempotency-Key");
			}
		}
		requireWholeSeconds("tcp-keep-alive.idle", this.tcpKeepAlive.idle);
		requireWholeSeconds("tcp-keep-alive.interval", this.tcpKeepAlive.interval);
		if (this.tcpKeepAlive.count < 1) {
			throw invalid("tcp-keep-alive.count", this.tcpKeepAlive.count, "must be at least 1");
		}
		requireNotNegative("http2.ping-interval", this.http2.pingInterval);
		requirePositive("http2.ping-ack-timeout", this.http2.pingAckTimeout);
		requirePositive("learn.min-idle-timeout", this.learn.minIdleTimeout);
		requirePositive("learn.probe-interval", this.learn.probeInterval);
		if (this.maxIdleTimeout.compareTo(this.defaultIdleTimeout) < 0) {
			// The cap would leave an origin that advertises less reuse than one that advertises nothing.
			throw invalid("max-idle-timeout", this.maxIdleTimeout, "is below " + PREFIX + ".default-idle-timeout ("
					+ format(this.defaultIdleTimeout) + "), so an origin advertising a timeout would be reused for less "
					+ "than a silent one; raise max-idle-timeout or lower default-idle-timeout");
		}
		this.hosts.forEach((origin, host) -> {
			if (!HostKey.isValid(origin)) {
				throw invalid("hosts." + origin, origin, "the key must be \"host\" or \"host:port\"; in YAML write it as \"[host:port]\"");
			}
			if (host.getIdleTimeout() != null) {
				requirePositive("hosts." + origin + ".idle-timeout", host.getIdleTimeout());
			}
		});
	}

	/** Method names are tokens (RFC 9110 section 9.1, 5.6.2): letters, digits and !#$%&'*+-.^_`|~. */
	private static void requireMethods(String name, List<String> methods) {
		for (String method : methods) {
			if (method == null || method.isEmpty() || !method.chars().allMatch(KeepAliveClientProperties::isTokenChar)) {
				throw invalid(name, method, "must list HTTP method names (RFC 9110 tokens), e.g. GET,PUT");
			}
		}
	}

	private static boolean isTokenChar(int c) {
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
	}

	/** The kernel counts TCP keepalive in whole seconds. */
	private static void requireWholeSeconds(String name, Duration value) {
		requirePositive(name, value);
		if (value.toMillis() % 1000 != 0) {
			throw invalid(name, value, "must be whole seconds (the kernel counts TCP keepalive in seconds), e.g. "
					+ Math.max(1, value.toSeconds()) + "s");
		}
	}

	/** A duration as it is written in configuration: {@code 10s}, {@code 1500ms}. */
	private static String format(Duration value) {
		long millis = value.toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
	}

	private static void requirePositive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw invalid(name, value, "must be a positive duration, e.g. 4s");
		}
	}

	private static void requireNotNegative(String name, Duration value) {
		if (value == null || value.isNegative()) {
			throw invalid(name, value, "must be zero or a positive duration, e.g. 1s");
		}
	}

	private static InvalidConfigurationPropertyValueException invalid(String name, Object value, String reason) {
		return new InvalidConfigurationPropertyValueException(PREFIX + "." + name, value, reason);
	}

	/**
	 * Settings for one origin.
	 */
	public static class Host {

		/**
		 * The idle timeout of the path to this origin (for example the load balancer's), used instead of
		 * whatever the origin advertises. The safety margin is subtracted as for an advertised timeout.
		 */
		private Duration idleTimeout;

		/**
		 * Whether to ignore the origin's Keep-Alive header (it describes another hop) and use the idle
		 * timeout above or the default.
		 */
		private boolean ignoreAdvertised;

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public boolean isIgnoreAdvertised() {
			return this.ignoreAdvertised;
		}

		public void setIgnoreAdvertised(boolean ignoreAdvertised) {
			this.ignoreAdvertised = ignoreAdvertised;
		}

	}

	/**
	 * Resending a request that failed on a reused connection before any response byte arrived.
	 */
	public static class Retry {

		/** The idempotent methods of RFC 9110 section 9.2.2: the default of {@code methods}. */
		public static final List<String> IDEMPOTENT_METHODS = List.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT",
				"DELETE");

		/**
		 * Whether a request that failed on a reused connection is resent on a new one when that is safe
		 * (idempotent method, idempotency key or conditional request; no response received).
		 */
		private boolean enabled = true;

		/** Maximum number of attempts of one request, the first included: 2 means one resend. */
		private int maxAttempts = 2;

		/**
		 * Methods that may be resent without an idempotency key. Defaults to the idempotent methods of RFC
		 * 9110 section 9.2.2. Setting it replaces the list: to add a method, use additional-methods.
		 */
		private List<String> methods = new ArrayList<>(IDEMPOTENT_METHODS);

		/**
		 * Methods resent without an idempotency key in addition to "methods", e.g. POST for an API whose
		 * POSTs are idempotent.
		 */
		private List<String> additionalMethods = new ArrayList<>();

		/** Request headers whose presence makes any request safe to resend. */
		private List<String> idempotencyKeyHeaders = new ArrayList<>(List.of("Idempotency-Key", "X-Idempotency-Key"));

		/** Pause before a resend. The default, zero, resends at once: the new connection is the cure. */
		private Duration backoff = Duration.ZERO;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public List<String> getMethods() {
			return this.methods;
		}

		public void setMethods(List<String> methods) {
			this.methods = upperCase(methods);
		}

		public List<String> getAdditionalMethods() {
			return this.additionalMethods;
		}

		public void setAdditionalMethods(List<String> additionalMethods) {
			this.additionalMethods = upperCase(additionalMethods);
		}

		/**
		 * The methods resent without an idempotency key: {@code methods} and {@code additional-methods}.
		 * @return the methods, upper case, in order, without repeats
		 */
		public Set<String> resendableMethods() {
			Set<String> all = new LinkedHashSet<>(this.methods);
			all.addAll(this.additionalMethods);
			return all;
		}

		private static List<String> upperCase(List<String> methods) {
			return methods.stream().map((method) -> (method != null) ? method.trim().toUpperCase(Locale.ROOT) : null)
				.collect(Collectors.toCollection(ArrayList::new));
		}

		public List<String> getIdempotencyKeyHeaders() {
			return this.idempotencyKeyHeaders;
		}

		public void setIdempotencyKeyHeaders(List<String> idempotencyKeyHeaders) {
			this.idempotencyKeyHeaders = idempotencyKeyHeaders;
		}

		public Duration getBackoff() {
			return this.backoff;
		}

		public void setBackoff(Duration backoff) {
			this.backoff = backoff;
		}

	}

	/**
	 * Learning an origin's real idle timeout from failures, when it advertises none.
	 */
	public static class Learn {

		/**
		 * Whether a reused connection that fails before any response byte lowers its origin's idle cutoff
		 * below the idle time it failed after (only for origins that advertise no Keep-Alive timeout; an
		 * advertised timeout or a hosts override wins).
		 */
		private boolean enabled = true;

		/** The lowest idle cutoff learning may set. */
		private Duration minIdleTimeout = Duration.ofSeconds(1);

		/**
		 * Whether requests that may be sent again (idempotent or keyed, replayable body) probe connections idle
		 * past a learnt cutoff, so that the cutoff is lifted once the path keeps connections again. A probe
		 * that fails is resent on a new connection; other requests never get such a connection. Needs
		 * retry.enabled.
		 */
		private boolean probe = true;

		/**
		 * At most one probe per origin in this time. While the path still cuts, each probe costs one resend;
		 * once it keeps connections again, the first probe lifts the cutoff.
		 */
		private Duration probeInterval = Duration.ofSeconds(2);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getMinIdleTimeout() {
			return this.minIdleTimeout;
		}

		public boolean isProbe() {
			return this.probe;
		}

		public void setProbe(boolean probe) {
			this.probe = probe;
		}

		public Duration getProbeInterval() {
			return this.probeInterval;
		}

		public void setProbeInterval(Duration probeInterval) {
			this.probeInterval = probeInterval;
		}

		public void setMinIdleTimeout(Duration minIdleTimeout) {
			this.minIdleTimeout = minIdleTimeout;
		}

	}

	/**
	 * TCP keepalive on the pool's connections (SO_KEEPALIVE with TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT):
	 * the kernel probes a connection idle this long, so that a NAT, firewall or load balancer that drops idle
	 * flows without FIN or RST neither forgets the flow nor leaves a dead connection in the pool.
	 */
	public static class TcpKeepAlive {

		/** Whether the pool's connections use TCP keepalive. */
		private boolean enabled = true;

		/** Idle time before the first probe, in whole seconds. Below the shortest idle timeout on the path. */
		private Duration idle = Duration.ofSeconds(60);

		/** Time between probes that go unanswered, in whole seconds. */
		private Duration interval = Duration.ofSeconds(10);

		/** Unanswered probes after which the kernel closes the connection. */
		private int count = 3;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getIdle() {
			return this.idle;
		}

		public void setIdle(Duration idle) {
			this.idle = idle;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public int getCount() {
			return this.count;
		}

		public void setCount(int count) {
			this.count = count;
		}

	}

	/** The HTTP version of the Reactor Netty clients. */
	public enum Protocol {

		/** As Boot and the application's customizers set it: HTTP/1.1 unless a customizer switches. */
		DEFAULT,

		/** HTTP/2 by ALPN over TLS, HTTP/1.1 when the server declines; cleartext origins on HTTP/1.1. */
		H2,

		/** HTTP/2 by prior knowledge on cleartext origins, by ALPN over TLS. */
		H2C

	}

	/**
	 * HTTP/2 connections (Reactor Netty). An idle connection and one whose response has been silent this long
	 * are probed with a PING (RFC 9113 section 6.7, Reactor Netty's health check, Go's ReadIdleTimeout); one
	 * that does not answer within the ack timeout is closed and never handed out again. A server that answers
	 * PINGs with GOAWAY(ENHANCE_YOUR_CALM) doubles its origin's interval, up to 16 times.
	 */
	public static class Http2 {

		/** How long a connection may be silent (no frame read or written) before it is probed. 0 turns PING off. */
		private Duration pingInterval = Duration.ofSeconds(30);

		/** How long a PING may go unanswered before the connection is closed. */
		private Duration pingAckTimeout = Duration.ofSeconds(5);

		public Duration getPingInterval() {
			return this.pingInterval;
		}

		public void setPingInterval(Duration pingInterval) {
			this.pingInterval = pingInterval;
		}

		public Duration getPingAckTimeout() {
			return this.pingAckTimeout;
		}

		public void setPingAckTimeout(Duration pingAckTimeout) {
			this.pingAckTimeout = pingAckTimeout;
		}

	}

}
