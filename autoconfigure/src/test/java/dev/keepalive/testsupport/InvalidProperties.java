package dev.keepalive.testsupport;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asserts that bad configuration stops the application at startup with a message naming the property and
 * saying why.
 */
public final class InvalidProperties {

	private InvalidProperties() {
	}

	/** Start {@code runner} with {@code property} ("name=value") and expect it to fail on {@code name}. */
	public static void assertRejected(ApplicationContextRunner runner, String property, String name) {
		runner.withPropertyValues(property).run((context) -> assertRejected(context, name));
	}

	/** Expect {@code context} to have failed to start on the property {@code name}. */
	public static void assertRejected(AssertableApplicationContext context, String name) {
		assertThat(context).hasFailed();
		assertThat(rootCause(context.getStartupFailure()))
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.hasMessageContaining("Property " + name + " with value");
		assertThat(((InvalidConfigurationPropertyValueException) rootCause(context.getStartupFailure())).getReason())
			.isNotBlank();
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

}
