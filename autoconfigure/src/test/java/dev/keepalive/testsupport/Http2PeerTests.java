package dev.keepalive.testsupport;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.NettyPipeline;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.SslProvider.GenericSslContextSpec;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.reactive.function.client.WebClient;

import dev.keepalive.testsupport.Http2Peer.Action;
import dev.keepalive.testsupport.Http2Peer.GoAway;
import dev.keepalive.testsupport.Http2Peer.Idle;
import dev.keepalive.testsupport.Http2Peer.Reset;
import dev.keepalive.testsupport.Http2Peer.Script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP/2 peer does what a test scripts, frame by frame, and plain Reactor Netty (no starter) fails against
 * it as {@code http2.md} reports: the controls of the starter's HTTP/2 tests. The client is a real Reactor
 * Netty {@link HttpClient} with a pool and event loop of its own per test, on h2c by prior knowledge or on h2
 * over TLS trusting the peer's certificate.
 */
class Http2PeerTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	/**
	 * One connection per peer at a time: Reactor Netty's HTTP/2 pool opens a new connection for an acquire
	 * that finds no idle slot (concurrent first requests, or a request right after a failed stream whose slot is
	 * not yet released), and tests count connections.
	 */
	private final ConnectionProvider provider = ConnectionProvider.builder("h2peer-tests").maxConnections(1).build();

	private final LoopResources loops = LoopResources.create("h2peer-client", 1, true);

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void dispose() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
		this.provider.disposeLater().block(WAIT);
		this.loops.disposeLater().block(WAIT);
	}

	// 1. h2c by prior knowledge, h2 over TLS by ALPN

	@Test
	void servesH2cByPriorKnowledgeAndCountsWhatItProcessed() {
		Http2Peer peer = start(Http2Peer.cleartext());
		HttpClient client = h2c();
		Outcome first = get(client, peer, "a");
		Outcome second = post(client, peer, "b", "x".repeat(100_000)); // above the 64 KB initial windows
		Outcome third = get(client, peer.url("/q?id=c"), null);
		assertThat(List.of(first, second, third)).allSatisfy((outcome) -> {
			assertThat(outcome.body()).as(peer.history()).isEqualTo("ok");
			assertThat(outcome.version()).isEqualTo("HTTP/2.0");
			assertThat(outcome.connection()).isEqualTo("1");
		});
		// Netty's client codec reserves stream 1 for an HTTP/1.1 upgrade: its first stream is 3, also by prior knowledge.
		assertThat(List.of(first.stream(), second.stream(), third.stream())).containsExactly("3", "5", "7");
		assertThat(peer.processed("a")).isOne();
		assertThat(peer.processed("b")).isOne();
		assertThat(peer.processed("c")).isOne();
		assertThat(peer.connections()).isOne();
		assertThat(peer.streams(1)).isEqualTo(3);
		assertThat(peer.protocol(1)).isEqualTo("h2c");
		assertThat(peer.goAways()).isEmpty();
		assertThat(peer.resets()).isEmpty();
	}

	@Test
	void servesH2OverTlsNegotiatedByAlpn(@TempDir Path directory) throws Exception {
		Http2Peer peer = start(Http2Peer.tls());
		Outcome outcome = get(h2(peer), peer, "a");
		assertThat(outcome.body()).as(peer.history()).isEqualTo("ok");
		assertThat(outcome.version()).isEqualTo("HTTP/2.0");
		assertThat(peer.protocol(1)).isEqualTo("h2");
		assertThat(peer.processed("a")).isOne();
		KeyStore trustStore = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(peer.certificate().trustStore(directory))) {
			trustStore.load(in, "changeit".toCharArray());
		}
		assertThat(trustStore.getCertificate("localhost")).isEqualTo(trusted(peer));
	}

	@Test
	void alpnPicksH2WhenTheClientOffersH2AndHttp11() {
		Http2Peer peer = start(Http2Peer.tls());
		HttpClient client = client().protocol(HttpProtocol.H2, HttpProtocol.HTTP11).secure((spec) -> spec
			.sslContext(alpn((builder) -> builder.trustManager(trusted(peer)))));
		Outcome outcome = get(client, peer, "a");
		assertThat(outcome.body()).as(peer.history()).isEqualTo("ok");
		assertThat(outcome.version()).isEqualTo("HTTP/2.0");
		assertThat(peer.protocol(1)).isEqualTo("h2");
	}

	/**
	 * A client {@code SslContext} built as Spring Boot builds one from an SSL bundle
	 * ({@code ReactorHttpClientBuilder.configureSsl}: {@code SslContextBuilder.forClient()} with the bundle's
	 * managers, no ALPN) offers no protocol: with H2 and HTTP11 Reactor Netty falls back to HTTP/1.1; with H2
	 * alone it speaks h2 without ALPN, which this peer accepts but a server that requires ALPN would not.
	 */
	@Test
	void aClientSslContextWithoutAlpnNeverNegotiatesH2() throws Exception {
		Http2Peer peer = start(Http2Peer.tls());
		var bootStyle = SslContextBuilder.forClient().trustManager(trusted(peer)).build();
		HttpClient both = client().protocol(HttpProtocol.H2, HttpProtocol.HTTP11).secure((spec) -> spec.sslContext(bootStyle));
		Outcome fallback = get(both, peer, "a");
		assertThat(fallback.status()).as(peer.history()).isEqualTo(505);
		assertThat(fallback.version()).isEqualTo("HTTP/1.1");
		assertThat(peer.protocol(1)).isEqualTo("none");
		HttpClient h2Only = client().protocol(HttpProtocol.H2).secure((spec) -> spec.sslContext(bootStyle));
		Outcome priorKnowledge = get(h2Only, peer, "b");
		assertThat(priorKnowledge.body()).as(peer.history()).isEqualTo("ok");
		assertThat(priorKnowledge.version()).isEqualTo("HTTP/2.0");
		assertThat(peer.protocol(2)).isEqualTo("none");
	}

	/**
	 * A Boot WebClient with an SSL bundle trusting the peer ({@code spring.ssl.bundle.pem.peer.truststore.certificate}
	 * set to the PEM text, {@code spring.http.clients.ssl.bundle=peer}) and H2 switched on the documented way (a
	 * {@code ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder>}) negotiates no protocol:
	 * Boot's bundle path builds its SslContext without ALPN, so the request goes out as HTTP/1.1.
	 */
	@Test
	void bootWebClientWithAnSslBundleAndH2SwitchedOnSpeaksHttp11() {
		Http2Peer peer = start(Http2Peer.tls());
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> h2 = (builder) -> builder
			.withHttpClientCustomizer((client) -> client.protocol(HttpProtocol.H2, HttpProtocol.HTTP11));
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HttpClientAutoConfiguration.class,
					ReactiveHttpClientAutoConfiguration.class, WebClientAutoConfiguration.class))
			.withBean(ReactorResourceFactory.class, ClientContext::isolatedResources)
			.withBean("h2", ClientHttpConnectorBuilderCustomizer.class, () -> h2)
			.withPropertyValues("spring.ssl.bundle.pem.peer.truststore.certificate=" + peer.certificate().certificatePem(),
					"spring.http.clients.ssl.bundle=peer")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				WebClient webClient = context.getBean(WebClient.Builder.class).build();
				Integer status = webClient.get()
					.uri(peer.url("/boot"))
					.exchangeToMono((response) -> Mono.just(response.statusCode().value()))
					.block(WAIT);
				assertThat(status).as(peer.history()).isEqualTo(505);
				assertThat(peer.protocol(1)).isEqualTo("none");
			});
	}

	/**
	 * What a user (or the starter) can do about it: a customizer applied after Boot's {@code secure()} secures
	 * the client again with an ALPN-enabled {@link Http2SslContextSpec} built from the same bundle's trust
	 * managers; then h2 is negotiated.
	 */
	@Test
	void bootWebClientNegotiatesH2WhenACustomizerSecuresItAgainWithAlpnFromTheBundle() {
		Http2Peer peer = start(Http2Peer.tls());
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HttpClientAutoConfiguration.class,
					ReactiveHttpClientAutoConfiguration.class, WebClientAutoConfiguration.class))
			.withBean(ReactorResourceFactory.class, ClientContext::isolatedResources)
			.withUserConfiguration(AlpnFromTheBundle.class)
			.withPropertyValues("spring.ssl.bundle.pem.peer.truststore.certificate=" + peer.certificate().certificatePem(),
					"spring.http.clients.ssl.bundle=peer")
			.run((context) -> {
				WebClient webClient = context.getBean(WebClient.Builder.class).build();
				String body = webClient.get().uri(peer.url("/boot?id=boot")).retrieve().bodyToMono(String.class).block(WAIT);
				assertThat(body).as(peer.history()).isEqualTo("ok");
				assertThat(peer.protocol(1)).isEqualTo("h2");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class AlpnFromTheBundle {

		@Bean
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> h2WithAlpn(SslBundles bundles) {
			return (builder) -> builder.withHttpClientCustomizer((client) -> client
				.protocol(HttpProtocol.H2, HttpProtocol.HTTP11)
				.secure((spec) -> spec.sslContext(
						alpn((ssl) -> ssl.trustManager(bundles.getBundle("peer").getManagers().getTrustManagerFactory())))));
		}

	}

	// 2 and 3. GOAWAY at the idle timeout, then a close after the grace

	@Test
	void goAwayAtTheIdleTimeoutThenCloseAfterTheGrace() {
		Http2Peer peer = start(Http2Peer.cleartext()
			.idleTimeout(Duration.ofMillis(500), Idle.GOAWAY)
			.goAwayGrace(Duration.ofMillis(100)));
		HttpClient client = h2c();
		assertThat(get(client, peer, "a").body()).isEqualTo("ok");
		assertThat(get(client, peer, "b").connection()).as(peer.history()).isEqualTo("1");
		await().atMost(WAIT).until(() -> peer.closedByPeer() == 1);
		assertThat(peer.goAways()).as(peer.history()).containsExactly(new GoAway(1, 5, 0));
		Outcome after = get(client, peer, "c");
		assertThat(after.body()).isEqualTo("ok");
		assertThat(after.connection()).isEqualTo("2");
		assertThat(peer.processed()).isEqualTo(3);
	}

	/**
	 * The control of the GOAWAY race, made deterministic by a long network delay: 250 ms each way, the peer's
	 * idle timeout 700 ms. A request sent 250 ms after the previous answer arrived reaches the peer 750 ms after
	 * that answer left, 50 ms after its GOAWAY; the GOAWAY reaches the client 450 ms after the request left (so
	 * the client may run that late). The peer ignores the request (above the last-stream-id); plain Reactor
	 * Netty fails it with a PrematureCloseException although it was never processed. The request after that
	 * goes out on a new connection.
	 */
	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	void goAwayRaceFailsPlainReactorNettyOnARequestThePeerNeverProcessed(boolean tls) {
		Http2Peer peer = start((tls ? Http2Peer.tls() : Http2Peer.cleartext())
			.idleTimeout(Duration.ofMillis(700), Idle.GOAWAY)
			.goAwayGrace(Duration.ofMillis(300))
			.oneWayDelay(Duration.ofMillis(250)));
		HttpClient client = tls ? h2(peer) : h2c();
		Trial trial = trials(client, peer, List.of(250L), 500).get(0);
		assertThat(trial.outcome().error()).as("gap %d ms%n%s", trial.gap(), peer.history()).isInstanceOf(PrematureCloseException.class);
		assertThat(peer.processed(trial.id())).isZero();
		assertThat(peer.ignored()).as(peer.history()).isOne();
		assertThat(peer.goAways()).containsExactly(new GoAway(1, 3, 0));
		Outcome next = get(client, peer, "next");
		assertThat(next.body()).as(peer.history()).isEqualTo("ok");
		assertThat(next.connection()).isEqualTo("2");
	}

	/**
	 * The GOAWAY race measured as {@code http2.md} did: 25 ms each way, the peer's idle timeout 500 ms, idle
	 * gaps spread over 420-540 ms, each after a request on a new connection. On demand:
	 * {@code -Dh2peer.trials=61}; the table goes to standard output.
	 */
	@Test
	@EnabledIfSystemProperty(named = "h2peer.trials", matches = "\\d+")
	void goAwayRaceMeasured() {
		Http2Peer peer = start(Http2Peer.cleartext()
			.idleTimeout(Duration.ofMillis(500), Idle.GOAWAY)
			.goAwayGrace(Duration.ofMillis(100))
			.oneWayDelay(Duration.ofMillis(25)));
		List<Trial> trials = trials(h2c(), peer, spread(420, 540, Integer.getInteger("h2peer.trials")), 900);
		report("GOAWAY at idle timeout 500 ms, 25 ms each way", peer, trials);
		assertProcessedExactlyTheSuccesses(peer, trials);
	}

	// 4. GOAWAY mid-flight with a chosen last-stream-id

	@Test
	void goAwayBelowTheKthStreamLeavesItUnprocessed() {
		Http2Peer peer = start(Http2Peer.cleartext().script(Script.onStream(3, Action.GOAWAY)));
		HttpClient client = h2c();
		assertThat(get(client, peer, "a").body()).isEqualTo("ok");
		assertThat(get(client, peer, "b").body()).isEqualTo("ok");
		Outcome third = get(client, peer, "c");
		assertThat(third.error()).as(peer.history()).isInstanceOf(PrematureCloseException.class);
		assertThat(peer.processed("c")).isZero();
		assertThat(peer.goAways()).containsExactly(new GoAway(1, 5, 0));
		Outcome fourth = get(client, peer, "d");
		assertThat(fourth.body()).as(peer.history()).isEqualTo("ok");
		assertThat(fourth.connection()).isEqualTo("2");
	}

	@Test
	void goAwayMidFlightStillAnswersTheStreamsBelowIt() {
		Http2Peer peer = start(Http2Peer.cleartext()
			.script(Script.onStream(3, Action.GOAWAY))
			.responseDelay(Duration.ofMillis(300))
			.goAwayGrace(Duration.ofMillis(1000))
			.oneWayDelay(Duration.ofMillis(50))); // the three streams leave before the GOAWAY arrives
		HttpClient client = h2c();
		assertThat(get(client, peer, "warm").body()).isEqualTo("ok");
		List<Outcome> outcomes = Flux.just("x", "y", "z")
			.flatMap((id) -> exchange(client, "GET", peer.url("/concurrent"), id, null))
			.collectList()
			.block(WAIT);
		assertThat(outcomes).as(peer.history()).filteredOn((outcome) -> outcome.error() == null).hasSize(1);
		Outcome answered = outcomes.stream().filter((outcome) -> outcome.error() == null).findFirst().orElseThrow();
		assertThat(answered.stream()).isEqualTo("5");
		assertThat(outcomes).filteredOn((outcome) -> outcome.error() != null)
			.allSatisfy((outcome) -> assertThat(outcome.error()).isInstanceOf(PrematureCloseException.class));
		assertThat(peer.processed()).as(peer.history()).isEqualTo(2); // warm (stream 3) and stream 5
		assertThat(peer.goAways()).containsExactly(new GoAway(1, 5, 0));
		assertThat(peer.ignored()).isEqualTo(1); // stream 9; stream 7 triggered the GOAWAY
	}

	/**
	 * A request that crosses the GOAWAY, refused as a Netty server would: the second of two requests sent at
	 * once (100 ms each way) reaches the peer after it sent GOAWAY below the first.
	 */
	@Test
	void streamsAboveTheGoAwayCanBeRefusedInsteadOfIgnored() {
		Http2Peer peer = start(Http2Peer.cleartext()
			.script(Script.onStream(2, Action.GOAWAY))
			.refuseAfterGoAway()
			.goAwayGrace(Duration.ofMillis(500))
			.oneWayDelay(Duration.ofMillis(100)));
		HttpClient client = h2c();
		assertThat(get(client, peer, "warm").body()).isEqualTo("ok");
		List<Outcome> outcomes = Flux.just("x", "y")
			.flatMap((id) -> exchange(client, "GET", peer.url("/concurrent"), id, null))
			.collectList()
			.block(WAIT);
		assertThat(outcomes).as(peer.history())
			.allSatisfy((outcome) -> assertThat(outcome.error()).isInstanceOf(PrematureCloseException.class));
		assertThat(peer.goAways()).containsExactly(new GoAway(1, 3, 0));
		assertThat(peer.resets()).containsExactly(new Reset(1, 7, 7));
		assertThat(peer.ignored()).isZero();
		assertThat(peer.processed()).isOne();
	}

	// 5. RST_STREAM(REFUSED_STREAM)

	@Test
	void refusedStreamFailsPlainReactorNettyAndIsNotProcessed() {
		Http2Peer peer = start(Http2Peer.cleartext());
		HttpClient client = h2c();
		assertThat(get(client, peer, "a").body()).isEqualTo("ok");
		peer.refuseNext(2);
		Outcome get = get(client, peer, "b");
		Outcome post = post(client, peer, "c", "payload");
		assertThat(List.of(get, post)).as(peer.history())
			.allSatisfy((outcome) -> assertThat(outcome.error()).isInstanceOf(PrematureCloseException.class));
		assertThat(peer.processed("b")).isZero();
		assertThat(peer.processed("c")).isZero();
		assertThat(peer.resets()).as(peer.history()).containsExactly(new Reset(1, 5, 7), new Reset(1, 7, 7));
		Outcome next = get(client, peer, "d");
		assertThat(next.body()).isEqualTo("ok");
		assertThat(next.connection()).as("a refused stream leaves the connection usable").isEqualTo("1");
	}

	@Test
	void refusedStreamOnABusyConnection() {
		Http2Peer peer = start(Http2Peer.cleartext()
			.script(Script.onId("refused", Action.REFUSE))
			.responseDelay(Duration.ofMillis(300)));
		HttpClient client = h2c();
		assertThat(get(client, peer, "warm").body()).isEqualTo("ok");
		List<Outcome> outcomes = Flux.just("busy", "refused")
			.concatMap((id) -> Mono.delay(Duration.ofMillis(50)).then(Mono.just(id)))
			.flatMap((id) -> exchange(client, "POST", peer.url("/busy"), id, "payload"))
			.collectList()
			.block(WAIT);
		assertThat(outcomes).as(peer.history()).filteredOn((outcome) -> outcome.error() == null).singleElement()
			.satisfies((outcome) -> assertThat(outcome.connection()).isEqualTo("1"));
		assertThat(outcomes).filteredOn((outcome) -> outcome.error() != null).singleElement()
			.satisfies((outcome) -> assertThat(outcome.error()).isInstanceOf(PrematureCloseException.class));
		assertThat(peer.processed("busy")).isOne();
		assertThat(peer.processed("refused")).isZero();
		assertThat(peer.connections()).isOne();
	}

	@Test
	@EnabledIfSystemProperty(named = "h2peer.trials", matches = "\\d+")
	void refusedStreamMeasured() {
		Http2Peer peer = start(Http2Peer.cleartext());
		HttpClient client = h2c();
		get(client, peer, "warm");
		int trials = Integer.getInteger("h2peer.trials");
		List<Trial> results = new ArrayList<>();
		for (int i = 0; i < trials; i++) {
			peer.refuseNext(1);
			String id = "r" + i;
			results.add(new Trial(id, 0, null, (i % 2 == 0) ? get(client, peer, id) : post(client, peer, id, "p")));
		}
		report("REFUSED_STREAM, GET and POST alternately", peer, results);
		assertThat(results).as(peer.history()).allSatisfy((trial) -> {
			assertThat(trial.outcome().error()).isInstanceOf(PrematureCloseException.class);
			assertThat(peer.processed(trial.id())).isZero();
		});
	}

	// 6. A bare close: at the idle timeout, or on a chosen request

	@Test
	void bareCloseAtTheIdleTimeout() {
		Http2Peer peer = start(Http2Peer.cleartext().idleTimeout(Duration.ofMillis(200), Idle.CLOSE));
		HttpClient client = h2c();
		assertThat(get(client, peer, "a").body()).isEqualTo("ok");
		await().atMost(WAIT).until(() -> peer.closedByPeer() == 1);
		Outcome after = get(client, peer, "b");
		assertThat(after.body()).as(peer.history()).isEqualTo("ok");
		assertThat(after.connection()).isEqualTo("2");
		assertThat(peer.goAways()).isEmpty();
	}

	/** The control of the bare close race, deterministic as the GOAWAY one. */
	@Test
	void bareCloseRaceFailsPlainReactorNettyOnARequestThePeerNeverProcessed() {
		Http2Peer peer = start(Http2Peer.cleartext()
			.idleTimeout(Duration.ofMillis(700), Idle.CLOSE)
			.oneWayDelay(Duration.ofMillis(250)));
		HttpClient client = h2c();
		Trial trial = trials(client, peer, List.of(250L), 500).get(0);
		assertThat(trial.outcome().error()).as("gap %d ms%n%s", trial.gap(), peer.history()).isInstanceOf(PrematureCloseException.class);
		assertThat(peer.processed(trial.id())).isZero();
		assertThat(peer.goAways()).isEmpty();
	}

	/** The bare close race measured as {@link #goAwayRaceMeasured()}. */
	@Test
	@EnabledIfSystemProperty(named = "h2peer.trials", matches = "\\d+")
	void bareCloseRaceMeasured() {
		Http2Peer peer = start(Http2Peer.cleartext()
			.idleTimeout(Duration.ofMillis(500), Idle.CLOSE)
			.oneWayDelay(Duration.ofMillis(25)));
		List<Trial> trials = trials(h2c(), peer, spread(420, 540, Integer.getInteger("h2peer.trials")), 900);
		report("bare close at idle timeout 500 ms, 25 ms each way", peer, trials);
		assertProcessedExactlyTheSuccesses(peer, trials);
		assertThat(peer.goAways()).isEmpty();
	}

	@Test
	void closeOnAChosenRequestProcessedOrNot() {
		Http2Peer peer = start(Http2Peer.cleartext()
			.script((request) -> switch (String.valueOf(request.id())) {
				case "close" -> Action.CLOSE;
				case "process-then-close" -> Action.PROCESS_THEN_CLOSE;
				default -> Action.OK;
			}));
		HttpClient client = h2c();
		Outcome closed = post(client, peer, "close", "payload");
		Outcome processedThenClosed = post(client, peer, "process-then-close", "payload");
		assertThat(List.of(closed, processedThenClosed)).as(peer.history())
			.allSatisfy((outcome) -> assertThat(outcome.error()).isInstanceOf(PrematureCloseException.class));
		assertThat(peer.processed("close")).isZero();
		assertThat(peer.processed("process-then-close")).isOne();
		assertThat(peer.connections()).isEqualTo(2);
		assertThat(peer.goAways()).isEmpty();
	}

	// 7. Silence: no answer, no PING ack, no FIN

	@Test
	void silentConnectionHangsTheRequestInFlightAndTheNextOne() {
		Http2Peer peer = start(Http2Peer.cleartext().script(Script.onId("hang", Action.SILENT)));
		HttpClient client = h2c();
		assertThat(get(client, peer, "a").body()).isEqualTo("ok");
		Outcome hung = get(client, peer, "hang", Duration.ofMillis(800));
		assertThat(hung.error()).as(peer.history()).isInstanceOf(TimeoutException.class);
		Outcome next = get(client, peer, "b", Duration.ofMillis(800));
		assertThat(next.error()).as("the dead connection stays pooled").isInstanceOf(TimeoutException.class);
		assertThat(peer.processed("hang")).isZero();
		assertThat(peer.processed("b")).isZero();
		assertThat(peer.connections()).isOne();
		assertThat(peer.closedByPeer()).isZero();
		assertThat(peer.history()).contains("ignored (silent)");
	}

	/**
	 * Reactor Netty's PING health check (pool {@code maxIdleTime} and {@code pingAckTimeout}, no custom eviction
	 * predicate) finds the silent connection: the peer counts the PINGs it left unanswered.
	 */
	@Test
	void silentConnectionIsFoundByReactorNettysPing() {
		Http2Peer peer = start(Http2Peer.cleartext().script(Script.onId("hang", Action.SILENT)));
		ConnectionProvider pinging = ConnectionProvider.builder("h2peer-ping").maxIdleTime(Duration.ofMillis(300)).build();
		this.closeables.add(() -> pinging.disposeLater().block(WAIT));
		HttpClient client = HttpClient.create(pinging)
			.runOn(this.loops)
			.protocol(HttpProtocol.H2C)
			.http2Settings((settings) -> settings.pingAckTimeout(Duration.ofMillis(200)));
		assertThat(get(client, peer, "a").body()).isEqualTo("ok");
		ClientContext.pause(700); // idle past maxIdleTime: PING, acked, the connection kept
		Outcome kept = get(client, peer, "b");
		assertThat(kept.connection()).as(peer.history()).isEqualTo("1");
		assertThat(peer.pingsAcked()).isPositive();
		int acked = peer.pingsAcked();
		long start = System.nanoTime();
		Outcome hung = get(client, peer, "hang", WAIT);
		long millis = (System.nanoTime() - start) / 1_000_000;
		System.out.println("[Http2PeerTests] silent connection with PING (maxIdleTime 300 ms, ack timeout 200 ms): "
				+ hung.error() + " after " + millis + " ms; PINGs received " + peer.pingsReceived() + ", acked "
				+ peer.pingsAcked());
		assertThat(hung.error()).as(peer.history()).isInstanceOf(PrematureCloseException.class);
		assertThat(millis).isLessThan(2000);
		assertThat(peer.pingsReceived()).isGreaterThan(acked);
		assertThat(peer.pingsAcked()).isEqualTo(acked);
		assertThat(get(client, peer, "c").connection()).isEqualTo("2");
	}

	@Test
	@EnabledIfSystemProperty(named = "h2peer.trials", matches = "\\d+")
	void silentMeasured() {
		Http2Peer peer = start(Http2Peer.cleartext().script((request) -> Action.SILENT));
		HttpClient client = h2c();
		int trials = Math.min(5, Integer.getInteger("h2peer.trials"));
		List<Trial> results = new ArrayList<>();
		for (int i = 0; i < trials; i++) {
			String id = "s" + i;
			results.add(new Trial(id, 0, null, get(client, peer, id, Duration.ofMillis(500))));
		}
		report("silent connection, caller timeout 500 ms", peer, results);
		assertThat(results).allSatisfy((trial) -> assertThat(trial.outcome().error()).isInstanceOf(TimeoutException.class));
		assertThat(peer.connections()).as("every request waits on the one dead connection").isOne();
	}

	// 8. Network delay: the peer's own, or a DelayingRelay in front

	@Test
	void oneWayDelayOnEverythingThePeerWritesAndReads() {
		Http2Peer peer = start(Http2Peer.cleartext().oneWayDelay(Duration.ofMillis(100)));
		HttpClient client = h2c();
		assertThat(get(client, peer, "a").body()).isEqualTo("ok");
		long start = System.nanoTime();
		assertThat(get(client, peer, "b").body()).isEqualTo("ok");
		assertThat((System.nanoTime() - start) / 1_000_000).as("one round trip on a warm connection")
			.isBetween(200L, 1500L);
	}

	@Test
	void delayingRelayCarriesH2cAndH2OverTls() throws Exception {
		Http2Peer cleartext = start(Http2Peer.cleartext());
		Http2Peer tls = start(Http2Peer.tls());
		DelayingRelay toCleartext = DelayingRelay.to(cleartext.port(), Duration.ofMillis(50), Duration.ofMillis(5));
		DelayingRelay toTls = DelayingRelay.to(tls.port(), Duration.ofMillis(50), Duration.ofMillis(5));
		this.closeables.add(toCleartext);
		this.closeables.add(toTls);
		HttpClient h2c = h2c();
		assertThat(get(h2c, toCleartext.url("/relayed?id=a"), null).body()).isEqualTo("ok");
		long start = System.nanoTime();
		assertThat(get(h2c, toCleartext.url("/relayed?id=b"), null).body()).isEqualTo("ok");
		assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(90);
		Outcome overTls = get(h2(tls), toTls.url("/relayed?id=c").replace("http:", "https:"), null);
		assertThat(overTls.body()).as(tls.history()).isEqualTo("ok");
		assertThat(tls.protocol(1)).isEqualTo("h2");
		assertThat(cleartext.processed("b")).isOne();
	}

	// What the client sees: the HTTP/2 signals the starter will read

	/**
	 * On Reactor Netty's stream channel (an {@link Http2StreamChannel} whose {@code parent()} is the TCP
	 * connection), Netty fires an {@link Http2GoAwayFrame} user event for a stream above the GOAWAY's
	 * last-stream-id, and an {@link Http2ResetFrame} user event for a reset stream, before the stream closes
	 * and Reactor Netty fails the request with a PrematureCloseException.
	 */
	@Test
	void clientSeesGoAwayAndResetAsUserEventsOnTheStreamChannel() {
		Http2Peer peer = start(Http2Peer.cleartext().script((request) -> switch (String.valueOf(request.id())) {
			case "refused" -> Action.REFUSE;
			case "goaway" -> Action.GOAWAY;
			default -> Action.OK;
		}));
		Queue<String> seen = new ConcurrentLinkedQueue<>();
		HttpClient client = h2c().doOnRequest((request, connection) -> {
			Channel stream = connection.channel();
			String id = request.requestHeaders().get("X-Request-Id");
			Channel parent = stream.parent();
			seen.add(id + " on " + stream.getClass().getSimpleName() + ", parent " + parent.id().asShortText());
			if (parent.pipeline().get("goaway-observer") == null) {
				// Netty passes connection-level frames on after its multiplexer: there the GOAWAY is whole.
				parent.pipeline().addAfter(NettyPipeline.H2MultiplexHandler, "goaway-observer",
						new ChannelInboundHandlerAdapter() {
							@Override
							public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
								if (msg instanceof Http2GoAwayFrame goAway) {
									seen.add("parent channel read GOAWAY last-stream-id " + goAway.lastStreamId());
								}
								super.channelRead(ctx, msg);
							}
						});
			}
			stream.pipeline().addFirst("observer", new ChannelInboundHandlerAdapter() {
				@Override
				public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
					if (event instanceof Http2GoAwayFrame goAway) {
						// The event is a retainedDuplicate(), which Netty 4.2 builds without the last-stream-id (-1).
						seen.add(id + " GOAWAY event, my stream " + ((Http2StreamChannel) ctx.channel()).stream().id()
								+ ", error " + goAway.errorCode() + ", its last-stream-id " + goAway.lastStreamId()
								+ ", parent active " + ctx.channel().parent().isActive());
					}
					else if (event instanceof Http2ResetFrame reset) {
						seen.add(id + " RST_STREAM error " + reset.errorCode());
					}
					super.userEventTriggered(ctx, event);
				}

				@Override
				public void channelInactive(ChannelHandlerContext ctx) throws Exception {
					seen.add(id + " stream inactive, parent active " + ctx.channel().parent().isActive());
					super.channelInactive(ctx);
				}
			});
		}).doOnResponseError((response, error) -> seen.add("doOnResponseError " + error))
			.doOnRequestError((request, error) -> seen.add("doOnRequestError " + error));
		assertThat(get(client, peer, "ok").body()).isEqualTo("ok");
		Outcome refused = get(client, peer, "refused");
		Outcome goAway = get(client, peer, "goaway");
		seen.add("refused: " + refused.error());
		seen.add("goaway: " + goAway.error());
		await().atMost(WAIT).until(() -> peer.closedByPeer() + peer.closedByClient() == 1);
		System.out.println("[Http2PeerTests] client-side signals:\n  " + String.join("\n  ", seen)
				+ "\n[Http2PeerTests] the peer saw:\n" + peer.history());
		assertThat(seen).as(peer.history())
			.contains("refused RST_STREAM error 7", "parent channel read GOAWAY last-stream-id 5")
			.anySatisfy((line) -> assertThat(line).startsWith("goaway GOAWAY event, my stream 7, error 0"));
		assertThat(List.copyOf(seen).indexOf("refused RST_STREAM error 7"))
			.isLessThan(indexOfPrefix(seen, "refused stream inactive"));
	}

	// Helpers

	private Http2Peer start(Http2Peer.Builder builder) {
		Http2Peer peer = builder.start();
		this.closeables.add(peer);
		return peer;
	}

	private HttpClient client() {
		return HttpClient.create(this.provider).runOn(this.loops);
	}

	private HttpClient h2c() {
		return client().protocol(HttpProtocol.H2C);
	}

	private HttpClient h2(Http2Peer peer) {
		return client().protocol(HttpProtocol.H2).secure((spec) -> spec
			.sslContext(alpn((builder) -> builder.trustManager(trusted(peer)))));
	}

	/**
	 * Reactor Netty's client spec that offers h2 and http/1.1 by ALPN, typed so that {@code sslContext(...)}
	 * takes the current overload (the {@code ProtocolSslContextSpec} one is deprecated).
	 */
	private static GenericSslContextSpec<SslContextBuilder> alpn(Consumer<SslContextBuilder> configurer) {
		return Http2SslContextSpec.forClient().configure(configurer);
	}

	private static java.security.cert.X509Certificate trusted(Http2Peer peer) {
		return peer.certificate().certificate();
	}

	private static Outcome get(HttpClient client, Http2Peer peer, String id) {
		return get(client, peer, id, WAIT);
	}

	private static Outcome get(HttpClient client, Http2Peer peer, String id, Duration timeout) {
		return exchange(client, "GET", peer.url("/get"), id, null).timeout(timeout)
			.onErrorResume((error) -> Mono.just(Outcome.failed(error)))
			.block();
	}

	private static Outcome get(HttpClient client, String url, String id) {
		return exchange(client, "GET", url, id, null).block(WAIT);
	}

	private static Outcome post(HttpClient client, Http2Peer peer, String id, String body) {
		return exchange(client, "POST", peer.url("/post"), id, body).block(WAIT);
	}

	/** One request; its outcome, a failure included, never an error signal. */
	private static Mono<Outcome> exchange(HttpClient client, String method, String url, String id, String body) {
		HttpClient withId = (id != null) ? client.headers((headers) -> headers.set("X-Request-Id", id)) : client;
		HttpClient.ResponseReceiver<?> receiver = "POST".equals(method)
				? withId.post().uri(url).send(ByteBufFlux.fromString(Mono.just(body))) : withId.get().uri(url);
		return receiver
			.responseSingle((response, content) -> content.asString()
				.defaultIfEmpty("")
				.map((text) -> new Outcome(response.status().code(), text, null,
						response.responseHeaders().get("x-peer-connection"),
						response.responseHeaders().get("x-peer-stream"), response.version().text())))
			.onErrorResume((error) -> Mono.just(Outcome.failed(error)));
	}

	/**
	 * For each gap: a request (on whatever connection the pool gives), the gap, then the request under test,
	 * which meets the connection as the gap left it; then {@code settleMillis} for the peer to end that
	 * connection, so that the next trial starts on a new one.
	 */
	private static List<Trial> trials(HttpClient client, Http2Peer peer, List<Long> gaps, long settleMillis) {
		List<Trial> trials = new ArrayList<>();
		for (int i = 0; i < gaps.size(); i++) {
			Outcome warm = get(client, peer, "warm-" + i);
			long answered = System.nanoTime();
			ClientContext.pause(gaps.get(i));
			long gap = (System.nanoTime() - answered) / 1_000_000;
			String id = "after-" + gaps.get(i) + "ms-" + i;
			trials.add(new Trial(id, gap, warm, get(client, peer, id)));
			ClientContext.pause(settleMillis);
		}
		return trials;
	}

	private static List<Long> spread(long from, long to, int count) {
		List<Long> gaps = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			gaps.add(from + (to - from) * i / Math.max(1, count - 1));
		}
		return gaps;
	}

	private static void assertProcessedExactlyTheSuccesses(Http2Peer peer, List<Trial> trials) {
		assertThat(trials).as(peer.history()).allSatisfy((trial) -> {
			if (trial.outcome().error() != null) {
				assertThat(trial.outcome().error()).isInstanceOf(PrematureCloseException.class);
				assertThat(peer.processed(trial.id())).as(trial.id()).isZero();
			}
			else {
				assertThat(peer.processed(trial.id())).as(trial.id()).isOne();
			}
		});
	}

	private static void report(String scenario, Http2Peer peer, List<Trial> trials) {
		long failed = trials.stream().filter((trial) -> trial.outcome().error() != null).count();
		long failedProcessed = trials.stream()
			.filter((trial) -> trial.outcome().error() != null && peer.processed(trial.id()) > 0)
			.count();
		StringBuilder out = new StringBuilder("[Http2PeerTests] " + scenario + ": " + failed + " of " + trials.size()
				+ " failed, " + failedProcessed + " of those processed by the peer; connections " + peer.connections()
				+ ", GOAWAYs " + peer.goAways().size() + ", RST_STREAMs " + peer.resets().size() + ", ignored "
				+ peer.ignored() + "\n");
		for (Trial trial : trials) {
			out.append(String.format("  %-22s gap %4d ms  %s%n", trial.id(), trial.gap(),
					(trial.outcome().error() != null) ? trial.outcome().error().getClass().getSimpleName() : "ok"));
		}
		System.out.print(out);
	}

	private static int indexOfPrefix(Queue<String> seen, String prefix) {
		List<String> list = List.copyOf(seen);
		for (int i = 0; i < list.size(); i++) {
			if (list.get(i).startsWith(prefix)) {
				return i;
			}
		}
		return Integer.MAX_VALUE;
	}

	/** What a request came to: a response (status, body, the peer's connection and stream) or an error. */
	record Outcome(int status, String body, Throwable error, String connection, String stream, String version) {

		static Outcome failed(Throwable error) {
			return new Outcome(0, null, error, null, null, null);
		}

	}

	record Trial(String id, long gap, Outcome warm, Outcome outcome) {
	}

}
