package dev.keepalive.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import javax.net.ssl.TrustManagerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.keepalive.actuate.KeepAliveReport;
import dev.keepalive.client.reactor.KeepAlivePools;
import dev.keepalive.metrics.KeepAliveClientMetrics;
import dev.keepalive.metrics.KeepAliveMetricsAutoConfiguration;
import dev.keepalive.metrics.KeepAliveRetryMetrics;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.Http2Peer;
import dev.keepalive.testsupport.Http2Peer.Action;
import dev.keepalive.testsupport.Http2Peer.Idle;
import dev.keepalive.testsupport.Http2Peer.Script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The protocol cure on HTTP/2, for WebClient and RestClient on Reactor Netty, on h2c by prior knowledge and on
 * h2 over TLS negotiated by ALPN through a Boot SSL bundle, against an {@link Http2Peer} whose every frame
 * the test scripts and which counts how often each request id was processed. Each race has its control:
 * the same client with the protocol switched by the application's own customizer and the starter off.
 */
class Http2Tests {

	/** WebClient and RestClient, each on h2c and on h2 over TLS. */
	static Stream<Arguments> clients() {
		List<Arguments> clients = new ArrayList<>();
		for (ClientKind kind : List.of(ClientKind.REST_CLIENT, ClientKind.WEB_CLIENT)) {
			clients.add(Arguments.of(kind, false));
			clients.add(Arguments.of(kind, true));
		}
		return clients.stream();
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void speaksHttp2ByThePropertyOverBootsSslBundleToo(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).start()) {
			starter(kind, tls, peer).run((context) -> {
				Exchanger client = kind.exchanger(context);
				assertThat(client.get(peer.url("/?id=first"), new HttpHeaders())).isEqualTo("ok");
				assertThat(client.get(peer.url("/?id=second"), new HttpHeaders())).isEqualTo("ok");
				assertThat(peer.protocol(1)).as(peer.history()).isEqualTo(tls ? "h2" : "h2c");
				assertThat(peer.connections()).as("both streams on one connection").isOne();
				Origin origin = context.getBean(Origins.class).all().iterator().next();
				assertThat(origin.protocol()).isEqualTo(tls ? "h2" : "h2c");
				KeepAliveReport.OriginDescriptor described = new KeepAliveReport(context.getBean(Origins.class),
						context.getBean(KeepAlivePools.class), null).origins().get(0);
				assertThat(described.protocol()).isEqualTo(tls ? "h2" : "h2c");
				assertThat(described.http2().connections()).isOne();
			});
		}
	}

	/**
	 * Every client built from Boot's builders shares the HTTP/2 connections, as they share HTTP/1.1 ones. Over
	 * TLS, Boot builds a new SslContext for each RestClient it builds, which Reactor Netty keys its pools by: each
	 * such build has connections of its own, on HTTP/1.1 as on h2.
	 */
	@ParameterizedTest
	@EnumSource(value = ClientKind.class, names = { "REST_CLIENT", "WEB_CLIENT" })
	void aClientBuiltAgainReusesTheFirstOnesHttp2Connection(ClientKind kind) throws Exception {
		try (Http2Peer peer = peer(false).start()) {
			starter(kind, false, peer).run((context) -> {
				assertThat(kind.exchanger(context).get(peer.url("/?id=first"), new HttpHeaders())).isEqualTo("ok");
				ClientContext.pause(50);
				assertThat(kind.exchanger(context).get(peer.url("/?id=second"), new HttpHeaders())).isEqualTo("ok");
				assertThat(peer.connections()).as(peer.history()).isOne();
			});
		}
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void anApplicationsOwnProtocolSwitchGetsAlpnOverTheBundleToo(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).start()) {
			bundle(kind.on(ClientContext.runner()), tls, peer).withUserConfiguration(OwnSwitch.class).run((context) -> {
				assertThat(kind.exchanger(context).get(peer.url("/?id=own"), new HttpHeaders())).isEqualTo("ok");
				assertThat(peer.protocol(1)).as(peer.history()).isEqualTo(tls ? "h2" : "h2c");
			});
		}
	}

	/**
	 * The GOAWAY race, made deterministic by a long network delay (as in {@code Http2PeerTests}): 250 ms each
	 * way, the peer's idle timeout 700 ms. A request sent 250 ms after the previous answer arrived crosses the
	 * GOAWAY; the peer ignores it (above the last-stream-id). GET and POST without a key are resent once on a
	 * new connection and processed once.
	 */
	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void aRequestThatCrossedAGoAwayIsResentWhateverItsMethod(ClientKind kind, boolean tls) throws Exception {
		for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
			try (Http2Peer peer = goAwayRace(tls).start()) {
				starter(kind, tls, peer).run((context) -> {
					Exchanger client = kind.exchanger(context);
					assertThat(client.get(peer.url("/?id=warm-up"), new HttpHeaders())).isEqualTo("ok");
					ClientContext.pause(250);
					String id = "crossed-" + method;
					assertThat(client.exchange(method, peer.url("/?id=" + id), new HttpHeaders(), body(method)))
						.as(peer.history())
						.isEqualTo("ok");
					assertThat(peer.ignored()).as("the request crossed the GOAWAY%n%s", peer.history()).isOne();
					assertThat(peer.processed(id)).isOne();
					assertThat(peer.connections()).isEqualTo(2);
				});
			}
		}
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void withoutTheStarterTheRequestThatCrossedAGoAwayFails(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = goAwayRace(tls).start()) {
			withOwnSwitch(kind, tls, peer).run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/?id=warm-up"), new HttpHeaders());
				ClientContext.pause(250);
				Throwable failure = catchThrowable(() -> client.get(peer.url("/?id=crossed"), new HttpHeaders()));
				assertThat(failure).as(peer.history()).hasStackTraceContaining("Connection prematurely closed");
				assertThat(peer.processed("crossed")).isZero();
			});
		}
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void aRefusedStreamIsResentOnceWhateverItsMethod(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).start()) {
			starter(kind, tls, peer).run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/?id=warm-up"), new HttpHeaders());
				peer.refuseNext(1);
				assertThat(client.exchange(HttpMethod.POST, peer.url("/?id=refused-once"), new HttpHeaders(), "order"))
					.as(peer.history())
					.isEqualTo("ok");
				assertThat(peer.processed("refused-once")).isOne();
				assertThat(peer.resets()).hasSize(1);
			});
		}
	}

	/** The cures do not depend on the starter's property: here the application switched the protocol itself. */
	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void theCuresHoldWhenTheApplicationSwitchedTheProtocolItself(ClientKind kind, boolean tls) throws Exception {
		AtomicBoolean closed = new AtomicBoolean();
		Script closeOnce = (request) -> ("closed".equals(request.id()) && closed.compareAndSet(false, true)) ? Action.CLOSE
				: Action.OK;
		try (Http2Peer peer = peer(tls).script(closeOnce).start()) {
			bundle(kind.on(ClientContext.runner()), tls, peer).withUserConfiguration(OwnSwitch.class).run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/?id=warm-up"), new HttpHeaders());
				peer.refuseNext(1);
				assertThat(client.exchange(HttpMethod.POST, peer.url("/?id=refused"), new HttpHeaders(), "order"))
					.as(peer.history())
					.isEqualTo("ok");
				assertThat(peer.processed("refused")).isOne();
				// A bare close of a reused connection under a GET: resent, and the peer closes only the first.
				assertThat(catchThrowable(() -> client.get(peer.url("/?id=closed"), new HttpHeaders()))).as(peer.history())
					.isNull();
				assertThat(peer.processed("closed")).isOne();
			});
		}
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void aStreamRefusedTwiceReachesTheCallerUnprocessed(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).start()) {
			starter(kind, tls, peer).run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/?id=warm-up"), new HttpHeaders());
				peer.refuseNext(2);
				Throwable failure = catchThrowable(() -> client.get(peer.url("/?id=refused-twice"), new HttpHeaders()));
				assertThat(failure).as(peer.history())
					.hasStackTraceContaining("the server reset the stream with REFUSED_STREAM again")
					.hasStackTraceContaining("resent once, not more");
				assertThat(peer.processed("refused-twice")).isZero();
				assertThat(peer.resets()).hasSize(2);
			});
		}
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void withoutTheStarterARefusedStreamFails(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).start()) {
			withOwnSwitch(kind, tls, peer).run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/?id=warm-up"), new HttpHeaders());
				peer.refuseNext(1);
				assertThat(catchThrowable(() -> client.get(peer.url("/?id=refused"), new HttpHeaders()))).isNotNull();
				assertThat(peer.processed("refused")).isZero();
			});
		}
	}

	/** A bare close (no GOAWAY, no answer) follows the HTTP/1.1 rule: a GET is resent, a POST without a key not. */
	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void aBareCloseOfAReusedConnectionFollowsTheHttp11Rule(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).script(Script.onStream(2, Action.CLOSE)).start()) {
			starter(kind, tls, peer).run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/?id=warm-up"), new HttpHeaders());
				Throwable getFailure = catchThrowable(() -> client.get(peer.url("/?id=get"), new HttpHeaders()));
				assertThat(getFailure).as(peer.history()).isNull();
				assertThat(peer.processed("get")).isOne();
				client.get(peer.url("/?id=warm-up-2"), new HttpHeaders());
				Throwable failure = catchThrowable(
						() -> client.exchange(HttpMethod.POST, peer.url("/?id=post"), new HttpHeaders(), "order"));
				assertThat(failure).as(peer.history()).hasStackTraceContaining("not resent: POST without");
				assertThat(peer.processed("post")).isZero();
			});
		}
	}

	/**
	 * A connection that goes silent (no FIN, no answer, no PING ACK) with a request in flight is found by
	 * PING within ping-interval + ack timeout and closed; the POST on it fails (it may have been processed),
	 * the next request goes out on a new connection.
	 */
	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void aSilentConnectionIsFoundByPingAndNeverHandedOutAgain(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).script(Script.onId("silent", Action.SILENT)).start()) {
			starter(kind, tls, peer)
				.withPropertyValues("keepalive.client.http2.ping-interval=1s", "keepalive.client.http2.ping-ack-timeout=500ms")
				.run((context) -> {
					Exchanger client = kind.exchanger(context);
					client.get(peer.url("/?id=warm-up"), new HttpHeaders());
					long start = System.nanoTime();
					Throwable failure = catchThrowable(
							() -> client.exchange(HttpMethod.POST, peer.url("/?id=silent"), new HttpHeaders(), "order"));
					long tookMillis = (System.nanoTime() - start) / 1_000_000;
					assertThat(failure).as(peer.history()).isNotNull();
					assertThat(tookMillis).as("found within 1 s + 500 ms, with room for the event loop").isBetween(1400L, 3000L);
					assertThat(peer.pingsReceived()).isPositive();
					assertThat(client.get(peer.url("/?id=next"), new HttpHeaders())).isEqualTo("ok");
					assertThat(peer.connections()).isEqualTo(2);
					Origin origin = context.getBean(Origins.class).all().iterator().next();
					assertThat(origin.pingFailures()).isOne();
				});
		}
	}

	/** The control: with PING off, the same silent connection holds the POST until the read timeout, 3 s. */
	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void withoutPingASilentConnectionHoldsTheRequestUntilTheReadTimeout(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).script(Script.onId("silent", Action.SILENT)).start()) {
			starter(kind, tls, peer)
				.withPropertyValues("keepalive.client.http2.ping-interval=0", "spring.http.clients.read-timeout=3s")
				.run((context) -> {
					Exchanger client = kind.exchanger(context);
					client.get(peer.url("/?id=warm-up"), new HttpHeaders());
					long start = System.nanoTime();
					Throwable failure = catchThrowable(
							() -> client.exchange(HttpMethod.POST, peer.url("/?id=silent"), new HttpHeaders(), "order"));
					assertThat(failure).isNotNull();
					assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(2900L);
					assertThat(peer.pingsReceived()).isZero();
				});
		}
	}

	/** HTTP/2 forbids Keep-Alive: default-idle-timeout bounds an idle h2 connection as it does an HTTP/1.1 one. */
	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void anIdleH2ConnectionIsNotReusedPastTheDefaultIdleTimeout(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).start()) {
			starter(kind, tls, peer).withPropertyValues("keepalive.client.default-idle-timeout=500ms")
				.run((context) -> {
					Exchanger client = kind.exchanger(context);
					client.get(peer.url("/?id=first"), new HttpHeaders());
					client.get(peer.url("/?id=soon"), new HttpHeaders());
					assertThat(peer.connections()).isOne();
					ClientContext.pause(800);
					client.get(peer.url("/?id=late"), new HttpHeaders());
					assertThat(peer.connections()).as(peer.history()).isEqualTo(2);
					assertThat(peer.closedByClient()).isOne();
				});
		}
	}

	/** A GOAWAY(NO_ERROR) that closes an idle connection after about 600 ms teaches its origin a cutoff below. */
	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void aGoAwayAtTheIdleTimeoutTeachesTheCutoff(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = peer(tls).idleTimeout(Duration.ofMillis(600), Idle.GOAWAY).start()) {
			starter(kind, tls, peer).withPropertyValues("keepalive.client.learn.min-idle-timeout=100ms").run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(peer.url("/?id=first"), new HttpHeaders());
				ClientContext.pause(1000);
				Origin origin = context.getBean(Origins.class).all().iterator().next();
				assertThat(origin.goAways()).isOne();
				assertThat(origin.learntIdleCutoffMillis()).as(origin.learntIdleCutoffReason()).isLessThan(600);
			});
		}
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("clients")
	void meterGoAwaysRefusedStreamsAndUnprocessedResends(ClientKind kind, boolean tls) throws Exception {
		try (Http2Peer peer = goAwayRace(tls).start()) {
			starter(kind, tls, peer)
				.withConfiguration(AutoConfigurations.of(KeepAliveMetricsAutoConfiguration.class))
				.withBean(SimpleMeterRegistry.class)
				.run((context) -> {
					Exchanger client = kind.exchanger(context);
					client.get(peer.url("/?id=warm-up"), new HttpHeaders());
					ClientContext.pause(250);
					client.get(peer.url("/?id=crossed"), new HttpHeaders());
					peer.refuseNext(1);
					client.get(peer.url("/?id=refused"), new HttpHeaders());
					MeterRegistry registry = context.getBean(MeterRegistry.class);
					assertThat(registry.get(KeepAliveClientMetrics.GOAWAY).tag("error", "NO_ERROR").counter().count())
						.isOne();
					assertThat(registry.get(KeepAliveClientMetrics.REFUSED_STREAMS).counter().count()).isOne();
					assertThat(registry.get(KeepAliveRetryMetrics.UNPROCESSED)
						.tag("signal", "goaway")
						.tag("resent", "true")
						.counter()
						.count()).isOne();
					assertThat(registry.get(KeepAliveRetryMetrics.UNPROCESSED)
						.tag("signal", "refused-stream")
						.counter()
						.count()).isOne();
					assertThat(registry.find(KeepAliveRetryMetrics.RESETS).counters()).isEmpty();
				});
		}
	}

	/**
	 * The scenarios {@code http2.md} measured, with the starter, as {@code Http2PeerTests} measures plain Reactor
	 * Netty: 25 ms each way, the peer's idle timeout 500 ms (GOAWAY, or a bare close), gaps spread over
	 * 420-540 ms after a request on a new connection; and REFUSED_STREAM on a busy connection. WebClient, h2c and
	 * h2 over TLS, GET and POST without a key alternating. On demand: {@code -Dh2peer.trials=61}; the table goes
	 * to standard output.
	 */
	@ParameterizedTest(name = "tls={0}, starter={1}")
	@MethodSource("measuredSetups")
	@EnabledIfSystemProperty(named = "h2peer.trials", matches = "\\d+")
	void measured(boolean tls, boolean withStarter) throws Exception {
		int trials = Integer.getInteger("h2peer.trials");
		StringBuilder table = new StringBuilder();
		for (Idle idle : Idle.values()) {
			try (Http2Peer peer = peer(tls).idleTimeout(Duration.ofMillis(500), idle)
				.goAwayGrace(Duration.ofMillis(100))
				.oneWayDelay(Duration.ofMillis(25))
				.start()) {
				setup(tls, withStarter, peer).run((context) -> {
					Exchanger client = ClientKind.WEB_CLIENT.exchanger(context);
					int failed = 0;
					int twice = 0;
					int postsFailed = 0;
					for (int i = 0; i < trials; i++) {
						client.get(peer.url("/?id=warm-" + i), new HttpHeaders());
						ClientContext.pause(420 + 120L * i / Math.max(1, trials - 1));
						HttpMethod method = (i % 2 == 0) ? HttpMethod.GET : HttpMethod.POST;
						String id = "trial-" + i;
						Throwable failure = catchThrowable(
								() -> client.exchange(method, peer.url("/?id=" + id), new HttpHeaders(), body(method)));
						if (failure != null) {
							failed++;
							postsFailed += (method == HttpMethod.POST) ? 1 : 0;
							if (method == HttpMethod.GET) {
								table.append("    GET " + id + " failed: " + failure + "\n");
							}
							assertThat(peer.processed(id)).as("a failed request was not processed").isZero();
						}
						twice += (peer.processed(id) > 1) ? 1 : 0;
						ClientContext.pause(900);
					}
					table.append(String.format("  %s at idle 500 ms: %d of %d failed (%d POSTs without key), %d "
							+ "processed twice; connections %d, GOAWAYs %d, ignored %d%n", idle, failed, trials, postsFailed,
							twice, peer.connections(), peer.goAways().size(), peer.ignored()));
				});
			}
		}
		try (Http2Peer peer = peer(tls).start()) {
			setup(tls, withStarter, peer).run((context) -> {
				Exchanger client = ClientKind.WEB_CLIENT.exchanger(context);
				client.get(peer.url("/?id=warm-up"), new HttpHeaders());
				int failed = 0;
				for (int i = 0; i < trials; i++) {
					peer.refuseNext(1);
					String id = "refused-" + i;
					failed += (catchThrowable(() -> client.exchange(HttpMethod.POST, peer.url("/?id=" + id),
							new HttpHeaders(), "order")) != null) ? 1 : 0;
					assertThat(peer.processed(id)).isLessThanOrEqualTo(1);
				}
				table.append(String.format("  REFUSED_STREAM, POST without key: %d of %d failed, %d processed%n", failed,
						trials, peer.processed()));
			});
		}
		System.out.print("[Http2Tests] " + (withStarter ? "with the starter" : "plain Boot") + ", WebClient "
				+ (tls ? "h2 over TLS" : "h2c") + ", 25 ms each way\n" + table);
	}

	static Stream<Arguments> measuredSetups() {
		return Stream.of(Arguments.of(false, false), Arguments.of(false, true), Arguments.of(true, false),
				Arguments.of(true, true));
	}

	private static ApplicationContextRunner setup(boolean tls, boolean withStarter, Http2Peer peer) {
		return withStarter ? starter(ClientKind.WEB_CLIENT, tls, peer) : withOwnSwitch(ClientKind.WEB_CLIENT, tls, peer);
	}

	private static Http2Peer.Builder peer(boolean tls) {
		return tls ? Http2Peer.tls() : Http2Peer.cleartext();
	}

	private static Http2Peer.Builder goAwayRace(boolean tls) {
		return peer(tls).idleTimeout(Duration.ofMillis(700), Idle.GOAWAY)
			.goAwayGrace(Duration.ofMillis(300))
			.oneWayDelay(Duration.ofMillis(250));
	}

	private static String body(HttpMethod method) {
		return (method == HttpMethod.POST) ? "order" : null;
	}

	/** The starter, switched to HTTP/2 by its property; over TLS, trusting the peer through a Boot SSL bundle. */
	private static ApplicationContextRunner starter(ClientKind kind, boolean tls, Http2Peer peer) {
		return bundle(kind.on(ClientContext.runner()), tls, peer)
			.withPropertyValues("keepalive.client.protocol=" + (tls ? "h2" : "h2c"));
	}

	/**
	 * The control: the starter is off; the application switches the protocol with its own customizers and, over
	 * TLS, secures the client again with ALPN and the bundle's trust, which Boot's bundle path leaves out.
	 */
	private static ApplicationContextRunner withOwnSwitch(ClientKind kind, boolean tls, Http2Peer peer) {
		return bundle(kind.on(ClientContext.runner()), tls, peer).withPropertyValues("keepalive.client.enabled=false")
			.withUserConfiguration(tls ? OwnSwitchWithAlpn.class : OwnSwitch.class);
	}

	private static ApplicationContextRunner bundle(ApplicationContextRunner runner, boolean tls, Http2Peer peer) {
		if (!tls) {
			return runner;
		}
		return runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("spring.ssl.bundle.pem.peer.truststore.certificate=" + peer.certificate().certificatePem(),
					"spring.http.clients.ssl.bundle=peer");
	}

	/** h2c by prior knowledge for cleartext origins, h2 by ALPN over TLS, as the starter's "h2c" does. */
	@Configuration(proxyBeanMethods = false)
	static class OwnSwitch {

		@Bean
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> h2Connector() {
			return (builder) -> builder.withHttpClientCustomizer(OwnSwitch::h2);
		}

		@Bean
		ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> h2RequestFactory() {
			return (builder) -> builder.withHttpClientCustomizer(OwnSwitch::h2);
		}

		static HttpClient h2(HttpClient client) {
			return client.protocol(HttpProtocol.H2C, HttpProtocol.H2);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnSwitchWithAlpn {

		@Bean
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> h2Connector(SslBundles bundles) {
			return (builder) -> builder.withHttpClientCustomizer((client) -> alpn(client, bundles));
		}

		@Bean
		ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> h2RequestFactory(
				SslBundles bundles) {
			return (builder) -> builder.withHttpClientCustomizer((client) -> alpn(client, bundles));
		}

		static HttpClient alpn(HttpClient client, SslBundles bundles) {
			TrustManagerFactory trust = bundles.getBundle("peer").getManagers().getTrustManagerFactory();
			return OwnSwitch.h2(client)
				.secure((spec) -> spec.sslContext(Http2SslContextSpec.forClient().configure((ssl) -> ssl.trustManager(trust))));
		}

	}

}
