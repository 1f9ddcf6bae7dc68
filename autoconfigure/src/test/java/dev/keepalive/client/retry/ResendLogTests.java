package dev.keepalive.client.retry;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;

import dev.keepalive.client.ClientEngine;
import dev.keepalive.client.KeepAliveClientProperties;
import dev.keepalive.client.KeepAlivePolicy;
import dev.keepalive.client.Origin;
import dev.keepalive.client.Origins;
import dev.keepalive.client.retry.ResendDecision.Verdict;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;
import dev.keepalive.testsupport.ScriptedPeer.Script;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the starter says in the log about resends and about its resend configuration: a user who sees the
 * engine's WARN about a reset must also see what the starter did about it, without a line per request.
 */
@ExtendWith(OutputCaptureExtension.class)
@Execution(ExecutionMode.SAME_THREAD) // One captured output at a time.
@ResourceLock(Resources.SYSTEM_OUT)
@ResourceLock(Resources.SYSTEM_ERR)
class ResendLogTests {

	private final ApplicationContextRunner runner = ClientContext.runner();

	private final Origin origin = new Origins(new KeepAlivePolicy(new KeepAliveClientProperties()))
		.forAddress(ClientEngine.REACTOR_NETTY, "http", "orders.example.com", 80);

	@Test
	void aResendThatSucceededIsSaidAtInfo(CapturedOutput output) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			this.runner.run((context) -> {
				Exchanger client = ClientKind.REST_CLIENT.warmedUp(context, peer.url("/warm-up"));
				assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
			});
			assertThat(output).containsOnlyOnce("keepalive: 127.0.0.1:" + peer.port()
					+ ": 1 request met a pooled connection that the server or the path had closed: 1 resent on a new "
					+ "connection (each one at DEBUG: dev.keepalive.client.retry.KeepAliveRetryPolicy)");
		}
	}

	@Test
	void anOriginGetsItsFirstLineAtOnceThenOneSummaryAMinute(CapturedOutput output) {
		AtomicLong now = new AtomicLong(1_000);
		ResendLog log = new ResendLog(TimeUnit.SECONDS.toNanos(60), now::get);
		log.decided(this.origin, ResendDecision.RESEND);
		now.addAndGet(TimeUnit.SECONDS.toNanos(10));
		log.decided(this.origin, ResendDecision.RESEND);
		log.decided(this.origin, new ResendDecision(Verdict.NOT_IDEMPOTENT, "POST without a key"));
		assertThat(output.getAll().lines().filter((line) -> line.contains("orders.example.com:80"))).hasSize(1);
		now.addAndGet(TimeUnit.SECONDS.toNanos(55));
		log.decided(this.origin, new ResendDecision(Verdict.FRESH_CONNECTION, "new"));
		assertThat(output).contains("keepalive: orders.example.com:80: 3 requests met a pooled connection that the "
				+ "server or the path had closed in the last 65 s: 1 resent on a new connection; not resent: "
				+ "fresh-connection 1, not-idempotent 1");
	}

	@Test
	void settingMethodsSaysWhichDefaultsItDropsAndHowToAddInstead(CapturedOutput output) {
		this.runner.withPropertyValues("keepalive.client.retry.methods=POST")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("keepalive: keepalive.client.retry.methods=POST replaces the default list, so "
				+ "GET, HEAD, OPTIONS, TRACE, PUT, DELETE are no longer resent without an idempotency key; to add POST "
				+ "to the defaults instead, set keepalive.client.retry.additional-methods=POST");
	}

	@Test
	void additionalMethodsLeaveTheDefaultsAndSayNothing(CapturedOutput output) {
		this.runner.withPropertyValues("keepalive.client.retry.additional-methods=POST")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).doesNotContain("replaces the default list");
	}

}
