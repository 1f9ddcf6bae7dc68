package dev.keepalive.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.InvalidProperties;
import dev.keepalive.testsupport.KeepAlivePeer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TCP keepalive reaches the pool's sockets on both engines: the kernel's own view of the client's connection
 * ({@code ss -tno}: its keepalive timer) shows the configured idle time, where a socket without it shows no
 * keepalive timer (the control) and the kernel's default would be two hours.
 */
class TcpKeepAliveTests {

	/** ss prints a timer as {@code 1min}, {@code 36sec}, {@code 6.628ms} (6 s 628 ms) or {@code 250ms}. */
	private static final Pattern KEEPALIVE_TIMER = Pattern
		.compile("timer:\\(keepalive,(?:(\\d+)min)?(?:(\\d+)(?:sec|\\.))?(?:(\\d+)ms)?,");

	/** Distinct from the kernel's default (2 h) and from any timer the engines arm themselves. */
	private static final int IDLE_SECONDS = 37;

	private final ApplicationContextRunner runner = ClientContext.runner();

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void theConfiguredIdleTimeReachesTheSocket(ClientKind kind) throws Exception {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=60").start()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.tcp-keep-alive.idle=" + IDLE_SECONDS + "s").run((context) -> {
				kind.client(context).apply(peer.url("/"));
				List<String> sockets = clientSockets(peer.port());
				assertThat(sockets).hasSize(1);
				assertThat(keepaliveMillis(sockets.get(0))).as(sockets.get(0))
					.isBetween((IDLE_SECONDS - 5) * 1000L, IDLE_SECONDS * 1000L);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void whenSwitchedOffTheSocketHasNoneOfIt(ClientKind kind) throws Exception {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=60").start()) {
			kind.on(this.runner).withPropertyValues("keepalive.client.tcp-keep-alive.enabled=false",
					"keepalive.client.tcp-keep-alive.idle=" + IDLE_SECONDS + "s").run((context) -> {
				kind.client(context).apply(peer.url("/"));
				List<String> sockets = clientSockets(peer.port());
				assertThat(sockets).hasSize(1);
				// No keepalive timer (Reactor Netty), or not ours (Apache HttpClient's sockets show one of ~5 s).
				long left = keepaliveMillis(sockets.get(0));
				assertThat(left > (IDLE_SECONDS - 5) * 1000L && left <= IDLE_SECONDS * 1000L).as(sockets.get(0)).isFalse();
			});
		}
	}

	@Test
	void rejectsFractionsOfASecond() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.tcp-keep-alive.idle=1500ms",
				"keepalive.client.tcp-keep-alive.idle");
		InvalidProperties.assertRejected(this.runner, "keepalive.client.tcp-keep-alive.count=0",
				"keepalive.client.tcp-keep-alive.count");
	}

	/** The client's established connections to the peer, one line each, with their timers. */
	private static List<String> clientSockets(int port) throws IOException, InterruptedException {
		// Past the exchange's own timers (a delayed ACK shows in the same slot).
		Thread.sleep(300);
		Process ss = new ProcessBuilder("ss", "-tnoH", "state", "established", "dport = :" + port)
			.redirectErrorStream(true)
			.start();
		String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(ss.waitFor(10, TimeUnit.SECONDS)).as("ss (iproute2) answers").isTrue();
		assertThat(ss.exitValue()).as("ss -tnoH: %s", out).isZero();
		return out.lines().filter((line) -> !line.isBlank()).toList();
	}

	/** The keepalive timer's time left, ms; -1 without one. */
	private static long keepaliveMillis(String socket) {
		Matcher timer = KEEPALIVE_TIMER.matcher(socket);
		if (!timer.find()) {
			return -1;
		}
		return part(timer, 1) * 60_000 + part(timer, 2) * 1000 + part(timer, 3);
	}

	private static long part(Matcher timer, int group) {
		return (timer.group(group) != null) ? Long.parseLong(timer.group(group)) : 0;
	}

}
