package dev.keepalive.client;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The origins the pool has connected to, so that what one connection's failure teaches applies to its
 * siblings. Consulted once per new connection, never per request. Bounded: past {@link #MAX_ORIGINS}, a new
 * origin's connections get their own short-lived record and learn nothing.
 */
public final class Origins {

	/** The most origins remembered. */
	public static final int MAX_ORIGINS = 1024;

	private final KeepAlivePolicy policy;

	private final KeepAliveClientEvents events;

	private final RecentActivity recent = new RecentActivity();

	private final Map<Key, Origin> origins = new ConcurrentHashMap<>();

	/**
	 * Create a registry that tells no one what happens.
	 * @param policy the policy each origin's connections follow
	 */
	public Origins(KeepAlivePolicy policy) {
		this(policy, KeepAliveClientEvents.NONE);
	}

	/**
	 * Create a registry.
	 * @param policy the policy each origin's connections follow
	 * @param events told what the pool does and learns
	 */
	public Origins(KeepAlivePolicy policy, KeepAliveClientEvents events) {
		this.policy = policy;
		this.events = events;
	}

	/**
	 * Resets and resends of the last five minutes, all origins together.
	 * @return the recent activity
	 */
	public RecentActivity recent() {
		return this.recent;
	}

	/**
	 * The policy behind every origin.
	 * @return the policy
	 */
	public KeepAlivePolicy policy() {
		return this.policy;
	}

	/**
	 * The origins seen so far.
	 * @return an unmodifiable view
	 */
	public Collection<Origin> all() {
		return Collections.unmodifiableCollection(this.origins.values());
	}

	/**
	 * The origin of a request URL, as Reactor Netty reports it.
	 * @param engine the engine whose pool connects there
	 * @param url an absolute URL
	 * @return its origin; a URL that cannot be parsed gets an unregistered record with the default policy
	 */
	public Origin forUrl(ClientEngine engine, String url) {
		HostKey.Address address = HostKey.addressOf(url);
		if (address == null) {
			// Unparseable: served with the defaults, learning nothing for others.
			return newOrigin(String.valueOf(url), engine, null, -1);
		}
		return forAddress(engine, address.host(), address.port());
	}

	/**
	 * The origin of a scheme, host and port.
	 * @param engine the engine whose pool connects there
	 * @param scheme the scheme, which implies the port when none is given
	 * @param host the host name or address
	 * @param port the port, or -1 for the scheme's default
	 * @return its origin
	 */
	public Origin forAddress(ClientEngine engine, String scheme, String host, int port) {
		return forAddress(engine, host, (port >= 0) ? port : HostKey.defaultPort(scheme));
	}

	private Origin forAddress(ClientEngine engine, String host, int port) {
		String key = HostKey.of(host, port);
		Key registryKey = new Key(engine, key);
		Origin origin = this.origins.get(registryKey);
		if (origin != null) {
			return origin;
		}
		if (this.origins.size() >= MAX_ORIGINS) {
			return newOrigin(key, engine, host, port);
		}
		return this.origins.computeIfAbsent(registryKey, (k) -> newOrigin(key, engine, host, port));
	}

	/** Each engine's pool learns on its own. */
	/**
	 * The key of an origin in reports and metrics: the host in lower case, a colon and the port.
	 * @param host the host name or address
	 * @param port the port
	 * @return {@code host:port}
	 */
	public static String keyOf(String host, int port) {
		return HostKey.of(host, port);
	}

	private record Key(ClientEngine engine, String origin) {
	}

	private Origin newOrigin(String key, ClientEngine engine, String host, int port) {
		return new Origin(key, engine, this.policy.forOrigin(host, port), this.policy.learning(), this.policy.margin(), this.events,
				this.recent);
	}

}
