package dev.keepalive.metrics;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Configuration of the starter's metrics.
 */
@ConfigurationProperties("keepalive.metrics")
public class KeepAliveMetricsProperties implements InitializingBean {

	/**
	 * Most origins that get their own value of the "origin" tag; the rest share "other", so that a client
	 * calling many hosts cannot flood the registry.
	 */
	private int maxOriginTags = 50;

	public int getMaxOriginTags() {
		return this.maxOriginTags;
	}

	public void setMaxOriginTags(int maxOriginTags) {
		this.maxOriginTags = maxOriginTags;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.maxOriginTags < 0) {
			throw new InvalidConfigurationPropertyValueException("keepalive.metrics.max-origin-tags", this.maxOriginTags,
					"must be zero (every origin tagged other) or more");
		}
	}

}
