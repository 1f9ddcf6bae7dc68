package dev.keepalive.compatibility;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * An application on Spring Boot 3 gets one clear start-up failure naming the supported versions, not a
 * {@code NoClassDefFoundError} from deep inside an auto-configuration. (The starter on a real Boot 3.5
 * application: the {@code compat} profile.)
 */
@ExtendWith(OutputCaptureExtension.class)
@Execution(ExecutionMode.SAME_THREAD) // One captured output at a time.
@ResourceLock(Resources.SYSTEM_OUT)
@ResourceLock(Resources.SYSTEM_ERR)
class BootVersionCheckTests {

	@Test
	void bootThreeStopsTheApplicationWithTheSupportedVersions() {
		assertThatExceptionOfType(UnsupportedBootVersionException.class)
			.isThrownBy(() -> new BootVersionCheck(() -> "3.5.16").initialize(new GenericApplicationContext()))
			.withMessage("keepalive-spring-boot-starter supports Spring Boot 4.0.x and 4.1.x; this application runs "
					+ "Spring Boot 3.5.16");
	}

	@Test
	void bootFourPasses() {
		for (String version : new String[] { "4.0.7", "4.1.2", "4.2.0-SNAPSHOT", "unknown" }) {
			assertThatNoException().as(version)
				.isThrownBy(() -> new BootVersionCheck(() -> version).initialize(new GenericApplicationContext()));
		}
		assertThatNoException().isThrownBy(() -> new BootVersionCheck(() -> null).initialize(new GenericApplicationContext()));
	}

	@Test
	void theFailureReportSaysWhatToDo(CapturedOutput output) {
		SpringApplication application = new SpringApplication(App.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.addInitializers(new BootVersionCheck(() -> "3.5.16"));
		assertThatExceptionOfType(UnsupportedBootVersionException.class).isThrownBy(application::run);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Upgrade the application to Spring Boot 4 (4.0.x or 4.1.x), or remove keepalive-spring-boot-starter");
	}

	@Test
	void theCheckIsRegisteredForEveryApplication() {
		assertThat(new SpringApplication(App.class).getInitializers()).hasAtLeastOneElementOfType(BootVersionCheck.class);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

	}

}
