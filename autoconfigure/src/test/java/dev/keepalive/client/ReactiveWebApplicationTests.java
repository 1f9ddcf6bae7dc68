package dev.keepalive.client;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;
import dev.keepalive.testsupport.ScriptedPeer.Script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * In a reactive web application Boot configures no factory builder for the blocking clients; RestClient
 * detects its own engine (Apache HttpClient 5 when it is on the classpath, else Reactor Netty). It must get
 * the keep-alive rules and the resends all the same, on either; each test has its control without the starter.
 */
@ExtendWith(OutputCaptureExtension.class)
@Execution(ExecutionMode.SAME_THREAD) // One captured output at a time.
@ResourceLock(Resources.SYSTEM_OUT)
@ResourceLock(Resources.SYSTEM_ERR)
class ReactiveWebApplicationTests {

	@ParameterizedTest
	@EnumSource(ClientEngine.class)
	void restClientStopsReusingBeforeTheAdvertisedTimeout(ClientEngine engine) throws IOException {
		// 1.5 s: past the starter's cutoff (2 s less a fixed 1 s margin), inside what plain clients trust.
		assertThat(connectionsForTwoGetsApart(engine, runner(engine).withPropertyValues("keepalive.client.adaptive-margin=false")))
			.isEqualTo(2);
		assertThat(connectionsForTwoGetsApart(engine, runner(engine).withPropertyValues("keepalive.client.enabled=false")))
			.as("control: plain %s reuses the connection", engine)
			.isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(ClientEngine.class)
	void restClientResendsAKeyedPost(ClientEngine engine) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			runner(engine).run((context) -> {
				Exchanger client = ClientKind.REST_CLIENT.warmedUp(context, peer.url("/warm-up"));
				assertThat(client.exchange(HttpMethod.POST, peer.url("/"), keyed("reactive-app"), "order"))
					.isEqualTo("ok");
				assertThat(peer.executions("reactive-app")).isEqualTo(2);
			});
			runner(engine).withPropertyValues("keepalive.client.enabled=false").run((context) -> {
				Exchanger client = ClientKind.REST_CLIENT.warmedUp(context, peer.url("/warm-up"));
				assertThatExceptionOfType(ResourceAccessException.class).as("control: plain %s", engine)
					.isThrownBy(() -> client.exchange(HttpMethod.POST, peer.url("/"), keyed("plain"), "order"));
				assertThat(peer.executions("plain")).isEqualTo(1);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientEngine.class)
	void theStartUpLineNamesRestClientsDetectedEngine(ClientEngine engine, CapturedOutput output) {
		runner(engine).run((context) -> assertThat(context).hasNotFailed());
		String expected = (engine == ClientEngine.REACTOR_NETTY) ? "Reactor Netty" : "Apache HttpClient 5";
		assertThat(output).contains("; RestClient on " + expected)
			.doesNotContain("no auto-configured engine")
			.doesNotContain("are inactive for");
	}

	private static int connectionsForTwoGetsApart(ClientEngine engine, ReactiveWebApplicationContextRunner runner)
			throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2").idleTimeout(Duration.ofSeconds(2)).start()) {
			runner.withPropertyValues("keepalive.client.retry.enabled=false").run((context) -> {
				RestClient restClient = context.getBean(RestClient.Builder.class).build();
				assertThat(restClient.get().uri(peer.url("/")).retrieve().body(String.class)).isEqualTo("ok");
				ClientContext.pause(1500);
				assertThat(restClient.get().uri(peer.url("/")).retrieve().body(String.class)).isEqualTo("ok");
			});
			return peer.connections();
		}
	}

	private static ReactiveWebApplicationContextRunner runner(ClientEngine engine) {
		ReactiveWebApplicationContextRunner runner = ClientContext.reactiveWebRunner();
		return (engine == ClientEngine.REACTOR_NETTY) ? runner.withClassLoader(ClientContext.withoutHttpClient5())
				: runner;
	}

	private static HttpHeaders keyed(String requestId) {
		HttpHeaders headers = new HttpHeaders();
		headers.set("X-Request-Id", requestId);
		headers.set("Idempotency-Key", requestId);
		return headers;
	}

}
