package dev.keepalive.client.retry;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.PrematureCloseException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import dev.keepalive.client.ClientEngine;
import dev.keepalive.client.ConnectionReuseState;
import dev.keepalive.client.ExchangeFacts;
import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.KeepAlivePolicy;
import dev.keepalive.client.Origin;
import dev.keepalive.client.Origins;
import dev.keepalive.client.retry.ResendDecision.Verdict;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parts of the rule that need no connection: which requests are safe to send twice, and which failures
 * are the connection breaking. The engine-dependent parts (reused, headers received) are covered against a
 * real peer by {@link ResendTests}.
 */
class ResendRuleTests {

	private static final IOException CLOSED = new IOException("Connection prematurely closed BEFORE response");

	private final ResendRule rule = new ResendRule(new KeepAliveClientProperties().getRetry());

	@Test
	void idempotentMethodsOfRfc9110AreSafe() {
		for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE,
				HttpMethod.PUT, HttpMethod.DELETE)) {
			assertThat(this.rule.safeToResend(method, new HttpHeaders())).as(method.name()).isTrue();
		}
		assertThat(this.rule.safeToResend(HttpMethod.POST, new HttpHeaders())).isFalse();
		assertThat(this.rule.safeToResend(HttpMethod.PATCH, new HttpHeaders())).isFalse();
		assertThat(this.rule.safeToResend(HttpMethod.valueOf("PROPFIND"), new HttpHeaders())).isFalse();
	}

	@Test
	void anIdempotencyKeyMakesAnyMethodSafe() {
		assertThat(this.rule.safeToResend(HttpMethod.POST, headers("Idempotency-Key", "abc"))).isTrue();
		assertThat(this.rule.safeToResend(HttpMethod.PATCH, headers("x-idempotency-key", "abc"))).isTrue();
		assertThat(this.rule.safeToResend(HttpMethod.POST, headers("X-Request-Id", "abc"))).isFalse();
	}

	@Test
	void theKeyHeadersAndMethodsAreConfigurable() {
		KeepAliveClientProperties properties = new KeepAliveClientProperties();
		properties.getRetry().setMethods(List.of("get", " post "));
		properties.getRetry().setIdempotencyKeyHeaders(List.of("X-Dedup"));
		ResendRule configured = new ResendRule(properties.getRetry());
		assertThat(configured.safeToResend(HttpMethod.POST, new HttpHeaders())).isTrue();
		assertThat(configured.safeToResend(HttpMethod.PUT, new HttpHeaders())).isFalse();
		assertThat(configured.safeToResend(HttpMethod.PATCH, headers("X-Dedup", "1"))).isTrue();
		assertThat(configured.safeToResend(HttpMethod.PATCH, headers("Idempotency-Key", "1"))).isFalse();
	}

	@Test
	void conditionalRequestsThatOnlyOneExecutionCanSatisfyAreSafe() {
		assertThat(this.rule.safeToResend(HttpMethod.POST, headers("If-Match", "\"v1\""))).isTrue();
		assertThat(this.rule.safeToResend(HttpMethod.POST, headers("If-Match", "W/\"v1\""))).isTrue();
		assertThat(this.rule.safeToResend(HttpMethod.POST, headers("If-None-Match", "*"))).isTrue();
		assertThat(this.rule.safeToResend(HttpMethod.PATCH, headers("If-Unmodified-Since",
				"Sat, 29 Oct 1994 19:43:31 GMT"))).isTrue();
	}

	@Test
	void conditionalRequestsThatASecondExecutionCanAlsoSatisfyAreNotSafe() {
		assertThat(this.rule.safeToResend(HttpMethod.POST, headers("If-Match", "*"))).isFalse();
		assertThat(this.rule.safeToResend(HttpMethod.POST, headers("If-Match", "\"v1\", \"v2\""))).isFalse();
		assertThat(this.rule.safeToResend(HttpMethod.POST, headers("If-Match", ""))).isFalse();
		assertThat(this.rule.safeToResend(HttpMethod.POST, headers("If-None-Match", "\"v1\""))).isFalse();
		HttpHeaders twoTags = new HttpHeaders();
		twoTags.add("If-Match", "\"v1\"");
		twoTags.add("If-Match", "\"v2\"");
		assertThat(this.rule.safeToResend(HttpMethod.POST, twoTags)).isFalse();
	}

	@Test
	void resetsBrokenPipesAndEarlyClosesAreConnectionFailures() {
		assertThat(ResendRule.isConnectionFailure(new SocketException("Connection reset"))).isTrue();
		assertThat(ResendRule.isConnectionFailure(new IOException("Broken pipe"))).isTrue();
		assertThat(ResendRule.isConnectionFailure(new ClosedChannelException())).isTrue();
		assertThat(ResendRule.isConnectionFailure(PrematureCloseException.TEST_EXCEPTION)).isTrue();
		assertThat(ResendRule.isConnectionFailure(
				new ResourceAccessException("I/O error", new SocketException("Connection reset")))).isTrue();
		assertThat(ResendRule.isConnectionFailure(new WebClientRequestException(
				PrematureCloseException.TEST_EXCEPTION, HttpMethod.GET, java.net.URI.create("http://x"),
				new HttpHeaders()))).isTrue();
	}

	@Test
	void aTlsConnectionBrokenAfterItsHandshakeIsAConnectionFailure() {
		// What the JDK's TLS socket throws when the peer resets an established session.
		assertThat(ResendRule.isConnectionFailure(
				new SSLException("Connection reset", new SocketException("Connection reset")))).isTrue();
		assertThat(ResendRule.isConnectionFailure(new SSLException("Tag mismatch"))).isTrue();
	}

	@Test
	void timeoutsRefusedConnectsUnknownHostsAndTlsHandshakesAreNot() {
		assertThat(ResendRule.isConnectionFailure(new ConnectException("Connection refused"))).isFalse();
		assertThat(ResendRule.isConnectionFailure(new SocketTimeoutException("Read timed out"))).isFalse();
		assertThat(ResendRule.isConnectionFailure(new UnknownHostException("nowhere"))).isFalse();
		assertThat(ResendRule.isConnectionFailure(new SSLHandshakeException("bad certificate"))).isFalse();
		assertThat(ResendRule.isConnectionFailure(new IOException("wrapped", ReadTimeoutException.INSTANCE))).isFalse();
		assertThat(ResendRule.isConnectionFailure(new IOException("wrapped", new TimeoutException()))).isFalse();
		assertThat(ResendRule.isConnectionFailure(new IllegalStateException("not I/O"))).isFalse();
		assertThat(ResendRule.isConnectionFailure(null)).isFalse();
	}

	@Test
	void aFailureTheEngineSawNothingOfIsNotOurs() {
		ResendDecision decision = this.rule.decide(HttpMethod.GET, new HttpHeaders(), null,
				new SocketException("Connection reset"), 1);
		assertThat(decision.verdict()).isEqualTo(ResendDecision.Verdict.NOT_A_CONNECTION_FAILURE);
		assertThat(decision.refused()).isFalse();
		assertThat(decision.staleConnection()).isFalse();
	}

	@Test
	void aRequestTheServerDidNotProcessIsResentOnceWhateverItsMethod() {
		for (ExchangeFacts.Unprocessed signal : ExchangeFacts.Unprocessed.values()) {
			ExchangeFacts first = unprocessed(signal);
			assertThat(this.rule.decide(HttpMethod.POST, new HttpHeaders(), first, CLOSED, 1).verdict())
				.as("%s", signal)
				.isEqualTo(Verdict.RESEND_UNPROCESSED);
			ResendDecision again = this.rule.decide(HttpMethod.POST, new HttpHeaders(), unprocessed(signal), CLOSED, 2);
			assertThat(again.verdict()).isEqualTo(Verdict.UNPROCESSED_AGAIN);
			assertThat(again.explanation()).contains(signal.name()).contains("processed none of 2 attempts");
		}
	}

	@Test
	void anUnprocessedRequestWithAStreamedBodyOrNoAttemptLeftIsNotResent() {
		ExchangeFacts streamed = unprocessed(ExchangeFacts.Unprocessed.REFUSED_STREAM);
		streamed.streamedBody();
		assertThat(this.rule.decide(HttpMethod.POST, new HttpHeaders(), streamed, CLOSED, 1).verdict())
			.isEqualTo(Verdict.BODY_NOT_REPLAYABLE);
		KeepAliveClientProperties once = new KeepAliveClientProperties();
		once.getRetry().setMaxAttempts(1);
		assertThat(new ResendRule(once.getRetry())
			.decide(HttpMethod.GET, new HttpHeaders(), unprocessed(ExchangeFacts.Unprocessed.GOAWAY), CLOSED, 1)
			.verdict()).isEqualTo(Verdict.ATTEMPTS_EXHAUSTED);
	}

	@Test
	void aSignalAfterTheResponseStartedFollowsTheOrdinaryRule() {
		ExchangeFacts answered = unprocessed(ExchangeFacts.Unprocessed.GOAWAY);
		answered.responseStarted();
		assertThat(this.rule.decide(HttpMethod.POST, new HttpHeaders(), answered, CLOSED, 1).verdict())
			.isEqualTo(Verdict.HEADERS_RECEIVED);
	}

	/** The facts of a first request on a new HTTP/2 connection that a server said it did not process. */
	private static ExchangeFacts unprocessed(ExchangeFacts.Unprocessed signal) {
		Origin origin = new Origins(new KeepAlivePolicy(new KeepAliveClientProperties()))
			.forAddress(ClientEngine.REACTOR_NETTY, "http", "h2.example", 80);
		ExchangeFacts facts = new ExchangeFacts();
		new ConnectionReuseState(origin, "h2c", true).requestStarted(facts, System.nanoTime());
		facts.unprocessed(signal);
		return facts;
	}

	private static HttpHeaders headers(String name, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(name, value);
		return headers;
	}

}
