package dev.keepalive.compatibility;

import java.util.function.Supplier;

import org.springframework.boot.SpringBootVersion;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stops an application on a Spring Boot the starter does not support before its auto-configurations load
 * (they refer to Boot 4 classes, and would fail with a {@code NoClassDefFoundError} that names none of this).
 * Registered in {@code META-INF/spring.factories}, which Boot 3 and 4 both read; it uses only classes both have.
 */
public final class BootVersionCheck implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	/** The first Spring Boot major version the starter supports. */
	static final int SUPPORTED_MAJOR = 4;

	private final Supplier<String> version;

	public BootVersionCheck() {
		this(SpringBootVersion::getVersion);
	}

	BootVersionCheck(Supplier<String> version) {
		this.version = version;
	}

	/**
	 * Check the running Boot version.
	 * @param context the context about to be refreshed
	 * @throws UnsupportedBootVersionException on Spring Boot 3 or earlier
	 */
	@Override
	public void initialize(ConfigurableApplicationContext context) {
		String running = this.version.get();
		if (running != null && major(running) < SUPPORTED_MAJOR) {
			throw new UnsupportedBootVersionException(running);
		}
	}

	/** The major version, or the supported one when the version cannot be read (a repackaged Boot). */
	static int major(String version) {
		int dot = version.indexOf('.');
		try {
			return Integer.parseInt((dot < 0) ? version : version.substring(0, dot));
		}
		catch (NumberFormatException ex) {
			return SUPPORTED_MAJOR;
		}
	}

}
