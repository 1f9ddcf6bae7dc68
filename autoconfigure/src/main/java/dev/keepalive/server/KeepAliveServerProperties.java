package dev.keepalive.server;

import java.time.Duration;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Configuration of the {@code Keep-Alive: timeout=N} advertisement on the embedded server's responses.
 */
@ConfigurationProperties(KeepAliveServerProperties.PREFIX)
public class KeepAliveServerProperties implements InitializingBean {

	/** The prefix of every server property. */
	public static final String PREFIX = "keepalive.server";

	/** Whether HTTP/1.1 responses advertise the server's idle timeout in a Keep-Alive header. */
	private boolean enabled = true;

	/**
	 * The idle timeout to advertise and to enforce: when set, the embedded server's own idle timeout is set
	 * to it too, so the two never disagree. Unset means the server's configured idle timeout is read.
	 */
	private Duration timeout;

	/** Whether a finite Tomcat max-keep-alive-requests is advertised as "max=M". */
	private boolean advertiseMax = true;

	/** Whether HTTP/1.x responses carry "Connection: close" once the application is shutting down. */
	private boolean closeOnShutdown = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public boolean isAdvertiseMax() {
		return this.advertiseMax;
	}

	public void setAdvertiseMax(boolean advertiseMax) {
		this.advertiseMax = advertiseMax;
	}

	public boolean isCloseOnShutdown() {
		return this.closeOnShutdown;
	}

	public void setCloseOnShutdown(boolean closeOnShutdown) {
		this.closeOnShutdown = closeOnShutdown;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.timeout != null && this.timeout.toSeconds() < 1) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + ".timeout", this.timeout,
					"must be at least 1s: the header carries whole seconds; remove it to advertise the server's own timeout");
		}
	}

}
