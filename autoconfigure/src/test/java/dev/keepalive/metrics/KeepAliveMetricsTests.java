package dev.keepalive.metrics;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClient;

import dev.keepalive.client.Origin;
import dev.keepalive.client.Origins;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Concurrently;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.KeepAlivePeer;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;
import dev.keepalive.testsupport.ScriptedPeer.Script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Real exchanges against real peers produce the starter's meters, with the right tags: one test per discard
 * reason and per resend decision.
 */
class KeepAliveMetricsTests {

	private final ApplicationContextRunner runner = ClientContext.runner()
		.withConfiguration(AutoConfigurations.of(KeepAliveMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class);

	@Test
	void discardedAtTheAdvertisedTimeout() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2").start()) {
			this.runner.withPropertyValues("keepalive.client.eviction-interval=100ms").run((context) -> {
				client(context).apply(peer.url("/"));
				awaitDiscarded(context, "advertised-timeout", 1);
			});
		}
	}

	@Test
	void discardedAtTheDefaultTimeout() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising(null).start()) {
			this.runner.withPropertyValues("keepalive.client.eviction-interval=100ms",
					"keepalive.client.default-idle-timeout=500ms").run((context) -> {
						client(context).apply(peer.url("/"));
						awaitDiscarded(context, "default-timeout", 1);
					});
		}
	}

	@Test
	void discardedAtTheHostTimeout() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30").start()) {
			this.runner.withPropertyValues("keepalive.client.eviction-interval=100ms", "keepalive.client.safety-margin=0s",
					"keepalive.client.hosts.[127.0.0.1].idle-timeout=500ms").run((context) -> {
						client(context).apply(peer.url("/"));
						awaitDiscarded(context, "host-timeout", 1);
					});
		}
	}

	@Test
	void discardedAfterMaxRequests() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30, max=2").start()) {
			this.runner.run((context) -> {
				Function<String, String> client = client(context);
				client.apply(peer.url("/"));
				ClientContext.pause(50);
				client.apply(peer.url("/"));
				awaitDiscarded(context, "max-requests", 1);
			});
		}
	}

	@Test
	void discardedAtMaxLife() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30").start()) {
			this.runner.withPropertyValues("keepalive.client.eviction-interval=100ms",
					"keepalive.client.max-life-time=500ms").run((context) -> {
						client(context).apply(peer.url("/"));
						awaitDiscarded(context, "max-life", 1);
					});
		}
	}

	@Test
	void siblingsPurgedAfterAReset() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start((request) -> request.stale() ? Action.RESET : Action.OK,
				Duration.ofMillis(300))) {
			this.runner.run((context) -> {
				Function<String, String> client = client(context);
				Concurrently.send(3, () -> client.apply(peer.url("/")));
				ClientContext.pause(100);
				peer.restart();
				client.apply(peer.url("/"));
				awaitDiscarded(context, "purged-after-reset", 2);
			});
		}
	}

	@Test
	void theHttpComponentsPoolCountsWhatItDiscardsUnderItsEngine() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=2, max=3").start()) {
			ClientKind kind = ClientKind.REST_CLIENT_HTTP_COMPONENTS;
			kind.on(this.runner).withPropertyValues("keepalive.client.adaptive-margin=false").run((context) -> {
				Function<String, String> client = kind.client(context);
				client.apply(peer.url("/"));
				ClientContext.pause(1100); // past the advertised 2 s less the fixed 1 s margin
				client.apply(peer.url("/")); // a new connection: the expired one is closed on the way
				client.apply(peer.url("/"));
				client.apply(peer.url("/")); // its third request: max=3 reached, closed on release
				assertThat(count(context, KeepAliveClientMetrics.DISCARDED, "reason", "advertised-timeout", "engine",
						"http-components")).isEqualTo(1);
				assertThat(count(context, KeepAliveClientMetrics.DISCARDED, "reason", "max-requests", "engine",
						"http-components")).isEqualTo(1);
				assertThat(count(context, KeepAliveClientMetrics.DISCARDED, "engine", "reactor-netty")).isZero();
				assertThat(peer.connections()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(ClientKind.class)
	void aResendIsCountedAsAResetOfAReusedConnectionAndASuccessfulRetry(ClientKind kind) throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			kind.on(this.runner).run((context) -> {
				Exchanger client = kind.warmedUp(context, peer.url("/warm-up"));
				client.get(peer.url("/"), new HttpHeaders());
				String origin = "127.0.0.1:" + peer.url("").split(":")[2];
				String engine = kind.engine().tag();
				assertThat(count(context, KeepAliveRetryMetrics.RESETS, "reused", "true", "resent", "true", "origin",
						origin, "engine", engine)).isEqualTo(1);
				assertThat(count(context, KeepAliveRetryMetrics.RETRIES, "outcome", "success", "origin", origin,
						"engine", engine))
					.isEqualTo(1);
				assertThat(count(context, KeepAliveRetryMetrics.RETRIES, "outcome", "failure")).isZero();
				assertThat(count(context, KeepAliveRetryMetrics.REFUSED)).isZero();
			});
		}
	}

	@Test
	void aResendThatFailsTooIsAFailedRetryAndAFreshConnectionRefusal() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer
			.start((request) -> (request.reused() || request.connection() > 1) ? Action.RESET : Action.OK)) {
			this.runner.run((context) -> {
				Exchanger client = ClientKind.REST_CLIENT.warmedUp(context, peer.url("/warm-up"));
				assertThatException().isThrownBy(() -> client.get(peer.url("/"), new HttpHeaders()));
				assertThat(count(context, KeepAliveRetryMetrics.RETRIES, "outcome", "failure")).isEqualTo(1);
				assertThat(count(context, KeepAliveRetryMetrics.RETRIES, "outcome", "success")).isZero();
				assertThat(count(context, KeepAliveRetryMetrics.RESETS, "reused", "false", "resent", "false"))
					.isEqualTo(1);
				assertThat(count(context, KeepAliveRetryMetrics.REFUSED, "reason", "fresh-connection")).isEqualTo(1);
			});
		}
	}

	@Test
	void aPostWithoutAKeyIsANotIdempotentRefusal() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			this.runner.run((context) -> {
				Exchanger client = ClientKind.WEB_CLIENT.warmedUp(context, peer.url("/warm-up"));
				assertThatException().isThrownBy(() -> client.exchange(HttpMethod.POST, peer.url("/"), new HttpHeaders(), "x"));
				assertThat(count(context, KeepAliveRetryMetrics.REFUSED, "reason", "not-idempotent")).isEqualTo(1);
				assertThat(count(context, KeepAliveRetryMetrics.RESETS, "reused", "true", "resent", "false")).isEqualTo(1);
				assertThat(count(context, KeepAliveRetryMetrics.RETRIES)).isZero();
			});
		}
	}

	@Test
	void maxAttemptsOneIsAnAttemptsExhaustedRefusal() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.CLOSE))) {
			this.runner.withPropertyValues("keepalive.client.retry.max-attempts=1").run((context) -> {
				Exchanger client = ClientKind.REST_TEMPLATE.warmedUp(context, peer.url("/warm-up"));
				assertThatException().isThrownBy(() -> client.get(peer.url("/"), new HttpHeaders()));
				assertThat(count(context, KeepAliveRetryMetrics.REFUSED, "reason", "attempts-exhausted")).isEqualTo(1);
			});
		}
	}

	@Test
	void aStreamedBodyIsABodyNotReplayableRefusal() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			this.runner.run((context) -> {
				ClientKind.WEB_CLIENT.warmedUp(context, peer.url("/warm-up"));
				WebClient webClient = context.getBean(WebClient.Builder.class).build();
				assertThatException().isThrownBy(() -> webClient.put()
					.uri(peer.url("/"))
					.body(Flux.just("a", "b"), String.class)
					.retrieve()
					.toBodilessEntity()
					.block(Duration.ofSeconds(5)));
				assertThat(count(context, KeepAliveRetryMetrics.REFUSED, "reason", "body-not-replayable")).isEqualTo(1);
			});
		}
	}

	@Test
	void theSafetyMarginInForceIsAGaugeOnceTheFirstExchangeMeasuredThePath() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=7").start()) {
			this.runner.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.find(KeepAliveClientMetrics.SAFETY_MARGIN).timeGauge()).isNull();
				client(context).apply(peer.url("/"));
				TimeGauge margin = registry.get(KeepAliveClientMetrics.SAFETY_MARGIN).tag("engine", "reactor-netty").timeGauge();
				Origin origin = context.getBean(Origins.class).all().iterator().next();
				// The 50 ms floor plus a loopback round trip.
				assertThat(margin.value(TimeUnit.MILLISECONDS)).isEqualTo(origin.safetyMarginMillis()).isBetween(50.0, 999.0);
			});
		}
	}

	@Test
	void advertisedTimeoutsAreRecordedInSeconds() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=7").start()) {
			this.runner.run((context) -> {
				client(context).apply(peer.url("/"));
				DistributionSummary summary = context.getBean(MeterRegistry.class)
					.get(KeepAliveClientMetrics.ADVERTISED_TIMEOUT)
					.summary();
				assertThat(summary.count()).isEqualTo(1);
				assertThat(summary.max()).isEqualTo(7);
				assertThat(summary.getId().getBaseUnit()).isEqualTo("seconds");
			});
		}
	}

	@Test
	void reactorNettysPoolGaugesCarryTheStablePoolName() throws IOException {
		try (KeepAlivePeer peer = KeepAlivePeer.advertising("timeout=30").start()) {
			this.runner.run((context) -> {
				client(context).apply(peer.url("/"));
				ClientContext.pause(50);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("reactor.netty.connection.provider.total.connections")
					.tag("name", "keepalive")
					.tag("remote.address", "127.0.0.1:" + peer.port())
					.gauge()
					.value()).isEqualTo(1);
				assertThat(registry.get("reactor.netty.connection.provider.idle.connections")
					.tag("name", "keepalive")
					.gauge()
					.value()).isEqualTo(1);
			});
		}
	}

	@Test
	void originTagsAreBounded() throws IOException {
		try (KeepAlivePeer first = KeepAlivePeer.advertising("timeout=3").start();
				KeepAlivePeer second = KeepAlivePeer.advertising("timeout=4").start()) {
			this.runner.withPropertyValues("keepalive.metrics.max-origin-tags=1").run((context) -> {
				Function<String, String> client = client(context);
				client.apply(first.url("/"));
				client.apply(second.url("/"));
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get(KeepAliveClientMetrics.ADVERTISED_TIMEOUT)
					.tag("origin", "127.0.0.1:" + first.port())
					.summary()
					.max()).isEqualTo(3);
				assertThat(registry.get(KeepAliveClientMetrics.ADVERTISED_TIMEOUT).tag("origin", "other").summary().max())
					.isEqualTo(4);
			});
		}
	}

	@Test
	void withoutAMeterRegistryThereAreNoMetricsBeans() {
		ClientContext.runner()
			.withConfiguration(AutoConfigurations.of(KeepAliveMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(KeepAliveClientMetrics.class)
				.doesNotHaveBean(KeepAliveRetryMetrics.class));
	}

	@Test
	void withoutMicrometerOnTheClasspathTheCuresStillWork() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			ClientContext.runner()
				.withConfiguration(AutoConfigurations.of(KeepAliveMetricsAutoConfiguration.class))
				.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
				.run((context) -> {
					assertThat(context).hasNotFailed().doesNotHaveBean(KeepAliveClientMetrics.class);
					Exchanger client = ClientKind.REST_CLIENT.warmedUp(context, peer.url("/warm-up"));
					assertThat(client.get(peer.url("/"), new HttpHeaders())).isEqualTo("ok");
					assertThat(peer.connections()).isEqualTo(2);
				});
		}
	}

	private static Function<String, String> client(AssertableApplicationContext context) {
		return ClientKind.REST_CLIENT.client(context);
	}


	private static void awaitDiscarded(AssertableApplicationContext context, String reason, int expected) {
		await().atMost(5, TimeUnit.SECONDS)
			.untilAsserted(() -> assertThat(count(context, KeepAliveClientMetrics.DISCARDED, "reason", reason))
				.isEqualTo(expected));
	}

	private static double count(AssertableApplicationContext context, String name, String... tags) {
		return context.getBean(MeterRegistry.class)
			.find(name)
			.tags(tags)
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum();
	}

}
