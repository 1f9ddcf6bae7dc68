package dev.keepalive.client;

import dev.keepalive.testsupport.ClientContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Captures standard output, so it runs alone. */
@Isolated
@ExtendWith(OutputCaptureExtension.class)
class EngineReportTests {

	@Test
	void warnsWhenBlockingClientsDoNotRunOnReactorNetty(CapturedOutput output) {
		ClientContext.runner()
			.withPropertyValues("spring.http.clients.imperative.factory=jdk")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("RestClient and RestTemplate use JdkClientHttpRequestFactoryBuilder")
			.contains("spring.http.clients.imperative.factory=reactor");
	}

	@Test
	void saysNothingWhenEveryClientRunsOnThePool(CapturedOutput output) {
		ClientContext.runner().run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).doesNotContain("do not get the keep-alive-aware pool")
			.doesNotContain("does not get the keep-alive-aware pool");
	}

}
