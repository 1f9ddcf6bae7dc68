package dev.keepalive.compatibility;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns {@link UnsupportedBootVersionException} into Boot's "APPLICATION FAILED TO START" report with the
 * action to take.
 */
class UnsupportedBootVersionFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedBootVersionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedBootVersionException cause) {
		return new FailureAnalysis(cause.getMessage() + ".",
				"Upgrade the application to Spring Boot 4 (4.0.x or 4.1.x), or remove "
						+ "keepalive-spring-boot-starter from its dependencies.",
				cause);
	}

}
