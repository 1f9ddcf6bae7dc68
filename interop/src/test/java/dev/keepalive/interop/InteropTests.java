package dev.keepalive.interop;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ReactorResourceFactory;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real server, every client kind, without and with the starter. Each client sends its requests through a
 * relay that delays everything by 5 ms each way, in bursts: one request after an idle gap aimed into the race
 * window just before the server's real close (measured straight to the server, then followed as the relays see
 * it), then quick ones. A request sent in the window reaches the server after it closed the connection, before
 * its FIN reached the client. Every request carries its own {@code ?id=}; the server counts what it executed,
 * the relay which connections lost a race.
 * <ul>
 * <li>plain Spring Boot (Boot's HTTP client auto-configurations, none of the starter's) must fail requests:
 * the control that proves the race is real here;</li>
 * <li>with the starter: no GET fails, nothing is executed twice, and a POST without a key fails only where the
 * rules allow it: never where the server's header tells its real timeout (the starter then never loses a
 * race), and, where the header lies or is missing, only as the first race the client lost, before anything
 * was learnt.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT) // PER_CLASS alone would run a class's races one after another
abstract class InteropTests {

	/** One way; the race window is twice as wide, just before the server's close. */
	static final Duration DELAY = Duration.ofMillis(5);

	/** Quick requests follow each race gap, this long after the previous one: well inside every cutoff. */
	static final long QUICK_GAP_MILLIS = 250;

	/** Requests the plain client must fail at least: more than a fluke. */
	private static final int PLAIN_FAILURES_AT_LEAST = 2;

	private static final AutoConfigurations BOOT_ONLY = AutoConfigurations.of(HttpClientAutoConfiguration.class,
			ImperativeHttpClientAutoConfiguration.class, ReactiveHttpClientAutoConfiguration.class,
			RestClientAutoConfiguration.class, RestTemplateAutoConfiguration.class, WebClientAutoConfiguration.class);

	private InteropServer server;

	private CloseEstimate close;

	private Results results;

	/** Start the server this class tests. */
	protected abstract InteropServer startServer();

	/** A short name for ids and the results table. */
	protected abstract String name();

	/**
	 * Whether the server tells its real idle timeout to a client that asks: then the starter never sends into
	 * the race window. Else (no header, or a header that describes another hop) it must learn from a failure.
	 */
	protected abstract boolean advertisesItsRealTimeout();

	/**
	 * The requests of one race: {@link #bursts()} bursts, each a request after a race gap (the first: on a new
	 * connection) and {@link #quickRequests()} quick ones on the same connection. The quick ones do not ask for
	 * {@code Keep-Alive} on Reactor Netty with the starter (only a connection's first request does), so the
	 * race gap after them checks that what the first answer advertised still holds.
	 */
	protected List<Race.Step> steps() {
		List<Race.Step> steps = new ArrayList<>();
		for (int burst = 0; burst < bursts(); burst++) {
			// GETs after the first race gaps, so that a client that has to learn may learn from a request it can
			// resend; then POST and GET in turn.
			HttpMethod method = (burst < 3 || burst % 2 == 0) ? HttpMethod.GET : HttpMethod.POST;
			steps.add(new Race.Step(method, (burst == 0) ? Race.Gap.NONE : raceGap(burst)));
			for (int quick = 1; quick <= quickRequests(); quick++) {
				steps.add(new Race.Step((quick % 2 == 1) ? HttpMethod.POST : HttpMethod.GET, Race.Gap.of(QUICK_GAP_MILLIS)));
			}
		}
		return steps;
	}

	/** Bursts in a race: all but the first start after a race gap. */
	protected int bursts() {
		return 12;
	}

	/** Quick requests after each race gap. */
	protected int quickRequests() {
		return 2;
	}

	/**
	 * An idle gap inside the race window: between {@code close - 2 * delay} and {@code close}, clear of its
	 * edges, cycling through four values (the time from a call's return to the next call adds a little). The
	 * close is the one the relays see now ({@link CloseEstimate}); a gap is taken when its request is due.
	 */
	protected Race.Gap raceGap(int i) {
		long window = 2 * DELAY.toMillis();
		return () -> this.close.millis() - window + 1 + (i % 4) * 2;
	}

	/** Checks of the server's own side of a race with the starter (e.g. requests per connection). */
	protected void assertServerSide(Race.Result result) {
	}

	/** Checks of every race, plain and with the starter (e.g. the protocol the server saw). */
	protected void assertEveryRace(Race.Result result) {
	}

	/** The client kinds that race this server. */
	protected Stream<ClientKind> clientKinds() {
		return Stream.of(ClientKind.values());
	}

	/** Plain Spring Boot: Boot's HTTP client auto-configurations, none of the starter's. */
	protected ApplicationContextRunner plain() {
		return new ApplicationContextRunner().withConfiguration(BOOT_ONLY)
			.withBean(ReactorResourceFactory.class, ClientContext::isolatedResources)
			.withPropertyValues("spring.http.clients.imperative.factory=reactor");
	}

	/** The same with the starter. */
	protected ApplicationContextRunner withTheStarter() {
		return ClientContext.runner();
	}

