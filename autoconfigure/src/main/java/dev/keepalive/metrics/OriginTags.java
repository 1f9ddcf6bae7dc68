package dev.keepalive.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.keepalive.client.Origin;

/**
 * The {@code origin} tag's values, bounded: the first {@code max} origins seen get their own, the rest
 * share {@code other}, so that a client calling many hosts cannot flood the registry.
 */
public final class OriginTags {

	/** The tag value shared by origins past the bound. */
	public static final String OTHER = "other";

	private final int max;

	private final Set<String> admitted = ConcurrentHashMap.newKeySet();

	/**
	 * Create a bound.
	 * @param max the most origins with their own tag value
	 */
	public OriginTags(int max) {
		this.max = max;
	}

	/**
	 * The tag value of an origin.
	 * @param origin the origin, or {@code null} if unknown
	 * @return its key, or {@code other}
	 */
	public String of(Origin origin) {
		if (origin == null) {
			return OTHER;
		}
		String key = origin.key();
		if (this.admitted.contains(key)) {
			return key;
		}
		// Two threads may both pass the size check: the bound can be exceeded by a few, never grow unbounded.
		if (this.admitted.size() < this.max && this.admitted.add(key)) {
			return key;
		}
		return this.admitted.contains(key) ? key : OTHER;
	}

}
