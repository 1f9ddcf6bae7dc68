package dev.keepalive.client;

/**
 * Why the pool closed a connection instead of handing it out again.
 */
public enum DiscardReason {

	/** Idle past the advertised {@code Keep-Alive} timeout less the safety margin. */
	ADVERTISED_TIMEOUT("advertised-timeout"),

	/** Idle past {@code default-idle-timeout}: the server advertised nothing. */
	DEFAULT_TIMEOUT("default-timeout"),

	/** Idle past the cutoff learnt from an earlier failure of the origin's reused connections. */
	LEARNT_TIMEOUT("learnt-timeout"),

	/** Idle past {@code hosts.<origin>.idle-timeout} less the safety margin. */
	HOST_TIMEOUT("host-timeout"),

	/** Carried the advertised {@code max} requests. */
	MAX_REQUESTS("max-requests"),

	/** Older than {@code max-life-time}. */
	MAX_LIFE("max-life"),

	/** Idle when a sibling connection to the same origin failed as stale. */
	PURGED_AFTER_RESET("purged-after-reset");

	private final String tag;

	DiscardReason(String tag) {
		this.tag = tag;
	}

	/**
	 * The reason as a metric tag value.
	 * @return the tag
	 */
	public String tag() {
		return this.tag;
	}

}
