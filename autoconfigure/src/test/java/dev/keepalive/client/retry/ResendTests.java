package dev.keepalive.client.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Concurrently;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;
import dev.keepalive.testsupport.ScriptedPeer.Script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * The resend rule against a peer that fails exactly the request a test picks, for each of the three clients:
 * every decision tested both ways, and the peer counts how often each request really reached it.
 */
class ResendTests {

	private final ApplicationContextRunner runner = ClientContext.runner();

	private final AtomicInteger ids = new AtomicInteger();

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void getFailingWithResetOnAReusedConnectionIsResentOnANewOne(ClientKind kind) throws IOException {
		resentOnANewConnection(kind, Action.RESET, HttpMethod.GET, new HttpHeaders(), null);
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void getFailingWithCloseOnAReusedConnectionIsResentOnANewOne(ClientKind kind) throws IOException {
		resentOnANewConnection(kind, Action.CLOSE, HttpMethod.GET, new HttpHeaders(), null);
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void putAndDeleteAreResent(ClientKind kind) throws IOException {
		resentOnANewConnection(kind, Action.RESET, HttpMethod.PUT, new HttpHeaders(), "state");
		resentOnANewConnection(kind, Action.RESET, HttpMethod.DELETE, new HttpHeaders(), null);
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void postWithAnIdempotencyKeyIsResent(ClientKind kind) throws IOException {
		resentOnANewConnection(kind, Action.RESET, HttpMethod.POST, headers("Idempotency-Key", "k-1"), "order");
		resentOnANewConnection(kind, Action.CLOSE, HttpMethod.POST, headers("X-Idempotency-Key", "k-2"), "order");
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void postWithASingleIfMatchTagIsResent(ClientKind kind) throws IOException {
		resentOnANewConnection(kind, Action.RESET, HttpMethod.POST, headers("If-Match", "\"v1\""), "update");
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void postWithoutAnIdempotencyKeyIsNotResent(ClientKind kind) throws IOException {
		notResent(kind, Script.failReused(Action.RESET), HttpMethod.POST, new HttpHeaders(), "order",
				"not resent: POST without Idempotency-Key or X-Idempotency-Key on a reused connection; the server may "
						+ "have executed it (if POST is idempotent on this server, add it to "
						+ "keepalive.client.retry.additional-methods)");
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void postWithIfMatchAnyIsNotResent(ClientKind kind) throws IOException {
		notResent(kind, Script.failReused(Action.CLOSE), HttpMethod.POST, headers("If-Match", "*"), "update",
				"not resent: POST without");
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aGetLeftOutOfTheMethodsIsNotResentAndTheMessageSaysWhichPropertyLeftItOut(ClientKind kind)
			throws IOException {
		notResent(kind.on(this.runner).withPropertyValues("keepalive.client.retry.methods=PUT"), kind,
				Script.failReused(Action.RESET), HttpMethod.GET, new HttpHeaders(), null,
				"(GET is idempotent, but keepalive.client.retry.methods leaves it out)");
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void patchIsNotResentUnlessOptedIn(ClientKind kind) throws IOException {
		notResent(kind, Script.failReused(Action.RESET), HttpMethod.PATCH, new HttpHeaders(), "patch",
				"not resent: PATCH without");
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			kind.on(this.runner).withPropertyValues("keepalive.client.retry.additional-methods=PATCH").run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				String id = nextId();
				assertThat(client.exchange(HttpMethod.PATCH, peer.url("/"), headers("X-Request-Id", id), "patch"))
					.isEqualTo("ok");
				assertThat(peer.executions(id)).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aFailureOnAFreshConnectionIsNotResent(ClientKind kind) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start((request) -> Action.RESET)) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				String id = nextId();
				assertThatException().isThrownBy(() -> client.get(peer.url("/"), headers("X-Request-Id", id)))
					.withStackTraceContaining("not resent: the connection was new");
				assertThat(peer.executions(id)).isEqualTo(1);
				assertThat(peer.connections()).isEqualTo(1);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aFailureAfterTheResponseHeadersIsNotResent(ClientKind kind) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.HEADERS_THEN_CLOSE))) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				String id = nextId();
				assertThatException().isThrownBy(() -> client.get(peer.url("/"), headers("X-Request-Id", id)));
				assertThat(peer.executions(id)).isEqualTo(1);
				assertThat(peer.connections()).isEqualTo(1);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void a503IsNotResent(ClientKind kind) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.SERVICE_UNAVAILABLE))) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				String id = nextId();
				assertThatException().isThrownBy(() -> client.get(peer.url("/"), headers("X-Request-Id", id)))
					.isInstanceOfAny(HttpServerErrorException.class, WebClientResponseException.class);
				assertThat(peer.executions(id)).isEqualTo(1);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void attemptsAreBoundedByMaxAttempts(ClientKind kind) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			kind.on(this.runner).withPropertyValues("keepalive.client.retry.max-attempts=1").run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				String id = nextId();
				assertThatException().isThrownBy(() -> client.get(peer.url("/"), headers("X-Request-Id", id)))
					.withStackTraceContaining("not resent: 1 of 1 attempts made (keepalive.client.retry.max-attempts)");
				assertThat(peer.executions(id)).isEqualTo(1);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void withRetryDisabledTheSameFailureReachesTheCaller(ClientKind kind) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			kind.on(this.runner).withPropertyValues("keepalive.client.retry.enabled=false").run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				String id = nextId();
				// A POST with a key: only our rule resends it (Apache HttpClient's own retry, left as Boot
				// configures it when ours is off, would resend a GET by itself).
				HttpHeaders request = headers("Idempotency-Key", "k-control");
				request.set("X-Request-Id", id);
				assertThatException().isThrownBy(() -> client.exchange(HttpMethod.POST, peer.url("/"), request, "order"));
				assertThat(peer.executions(id)).isEqualTo(1);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void afterARestartOneResendPurgesTheStaleSiblings(ClientKind kind) throws IOException {
		// Three connections in the pool; the "restarted" server resets whatever arrives on any of them.
		try (ScriptedPeer peer = ScriptedPeer.start((request) -> request.stale() ? Action.RESET : Action.OK,
				Duration.ofMillis(300))) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.exchanger(context);
				assertThat(Concurrently.send(3, () -> client.get(peer.url("/"), new HttpHeaders()))).hasSize(3)
					.allSatisfy((warmUp) -> assertThat(warmUp).isEqualTo("ok"));
				assertThat(peer.connections()).isEqualTo(3);
				ClientContext.pause(100);
				peer.restart();
				String id = nextId();
				assertThat(client.get(peer.url("/"), headers("X-Request-Id", id))).isEqualTo("ok");
				assertThat(peer.executions(id)).isEqualTo(2);
				assertThat(peer.connections()).isEqualTo(4);
				// WebClient's block() can return before the resend's connection is back in the pool.
				ClientContext.pause(50);
				// Three at once need three connections: the resend's and two new ones, never a stale sibling
				// (Reactor Netty's sweep closes those within a second, HttpClient when it next leases them).
				List<String> next = List.of(nextId(), nextId(), nextId());
				assertThat(Concurrently.send(next, (i) -> client.get(peer.url("/"), headers("X-Request-Id", i))))
					.hasSize(3)
					.allSatisfy((response) -> assertThat(response).isEqualTo("ok"));
				assertThat(next).allSatisfy((i) -> assertThat(peer.executions(i)).as("executions of " + i).isEqualTo(1));
				await().atMost(3, TimeUnit.SECONDS).until(() -> peer.closedByClient() == 2);
				assertThat(peer.connections()).isEqualTo(6);
			});
		}
	}

	private void resentOnANewConnection(ClientKind kind, Action failure, HttpMethod method, HttpHeaders headers,
			String body) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(failure))) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				String id = nextId();
				HttpHeaders request = new HttpHeaders();
				request.addAll(headers);
				request.set("X-Request-Id", id);
				assertThat(client.exchange(method, peer.url("/"), request, body)).isEqualTo("ok");
				assertThat(peer.executions(id)).as("executions of the resent request").isEqualTo(2);
				assertThat(peer.connections()).as("connections: the warm-up's, then the resend's").isEqualTo(2);
			});
		}
	}

	private void notResent(ClientKind kind, Script script, HttpMethod method, HttpHeaders headers, String body,
			String why) throws IOException {
		notResent(kind.on(this.runner), kind, script, method, headers, body, why);
	}

	private void notResent(ApplicationContextRunner runner, ClientKind kind, Script script, HttpMethod method,
			HttpHeaders headers, String body, String why) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(script)) {
			runner.run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				String id = nextId();
				HttpHeaders request = new HttpHeaders();
				request.addAll(headers);
				request.set("X-Request-Id", id);
				assertThatException().isThrownBy(() -> client.exchange(method, peer.url("/"), request, body))
					.withStackTraceContaining(why);
				assertThat(peer.executions(id)).as("executions of the refused request").isEqualTo(1);
				assertThat(peer.connections()).isEqualTo(1);
			});
		}
	}

	private String nextId() {
		return "r" + this.ids.incrementAndGet();
	}

	private static HttpHeaders headers(String name, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(name, value);
		return headers;
	}

}
