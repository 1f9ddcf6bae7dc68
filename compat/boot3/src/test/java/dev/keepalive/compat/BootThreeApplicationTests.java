package dev.keepalive.compat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A Spring Boot 3 web application with the starter added: one clear start-up failure that names the supported
 * versions and what to do, not a NoClassDefFoundError.
 */
@ExtendWith(OutputCaptureExtension.class)
class BootThreeApplicationTests {

	@Test
	void failsToStartWithTheSupportedVersionsAndWhatToDo(CapturedOutput output) {
		assertThat(SpringBootVersion.getVersion()).startsWith("3.");
		assertThatException().isThrownBy(() -> SpringApplication.run(App.class, "--server.port=0"))
			.withMessage("keepalive-spring-boot-starter supports Spring Boot 4.0.x and 4.1.x; this application runs "
					+ "Spring Boot " + SpringBootVersion.getVersion());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Upgrade the application to Spring Boot 4 (4.0.x or 4.1.x), or remove keepalive-spring-boot-starter")
			.doesNotContain("NoClassDefFoundError");
	}

	@SpringBootApplication
	static class App {

	}

}
