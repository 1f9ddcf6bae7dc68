package dev.keepalive.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.keepalive.metrics.KeepAliveMetricsAutoConfiguration;
import dev.keepalive.metrics.KeepAliveRetryMetrics;
import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ClientKind;
import dev.keepalive.testsupport.DelayingRelay;
import dev.keepalive.testsupport.Exchanger;
import dev.keepalive.testsupport.ServerApps;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19, item 7: across an HTTP/2 (h2c) server's graceful shutdown, with requests in flight and new ones
 * arriving, no request of a client with the starter fails and none is executed twice; without the starter,
 * the requests the server did not process fail. WebClient and RestClient on Reactor Netty, against real Tomcat
 * and Reactor Netty applications ({@code server.http2.enabled=true} without TLS serves h2c by prior knowledge;
 * {@code server.shutdown=graceful}).
 * <p>
 * <b>Where new requests go.</b> A server that has shut down refuses connections, and a refused connect is not
 * what the starter cures. So there are two instances of the application behind a
 * {@link DelayingRelay#failover failover relay}: A, started for each test and shut down during it, and B, one
 * per server kind for the class. A new client connection goes to A until A's shutdown begins, when the relay
 * is told to drain A (as Kubernetes removes a terminating pod's endpoint), and to B once A refuses it anyway
 * (HAProxy's {@code redispatch}). Every connection opened after the shutdown began goes to B, so what is
 * measured is what a client makes of its connection to A while A drains it: no request ever meets a refused
 * connect, and each request's fate is decided on that connection.
 * <p>
 * <b>The load.</b> After one warm-up GET, which opens the connection to A, the client starts a request every
 * 25 ms (never in a burst when the machine is late), GET and POST without an idempotency key in turn, each with
 * its own id and answered after 400 ms; A begins its graceful shutdown with the 13th, and 24 more follow (600
 * ms) while A drains; then the test waits for every answer. Both servers count how often each id was executed,
 * and the client how often it started to write each one.
 * <p>
 * <b>The network.</b> The relay delays each direction by 5 ms while the connection opens, by 100 ms under the
 * load: the path got slower since the connection opened. That matters for Tomcat, which drains as RFC 9113
 * section 6.8 suggests: GOAWAY(2^31-1) at once, then a GOAWAY with the last stream it processed one round trip
 * later, a round trip it measured with PING when the connection opened (and refreshes at most every 10 s);
 * a stream that arrives after that is ignored. Reactor Netty's pool hands out no connection that received a
 * GOAWAY, so at a steady delay every stream the client opened before the first GOAWAY reached it arrives in time
 * and plain Reactor Netty loses nothing (with {@code -Dh2shutdown.opening=100}, a steady 100 ms: no failure in
 * three runs of each client, and the control fails for want of one); once the path is slower than when Tomcat
 * measured it, such streams arrive late and the final GOAWAY says they were not processed. Reactor Netty's
 * server sends one GOAWAY with the last stream it created and refuses later ones with REFUSED_STREAM, so streams
 * opened within a one-way delay either side of it cross it at any delay.
 * <p>
 * <b>No request bodies in the load.</b> Both servers take the DATA frame of a stream they did not accept after
 * their final GOAWAY for a connection error and close the connection with every request in flight on it:
 * {@link #aPostBodyThatCrossesTheFinalGoAwayTakesTheConnectionDown} pins what the client then sees.
 */
@Execution(ExecutionMode.SAME_THREAD) // Two applications each: one test at a time keeps the module's load down.
class Http2GracefulShutdownTests {

	/** The one-way delay while the connection to A opens (and Tomcat measures its round trip). */
	private static final Duration OPENING_DELAY = Duration.ofMillis(Long.getLong("h2shutdown.opening", 5));

	/** The one-way delay under load. */
	private static final Duration DELAY = Duration.ofMillis(Long.getLong("h2shutdown.delay", 100));

	private static final long INTERVAL_MILLIS = 25;

	private static final long HANDLER_MILLIS = 400;

	/** The request with which A begins its graceful shutdown. */
	private static final int SHUTDOWN_AT = 12;

	private static final int REQUESTS = 36;

	/**
	 * A POST body of 2 KiB: RestClient writes a body as a DATA frame and an empty one that ends the stream, and
	 * Tomcat's overhead protection closes a connection after a POST or two of smaller frames (below its
	 * {@code overheadDataThreshold}, 1024 bytes) with GOAWAY(ENHANCE_YOUR_CALM), starter or not.
	 */
	private static final String ORDER = "order:" + "x".repeat(2042);

	private static final Map<Server, ConfigurableApplicationContext> SECONDARIES = new ConcurrentHashMap<>();

	enum Server {

		TOMCAT(ServerApps::tomcat, "/orders"),

		/** The non-blocking endpoint: the handler runs on the event loop that serves every stream. */
		NETTY(ServerApps::netty, "/orders-later");

		private final Function<String[], ConfigurableApplicationContext> start;

		private final String path;

		Server(Function<String[], ConfigurableApplicationContext> start, String path) {
			this.start = start;
			this.path = path;
		}

		ConfigurableApplicationContext start() {
			return start(new String[0]);
		}

		ConfigurableApplicationContext start(String... args) {
			String[] all = Stream.concat(Stream.of("--server.http2.enabled=true", "--server.shutdown=graceful"),
					Stream.of(args))
				.toArray(String[]::new);
			return this.start.apply(all);
		}

	}

	static Stream<Arguments> serversAndClients() {
		List<Arguments> cases = new ArrayList<>();
		for (Server server : Server.values()) {
			for (ClientKind kind : List.of(ClientKind.REST_CLIENT, ClientKind.WEB_CLIENT)) {
				cases.add(Arguments.of(server, kind));
			}
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0}, {1}")
	@MethodSource("serversAndClients")
	void noRequestFailsOrRunsTwiceAcrossAGracefulShutdown(Server server, ClientKind kind) throws Exception {
		Run run = run(server, kind, "starter", starter(kind), false);
		assertThat(run.failed()).as(run.report()).isEmpty();
		assertThat(run.executions()).as(run.report())
			.hasSize(REQUESTS + 1)
			.allSatisfy((id, count) -> assertThat(count).isOne());
		assertThat(run.unprocessedResent()).as("requests the server did not process, resent: the race was run%n%s",
				run.report()).isPositive();
		assertThat(run.outcomes()).as("a POST the server did not process, resent and executed once%n%s", run.report())
			.anySatisfy((outcome) -> {
				assertThat(outcome.method()).isEqualTo(HttpMethod.POST);
				assertThat(run.attempts().get(outcome.id())).isEqualTo(2);
			});
	}

	@ParameterizedTest(name = "{0}, {1}")
	@MethodSource("serversAndClients")
	void withoutTheStarterTheRequestsTheServerDidNotProcessFail(Server server, ClientKind kind) throws Exception {
		Run run = run(server, kind, "plain", withOwnSwitch(kind), false);
		assertThat(run.failed()).as(run.report()).isNotEmpty();
		assertThat(run.attempts()).as("nothing resent%n%s", run.report())
			.allSatisfy((id, count) -> assertThat(count).isOne());
		for (Outcome outcome : run.outcomes()) {
			assertThat(run.executions().getOrDefault(outcome.id(), 0)).as("%s%n%s", outcome, run.report())
				.isEqualTo((outcome.failure() == null) ? 1 : 0);
		}
	}

	/**
	 * What the starter cannot cure: a server that has sent its final GOAWAY ignores a later stream's HEADERS
	 * (Tomcat) or refuses the stream (Reactor Netty), and then takes the stream's DATA frame for a connection
	 * error and closes the connection, with the requests in flight on it (Tomcat: GOAWAY(PROTOCOL_ERROR)
	 * "Stream [n] has been closed for some time"; Netty: "Stream n does not exist for inbound frame DATA").
	 * Those it had executed lose their answer: the POSTs among them fail (they may not be sent twice), the GETs
	 * are resent and executed twice.
	 */
	@ParameterizedTest
	@EnumSource(Server.class)
	void aPostBodyThatCrossesTheFinalGoAwayTakesTheConnectionDown(Server server) throws Exception {
		ClientKind kind = ClientKind.WEB_CLIENT;
		// Netty's server then waits for the streams it lost: its shutdown ends at the phase timeout.
		Run run = run(server, kind, "starter, POST bodies", starter(kind), true,
				"--spring.lifecycle.timeout-per-shutdown-phase=1s");
		assertThat(run.failed()).as(run.report())
			.isNotEmpty()
			.allSatisfy((outcome) -> assertThat(outcome.failure()).hasMessageContaining("not resent: POST without"));
		assertThat(run.failed()).as("answers lost after execution%n%s", run.report())
			.anySatisfy((outcome) -> assertThat(run.executions().get(outcome.id())).isOne());
		assertThat(run.outcomes()).as("GETs resent after execution%n%s", run.report())
			.anySatisfy((outcome) -> {
				assertThat(outcome.method()).isEqualTo(HttpMethod.GET);
				assertThat(run.executions().get(outcome.id())).isEqualTo(2);
			});
	}

	/** The starter, switched to h2c by its property, with its meters. */
	private static ApplicationContextRunner starter(ClientKind kind) {
		return kind.on(ClientContext.runner())
			.withUserConfiguration(Attempts.class)
			.withConfiguration(AutoConfigurations.of(KeepAliveMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("keepalive.client.protocol=h2c");
	}

	/** The control: the starter off, h2c by the application's own customizer. */
	private static ApplicationContextRunner withOwnSwitch(ClientKind kind) {
		return kind.on(ClientContext.runner())
			.withUserConfiguration(Attempts.class)
			.withPropertyValues("keepalive.client.enabled=false")
			.withUserConfiguration(Http2Tests.OwnSwitch.class);
	}

	/** Counts the attempts of each request id as Reactor Netty starts to write them: resends included. */
	@Configuration(proxyBeanMethods = false)
	static class Attempts {

		private static final Pattern ID = Pattern.compile("[?&]id=([^&]+)");

		final Map<String, Integer> byId = new ConcurrentHashMap<>();

		@Bean
		ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> countWebClientAttempts() {
			return (builder) -> builder.withHttpClientCustomizer(this::count);
		}

		@Bean
		ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> countRestClientAttempts() {
			return (builder) -> builder.withHttpClientCustomizer(this::count);
		}

		private HttpClient count(HttpClient client) {
			return client.doOnRequest((request, connection) -> {
				Matcher id = ID.matcher(request.uri());
				if (id.find()) {
					this.byId.merge(id.group(1), 1, Integer::sum);
				}
			});
		}

	}

	private static Run run(Server server, ClientKind kind, String label, ApplicationContextRunner runner,
			boolean postBodies, String... serverArgs) throws Exception {
		CompletableFuture<ConfigurableApplicationContext> startingA = CompletableFuture
			.supplyAsync(() -> server.start(serverArgs));
		ConfigurableApplicationContext b = secondary(server);
		ConfigurableApplicationContext a = startingA.get(60, TimeUnit.SECONDS);
		// B serves every test of its server kind: this run's ids carry a prefix of their own.
		String prefix = (server + "-" + kind + "-" + label).replaceAll("[^A-Za-z0-9]+", "-") + ".";
		Map<String, Integer> onA = a.getBean(ServerApps.Endpoints.class).executions();
		Map<String, Integer> onB = b.getBean(ServerApps.Endpoints.class).executions();
		ExecutorService callers = Executors.newCachedThreadPool((runnable) -> {
			Thread thread = new Thread(runnable, "shutdown-caller");
			thread.setDaemon(true);
			return thread;
		});
		Map<Integer, Outcome> outcomes = new ConcurrentHashMap<>();
		Map<String, Integer> attempts = new ConcurrentHashMap<>();
		long[] unprocessedResent = new long[1];
		long[] shutdownMillis = new long[2];
		try (DelayingRelay relay = DelayingRelay.failover(ServerApps.port(a), ServerApps.port(b), OPENING_DELAY)) {
			runner.run((context) -> {
				Exchanger client = kind.exchanger(context);
				client.get(relay.url(server.path + "?id=" + prefix + "warm-up"), new HttpHeaders());
				relay.oneWayDelay(DELAY);
				List<CompletableFuture<Void>> calls = new ArrayList<>();
				CompletableFuture<Void> shutdown = null;
				long start = System.nanoTime();
				long due = start;
				for (int i = 0; i < REQUESTS; i++) {
					long wait = due - System.nanoTime();
					if (wait > 0) {
						TimeUnit.NANOSECONDS.sleep(wait);
					}
					// Late (a busy machine): the next requests follow from now, never in a burst.
					due = Math.max(due, System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
					if (i == SHUTDOWN_AT) {
						relay.drainPrimary();
						shutdown = CompletableFuture.runAsync(() -> {
							long began = System.nanoTime();
							shutdownMillis[0] = (began - start) / 1_000_000;
							a.close();
							shutdownMillis[1] = (System.nanoTime() - began) / 1_000_000;
						});
					}
					int number = i;
					HttpMethod method = (i % 2 == 0) ? HttpMethod.GET : HttpMethod.POST;
					String id = "r" + i;
					String url = relay.url(server.path + "?id=" + prefix + id + "&sleep=" + HANDLER_MILLIS);
					String body = (method == HttpMethod.POST && postBodies) ? ORDER : null;
					calls.add(CompletableFuture.runAsync(() -> {
						long sent = (System.nanoTime() - start) / 1_000_000;
						Throwable failure = null;
						try {
							client.exchange(method, url, new HttpHeaders(), body);
						}
						catch (Throwable ex) {
							failure = ex;
						}
						long ended = (System.nanoTime() - start) / 1_000_000;
						outcomes.put(number, new Outcome(id, method, sent, ended, failure));
					}, callers));
				}
				CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
				shutdown.get(30, TimeUnit.SECONDS);
				attempts.putAll(context.getBean(Attempts.class).byId);
				MeterRegistry registry = context.getBeanProvider(MeterRegistry.class).getIfAvailable();
				if (registry != null) {
					unprocessedResent[0] = Math.round(registry.find(KeepAliveRetryMetrics.UNPROCESSED)
						.tag("resent", "true")
						.counters()
						.stream()
						.mapToDouble(Counter::count)
						.sum());
				}
			});
			Map<String, Integer> onBHere = ours(onB, prefix);
			Map<String, Integer> executions = new TreeMap<>(ours(onA, prefix));
			onBHere.forEach((id, count) -> executions.merge(id, count, Integer::sum));
			Run run = new Run(server + ", " + kind + ", " + label, new ArrayList<>(new TreeMap<>(outcomes).values()),
					executions, onBHere, ours(attempts, prefix), unprocessedResent[0], shutdownMillis, relay.history());
			System.out.println(run.summary());
			return run;
		}
		finally {
			a.close();
			callers.shutdownNow();
		}
	}

	/** The counts of this run's ids, without their prefix. */
	private static Map<String, Integer> ours(Map<String, Integer> counts, String prefix) {
		Map<String, Integer> ours = new TreeMap<>();
		counts.forEach((id, count) -> {
			if (id.startsWith(prefix)) {
				ours.put(id.substring(prefix.length()), count);
			}
		});
		return ours;
	}

	/** B, for every test of a server kind: it only serves, never shuts down until the class is done. */
	private static ConfigurableApplicationContext secondary(Server server) {
		return SECONDARIES.computeIfAbsent(server, Server::start);
	}

	@AfterAll
	static void closeSecondaries() {
		SECONDARIES.values().forEach(ConfigurableApplicationContext::close);
	}

	record Outcome(String id, HttpMethod method, long sentMillis, long endedMillis, Throwable failure) {

		@Override
		public String toString() {
			return this.id + " " + this.method + " sent at " + this.sentMillis + " ms, "
					+ ((this.failure != null) ? "failed at " + this.endedMillis + " ms: " + this.failure
							: "answered at " + this.endedMillis + " ms");
		}

	}

	/**
	 * One run of the load.
	 * @param label server and client
	 * @param outcomes each request's outcome, in the order they were started
	 * @param executions how often each id was executed, A and B together
	 * @param onB how often B executed each id
	 * @param attempts how often the client started to write each id
	 * @param unprocessedResent requests the starter resent because the server said it did not process them
	 * @param shutdownMillis when A's shutdown began (ms after the first request), and how long it took
	 * @param relayHistory the relay's connections
	 */
	record Run(String label, List<Outcome> outcomes, Map<String, Integer> executions, Map<String, Integer> onB,
			Map<String, Integer> attempts, long unprocessedResent, long[] shutdownMillis, String relayHistory) {

		List<Outcome> failed() {
			return this.outcomes.stream().filter((o) -> o.failure() != null).toList();
		}

		String summary() {
			List<Outcome> failed = failed();
			Map<Integer, Long> perId = this.executions.values()
				.stream()
				.collect(Collectors.groupingBy((n) -> n, TreeMap::new, Collectors.counting()));
			return "[Http2GracefulShutdownTests] " + this.label + ": " + this.outcomes.size() + " requests, "
					+ failed.size() + " failed (GET " + failed.stream().filter((o) -> o.method() == HttpMethod.GET).count()
					+ ", POST " + failed.stream().filter((o) -> o.method() == HttpMethod.POST).count()
					+ "), ids by executions " + perId + ", ids on B " + this.onB.size() + ", ids attempted twice "
					+ this.attempts.values().stream().filter((n) -> n > 1).count() + ", resent unprocessed "
					+ this.unprocessedResent + ", shutdown at " + this.shutdownMillis[0] + " ms took "
					+ this.shutdownMillis[1] + " ms";
		}

		String report() {
			return summary() + "\n" + this.outcomes.stream()
				.map((o) -> o + ", attempts " + this.attempts.getOrDefault(o.id(), 0) + ", executed "
						+ this.executions.getOrDefault(o.id(), 0) + ((this.onB.containsKey(o.id())) ? " (on B)" : ""))
				.collect(Collectors.joining("\n")) + "\nrelay:\n" + this.relayHistory;
		}

	}

}
