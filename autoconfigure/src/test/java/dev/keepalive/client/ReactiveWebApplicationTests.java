package dev.keepalive.client;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.web.client.RestClient;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;
import dev.keepalive.testsupport.ScriptedPeer.Script;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In a reactive web application Boot configures no factory builder for the blocking clients; RestClient
 * detects its own. It must get the pool and the resends all the same.
 */
class ReactiveWebApplicationTests {

	@Test
	void restClientUsesThePool() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2")
			.idleTimeout(Duration.ofSeconds(2))
			.raceWindow(Duration.ofMillis(600))
			.start()) {
			ClientContext.reactiveWebRunner().withPropertyValues("keepalive.client.retry.enabled=false").run((context) -> {
				RestClient restClient = context.getBean(RestClient.Builder.class).build();
				assertThat(restClient.get().uri(peer.url("/")).retrieve().body(String.class)).isEqualTo("ok");
				// 2.2 s: inside the peer's race window, past the learnt cutoff of 1 s.
				ClientContext.pause(2200);
				assertThat(restClient.get().uri(peer.url("/")).retrieve().body(String.class)).isEqualTo("ok");
				assertThat(peer.racesLost()).isZero();
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	@Test
	void restClientResends() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			ClientContext.reactiveWebRunner().run((context) -> {
				Exchanger client = ClientKind.REST_CLIENT.warmedUp(context, peer.url("/warm-up"));
				HttpHeaders headers = new HttpHeaders();
				headers.set("X-Request-Id", "reactive-app");
				assertThat(client.get(peer.url("/"), headers)).isEqualTo("ok");
				assertThat(peer.executions("reactive-app")).isEqualTo(2);
			});
		}
	}

}
