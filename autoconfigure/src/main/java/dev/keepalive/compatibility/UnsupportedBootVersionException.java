package dev.keepalive.compatibility;

/**
 * The application runs a Spring Boot version the starter does not support.
 */
public class UnsupportedBootVersionException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	/** The Boot versions the starter is built and tested with. */
	public static final String SUPPORTED = "Spring Boot 4.0.x and 4.1.x";

	private final String running;

	UnsupportedBootVersionException(String running) {
		super("keepalive-spring-boot-starter supports " + SUPPORTED + "; this application runs Spring Boot " + running);
		this.running = running;
	}

	/**
	 * The Boot version the application runs.
	 * @return the version, e.g. {@code 3.5.16}
	 */
	public String running() {
		return this.running;
	}

}
