package dev.keepalive.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.keepalive.testsupport.ClientContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The startup report: one clear warning when the blocking clients run on an engine that gives no control over
 * its pooled connections, none when they run on Reactor Netty or Apache HttpClient 5.
 */
@ExtendWith(OutputCaptureExtension.class)
@Execution(ExecutionMode.SAME_THREAD) // One captured output at a time.
@ResourceLock(Resources.SYSTEM_OUT)
@ResourceLock(Resources.SYSTEM_ERR)
class EngineReportTests {

	@Test
	void warnsThatTheJdkHttpClientGetsNoCures(CapturedOutput output) {
		ClientContext.runner()
			.withPropertyValues("spring.http.clients.imperative.factory=jdk")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).containsOnlyOnce("RestClient and RestTemplate use the JDK HttpClient")
			.contains("max=N and the reuse-aware resends are inactive for them")
			.contains("spring.http.clients.imperative.factory=reactor (or http-components");
	}

	@Test
	void warnsThatHttpUrlConnectionGetsNoCures(CapturedOutput output) {
		ClientContext.runner()
			.withPropertyValues("spring.http.clients.imperative.factory=simple")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).containsOnlyOnce("RestClient and RestTemplate use HttpURLConnection")
			.contains("are inactive for them");
	}

	@Test
	void namesTheOriginsThatHaveRulesOfTheirOwn(CapturedOutput output) {
		ClientContext.runner()
			.withPropertyValues("keepalive.client.hosts.[api.example.com].idle-timeout=60s")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("; per-origin rules for [api.example.com]; RestClient and RestTemplate on");
	}

	@Test
	void saysThatApacheHttpClientSpeaksHttp11Only(CapturedOutput output) {
		ClientContext.runner()
			.withPropertyValues("spring.http.clients.imperative.factory=http-components")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("RestClient and RestTemplate on Apache HttpClient 5 "
				+ "(HttpComponentsClientHttpRequestFactoryBuilder, HTTP/1.1 only)");
	}

	@ParameterizedTest
	@ValueSource(strings = { "reactor", "http-components" })
	void saysNothingWhenTheBlockingClientsRunOnAnEngineWithTheCures(String factory, CapturedOutput output) {
		ClientContext.runner()
			.withPropertyValues("spring.http.clients.imperative.factory=" + factory)
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).doesNotContain("are inactive for");
	}

}