	/**
	 * Whether, with the starter, no request may fail at all: where the server says which requests it did not
	 * process (HTTP/2's GOAWAY), a request that lost a race is resent whatever its method.
	 */
	protected boolean noRequestMayFailWithTheStarter() {
		return false;
	}

	/** The relay the clients reach the server through: it must read the protocol they speak. */
	protected DelayingRelay relay(LongConsumer idleCloses) throws IOException {
		return new DelayingRelay(this.server.port(), DELAY, idleCloses);
	}

	/**
	 * One measurement of the server's idle close, straight to it (no relay): ms from a response's last byte to
	 * the server's close.
	 */
	protected long measureClose(int port, String path, String id) {
		try (RawHttpClient client = new RawHttpClient(port)) {
			client.get(path + "?id=" + id, "Connection: keep-alive\r\n");
			return client.awaitClose().afterMillis();
		}
	}

	@BeforeAll
	void startAndMeasure() {
		this.server = startServer();
		this.results = new Results(name());
		this.close = new CloseEstimate(measureCloses());
	}

	@AfterAll
	void stop() {
		if (this.results != null) {
			this.results.report();
		}
		if (this.server != null) {
			this.server.close();
		}
	}

	InteropServer server() {
		return this.server;
	}

	/** The median of the closes measured before the races, in ms after the response's last byte. */
	long closeMillis() {
		return this.close.measuredMillis();
	}

	/** What the measurement and the relays saw, for messages. */
	String closes() {
		return this.close.toString();
	}

	@ParameterizedTest
	@MethodSource("clientKinds")
	void plainSpringBootFailsRequests(ClientKind kind) throws IOException {
		Race.Result result = race(kind, kind.on(plain()), "plain");
		assertEveryRace(result);
		// Apache HttpClient resends a GET that met a closed connection by itself, blindly: its failures are POSTs.
		assertThat(result.failures())
			.as("requests plain Spring Boot's %s failed against %s (closes %s), the control that proves the race: %s", kind,
					this.server.description(), closes(), result.history())
			.isGreaterThanOrEqualTo(PLAIN_FAILURES_AT_LEAST);
	}

	@ParameterizedTest
	@MethodSource("clientKinds")
	void withTheStarterNoGetFailsNothingRunsTwiceAndPostsFailOnlyWhereTheRulesAllow(ClientKind kind) throws IOException {
		Race.Result result = race(kind, kind.on(withTheStarter()), "starter");
		assertEveryRace(result);
		String history = result.history();
		assertThat(result.failed(HttpMethod.GET)).as("GETs that failed: %s", history).isEmpty();
		if (noRequestMayFailWithTheStarter()) {
			assertThat(result.failed(HttpMethod.POST)).as("POSTs that failed, although %s says which requests it did not "
					+ "process: %s", this.server.description(), history).isEmpty();
		}
		else if (advertisesItsRealTimeout()) {
			assertThat(result.racesLost()).as("races lost although %s tells its timeout: %s", this.server.description(),
					history).isZero();
			assertThat(result.failed(HttpMethod.POST)).as("POSTs that failed: %s", history).isEmpty();
		}
		else {
			// The first race a client loses teaches it the path's cutoff; a POST without a key may be that race.
			assertThat(result.failed(HttpMethod.POST))
				.as("POSTs that failed: only the first race lost (at %d ms) may be one: %s", result.firstRaceLostAt(), history)
				.hasSizeLessThanOrEqualTo(1)
				.allSatisfy((post) -> assertThat(post.startedAt()).isLessThanOrEqualTo(result.firstRaceLostAt()));
		}
		assertThat(result.outcomes()).as("each request executed once, a failed one never: %s", history)
			.allSatisfy((outcome) -> assertThat(result.executions(outcome)).as(outcome.toString())
				.isEqualTo(outcome.failed() ? 0 : 1));
		assertServerSide(result);
	}

	private Race.Result race(ClientKind kind, ApplicationContextRunner runner, String mode) throws IOException {
		String prefix = name() + "-" + kind.name().toLowerCase().replace('_', '-') + "-" + mode + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
		AtomicReference<Race.Result> result = new AtomicReference<>();
		try (DelayingRelay relay = relay(this.close::seen)) {
			runner.run((context) -> result.set(Race.run(kind.exchanger(context), relay, this.server.path(), prefix, steps(),
					this.server.executions())));
		}
		this.results.add(kind, mode, result.get());
		Results.writeHistory(prefix, this.server.description() + ", " + kind + ", " + mode + ", closes " + closes() + "\n"
				+ result.get().history());
		return result.get();
	}

	/**
	 * When the server closes an idle connection, in ms after its response's last byte, measured five times at
	 * once straight to it (no relay; through the relay the same: the response and the FIN are both delayed).
	 */
	private long[] measureCloses() {
		ExecutorService probes = Executors.newFixedThreadPool(5);
		try {
			List<CompletableFuture<Long>> closes = IntStream.range(0, 5)
				.mapToObj((i) -> CompletableFuture.supplyAsync(
						() -> measureClose(this.server.port(), this.server.path(), "measure-" + i), probes))
				.toList();
			return closes.stream().mapToLong(CompletableFuture::join).sorted().toArray();
		}
		finally {
			probes.shutdownNow();
		}
	}

}
