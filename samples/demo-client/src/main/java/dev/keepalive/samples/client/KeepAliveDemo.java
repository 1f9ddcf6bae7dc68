package dev.keepalive.samples.client;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.keepalive.client.Origins;
import dev.keepalive.samples.server.DemoServerApplication;

/**
 * The seed article's scenario, run twice: a Tomcat server with a 2 s keep-alive timeout, a few ms of network
 * between it and the client, and the three Spring clients sending GETs after idle gaps around those 2 s —
 * first as plain Spring Boot, then with the starter. Prints what happened per client and writes a chart.
 * <p>
 * A request loses the race when it reaches Tomcat after Tomcat closed the connection but leaves the client
 * before Tomcat's FIN arrives: a window twice the one-way delay wide, just before Tomcat's close. Where that
 * close lands (2 s after the response, plus Tomcat's timer and this machine's scheduling) is measured first,
 * with raw connections, and the idle gaps are aimed across it: some inside the window, some on either side.
 * <p>
 * Arguments: {@code --delay=<ms>} one-way network delay (default 10), {@code --gaps=<ms,ms,...>} idle gaps
 * instead of the measured ones, {@code --rounds=<n>} passes over the gaps (default 1), {@code --protocol=h2c}
 * one round over HTTP/2 cleartext instead ({@link #h2c}).
 */
public final class KeepAliveDemo {

	/** Connections that measure Tomcat's close before the runs. */
	private static final int PROBES = 6;

	/** Idle gaps per pass: spread across the race window and a little beyond it on both sides. */
	private static final int GAPS = 17;

	/** Idle gaps in the last second before Tomcat's 2 s timeout, where a margin costs reuse. */
	private static final int[] REUSE_GAPS = { 1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900 };

	private KeepAliveDemo() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = options(args);
		Duration delay = Duration.ofMillis(Long.parseLong(options.getOrDefault("delay", "10")));
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "1"));
		Path chart = Path.of(System.getProperty("keepalive.demo.chart", "target/keepalive-demo.svg"));
		String protocol = options.getOrDefault("protocol", "http1.1");
		if (protocol.equals("h2c")) {
			h2c(delay, rounds, chart.resolveSibling("keepalive-demo-h2c.svg"));
			System.exit(0);
		}
		if (!protocol.equals("http1.1")) {
			throw new IllegalArgumentException("--protocol=" + protocol + ": http1.1 (the default) or h2c");
		}

		try (ConfigurableApplicationContext server = DemoServerApplication.start("--server.port=0",
				"--server.address=127.0.0.1")) {
			int port = ((WebServerApplicationContext) server).getWebServer().getPort();
			InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
			System.out.printf("%nTomcat on port %d closes keep-alive connections idle for %s; the network between it"
					+ " and the clients adds %d ms each way.%n", port, DemoServerApplication.KEEP_ALIVE_TIMEOUT,
					delay.toMillis());
			int[] gaps = options.containsKey("gaps")
					? Arrays.stream(options.get("gaps").split(",")).mapToInt(Integer::parseInt).toArray()
					: aim(target, delay).gaps();
			Run plain = run("Spring Boot alone (keepalive.client.enabled=false)", false, target, delay, gaps, rounds);
			Run starter = run("Spring Boot with keepalive-spring-boot-starter", true, target, delay, gaps, rounds);
			System.out.printf("%nFailed requests: %d of %d without the starter, %d of %d with it.%n", plain.failures(),
					plain.requests(), starter.failures(), starter.requests());
			SvgChart.write(chart, "Requests failed by idle gap (Tomcat keep-alive " + DemoServerApplication.KEEP_ALIVE_TIMEOUT
					+ ", " + delay.toMillis() + " ms one-way delay)", "requests failed",
					List.of(new SvgChart.Series("without the starter", "#d62728", plain.rateByGap()),
							new SvgChart.Series("with the starter", "#2ca02c", starter.rateByGap())));
			System.out.printf("Chart: %s%n", chart.toAbsolutePath().normalize());
			reuse(target, delay, chart.resolveSibling("keepalive-demo-reuse.svg"));
		}
		System.exit(0);
	}

	/**
	 * The price of a margin: how often a connection is reused after an idle gap in the last second before the
	 * timeout, by plain Boot (always, and it fails at the close), the starter with a fixed 1 s margin (Node's
	 * agent's; undici keeps 2 s), and the starter's adaptive margin.
	 */
	private static void reuse(InetSocketAddress target, Duration delay, Path chart) throws Exception {
		System.out.printf("%n== Reuse kept in the last second before Tomcat's timeout, idle gaps %s ms%n",
				Arrays.toString(REUSE_GAPS));
		Map<String, List<Outcome>> kept = new LinkedHashMap<>();
		kept.put("Spring Boot alone", reuse(target, delay, false));
		kept.put("starter, fixed 1 s margin", reuse(target, delay, true, "--keepalive.client.adaptive-margin=false"));
		kept.put("starter, adaptive margin", reuse(target, delay, true));
		kept.forEach((name, outcomes) -> System.out.printf("  %-27s %2d of %d kept   by gap: %s%n", name,
				outcomes.stream().filter((outcome) -> outcome.failure() == null).count(), outcomes.size(),
				keptByGap(outcomes).entrySet()
					.stream()
					.map((entry) -> entry.getKey() + " " + Math.round(entry.getValue() * 100) + "%")
					.collect(Collectors.joining(", "))));
		List<String> colours = List.of("#d62728", "#ff7f0e", "#2ca02c");
		List<SvgChart.Series> series = new ArrayList<>();
		kept.forEach((name, outcomes) -> series
			.add(new SvgChart.Series(name, colours.get(series.size()), keptByGap(outcomes))));
		SvgChart.write(chart, "Connections kept by idle gap (Tomcat keep-alive " + DemoServerApplication.KEEP_ALIVE_TIMEOUT
				+ ", " + delay.toMillis() + " ms one-way delay)", "requests on the same connection", series);
		System.out.printf("Chart: %s%n%n", chart.toAbsolutePath().normalize());
	}

	/** Each client's requests after each gap; "new connection" as the failure when one did not reuse. */
	private static List<Outcome> reuse(InetSocketAddress target, Duration delay, boolean starter,
			String... properties) throws Exception {
		try (ConfigurableApplicationContext context = DemoClientApplication.start(starter, properties)) {
			List<CompletableFuture<List<Outcome>>> running = new ArrayList<>();
			DemoClientApplication.clients(context)
				.values()
				.forEach((client) -> running.add(CompletableFuture.supplyAsync(() -> kept(client, target, delay))));
			return running.stream().flatMap((result) -> result.join().stream()).toList();
		}
	}

	/** The share of requests after each gap that went out on the connection the one before used. */
	private static TreeMap<Integer, Double> keptByGap(List<Outcome> outcomes) {
		TreeMap<Integer, Double> rates = new TreeMap<>();
		outcomes.stream().collect(Collectors.groupingBy(Outcome::gap)).forEach((gap, each) -> rates.put(gap,
				each.stream().filter((outcome) -> outcome.failure() == null).count() / (double) each.size()));
		return rates;
	}

	/** Outcomes whose failure is "new connection" when the request after the gap did not reuse. */
	private static List<Outcome> kept(Function<String, String> client, InetSocketAddress target, Duration delay) {
		try (DelayingRelay relay = new DelayingRelay(target, delay)) {
			String url = "http://127.0.0.1:" + relay.port() + "/hello";
			List<Outcome> outcomes = new ArrayList<>();
			for (int gap : REUSE_GAPS) {
				client.apply(url);
				Thread.sleep(gap);
				int before = relay.connections();
				client.apply(url);
				outcomes.add(new Outcome(gap, (relay.connections() > before) ? "new connection" : null));
			}
			return outcomes;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}



	/**
	 * Measure when Tomcat closes an idle connection, and spread the gaps from a little before the race window
	 * (which opens twice the one-way delay before the close) to a little after the close.
	 */
	static Aim aim(InetSocketAddress target, Duration delay) {
		long[] closes = CloseTimeProbe.closeTimes(target, "/hello", PROBES);
		long close = closes[closes.length / 2];
		long window = 2 * delay.toMillis();
		long first = close - window - window / 4;
		long last = close + window / 4;
		System.out.printf("Measured first: Tomcat closed %d idle connections %s ms after their response (median %d"
				+ " ms), so a request sent in the %d ms before that meets a closed connection. Idle gaps: %d to %d ms.%n",
				closes.length, Arrays.stream(closes).mapToObj(Long::toString).collect(Collectors.joining(", ")), close,
				window, first, last);
		return new Aim(close, window, IntStream.range(0, GAPS)
			.mapToLong((i) -> first + Math.round(i * (last - first) / (GAPS - 1.0)))
			.mapToInt(Math::toIntExact)
			.toArray());
	}

	static Run run(String title, boolean starter, InetSocketAddress target, Duration delay, int[] gaps,
			int rounds) throws Exception {
		return run(title, starter, new String[0], target, delay, new Gaps(gaps), rounds);
	}

	static Run run(String title, boolean starter, String[] properties, InetSocketAddress target, Duration delay,
			Schedule schedule, int rounds) throws Exception {
		System.out.printf("%n== %s%n", title);
		try (ConfigurableApplicationContext context = DemoClientApplication.start(starter, properties)) {
			Map<String, CompletableFuture<ClientResult>> running = new LinkedHashMap<>();
			DemoClientApplication.clients(context).forEach((name, client) -> running.put(name, CompletableFuture
				.supplyAsync(() -> exercise(name, client, target, delay, schedule, rounds, context))));
			Map<String, ClientResult> results = new LinkedHashMap<>();
			running.forEach((name, result) -> results.put(name, result.join()));
			System.out.printf("  %-13s %8s %8s  %-44s %8s %16s%n", "client", "requests", "failed", "root causes",
					"resends", "new connections");
			results.forEach((name, result) -> System.out.printf("  %-13s %8d %8d  %-44s %8d %16d%n", name,
					result.outcomes().size(), result.failures(), result.causes(), result.resends(), result.connections()));
			if (schedule.checksProtocol()) {
				System.out.printf("  protocol the server saw: %s%n", results.entrySet()
					.stream()
					.map((entry) -> entry.getKey() + " " + entry.getValue().protocol())
					.collect(Collectors.joining(", ")));
				results.forEach((name, result) -> {
					if (result.origin() != null) {
						System.out.printf("  %s: %s%n", name, result.origin());
					}
				});
			}
			Run run = new Run(results);
			System.out.printf("  failed, by %s: %s%n", schedule.axis(), run.rateByGap()
				.entrySet()
				.stream()
				.map((entry) -> entry.getKey() + " ms " + Math.round(entry.getValue() * 100) + "%")
				.collect(Collectors.joining(", ")));
			return run;
		}
	}

	private static ClientResult exercise(String name, Function<String, String> client, InetSocketAddress target,
			Duration delay, Schedule schedule, int rounds, ConfigurableApplicationContext context) {
		try (DelayingRelay relay = new DelayingRelay(target, delay)) {
			String base = "http://127.0.0.1:" + relay.port();
			String url = base + "/hello";
			String protocol = schedule.checksProtocol() ? client.apply(base + "/protocol") : null;
			List<Outcome> outcomes = new ArrayList<>();
			for (int round = 0; round < rounds; round++) {
				for (int point : schedule.points()) {
					try {
						client.apply(url); // a connection that has just carried a request
					}
					catch (RuntimeException ex) {
						// Counted only for the measured request below.
					}
					schedule.idle(point);
					try {
						client.apply(url);
						outcomes.add(new Outcome(point, null));
					}
					catch (RuntimeException ex) {
						outcomes.add(new Outcome(point, rootCause(ex)));
					}
				}
			}
			return new ClientResult(outcomes, resends(context, relay.port()), relay.connections(), protocol,
					schedule.checksProtocol() ? origin(context, relay.port()) : null);
		}
		catch (Exception ex) {
			throw new IllegalStateException(name + " could not run", ex);
		}
	}

	/**
	 * One round over HTTP/2 cleartext: the server speaks h2c too ({@code server.http2.enabled}), plain Boot's
	 * clients are switched to h2c by prior knowledge by the application's own customizer (Boot has no property for
	 * it), the starter's by {@code keepalive.client.protocol=h2c}. On h2 Tomcat closes an idle connection with a
	 * GOAWAY on a timer that looks once a second, so the requests are aimed at its ticks ({@link Ticks}).
	 */
	static void h2c(Duration delay, int rounds, Path chart) throws Exception {
		try (ConfigurableApplicationContext server = DemoServerApplication.start("--server.port=0",
				"--server.address=127.0.0.1", "--server.http2.enabled=true")) {
			int port = ((WebServerApplicationContext) server).getWebServer().getPort();
			InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
			System.out.printf("%nTomcat on port %d speaks h2c (server.http2.enabled=true, HTTP/2 by prior knowledge) and"
					+ " closes connections idle for %s (server.tomcat.keep-alive-timeout, which Boot also sets as"
					+ " Http2Protocol's keepAliveTimeout); the network between it and the clients adds %d ms each way.%n",
					port, DemoServerApplication.KEEP_ALIVE_TIMEOUT, delay.toMillis());
			Ticks ticks = aimAtTicks(target, delay);
			Run plain = run("Spring Boot alone on h2c (keepalive.client.enabled=false; the demo's own customizer calls"
					+ " HttpClient.protocol(H2C))", false, new String[] { "--demo.protocol=h2c" }, target, delay, ticks,
					rounds);
			Run starter = run("Spring Boot with keepalive-spring-boot-starter, keepalive.client.protocol=h2c", true,
					new String[] { "--keepalive.client.protocol=h2c" }, target, delay, ticks, rounds);
			System.out.printf("%nFailed requests on h2c: %d of %d without the starter, %d of %d with it.%n",
					plain.failures(), plain.requests(), starter.failures(), starter.requests());
			SvgChart.write(chart, "h2c: requests failed by when they left, around Tomcat's timeout tick ("
					+ delay.toMillis() + " ms one-way delay)", "requests failed", "ms from Tomcat's timeout tick",
					List.of(new SvgChart.Series("without the starter", "#d62728", plain.rateByGap()),
							new SvgChart.Series("with the starter", "#2ca02c", starter.rateByGap())));
			System.out.printf("Chart: %s%n%n", chart.toAbsolutePath().normalize());
		}
	}

	/**
	 * Measure what Tomcat does to an idle h2c connection, and when: its ends fall on the ticks of a 1 s timer, so
	 * the requests are aimed at the tick, from a little before the race window (one one-way delay either side of
	 * the tick) to a little after it.
	 */
	static Ticks aimAtTicks(InetSocketAddress target, Duration delay) {
		long period = Ticks.PERIOD.toNanos();
		List<H2cCloseProbe.Close> closes = H2cCloseProbe.closes(target, "/hello", PROBES,
				Ticks.PERIOD.dividedBy(PROBES));
		long reference = closes.get(0).end();
		// Each end's distance from the first one's place on a 1 s clock, in (-period / 2, period / 2].
		long[] phases = closes.stream()
			.mapToLong((close) -> Math.floorMod(close.end() - reference + period / 2, period) - period / 2)
			.sorted()
			.toArray();
		long tick = reference + phases[phases.length / 2];
		long spread = (phases[phases.length - 1] - phases[0]) / 1_000_000;
		long window = 2 * delay.toMillis();
		long first = -window - window / 4;
		long last = window / 2 + window / 4;
		String how = closes.stream()
			.map((close) -> (close.goAway() < 0) ? "no GOAWAY" : "GOAWAY(error " + close.errorCode()
					+ ", last-stream-id " + close.lastStreamId() + ")")
			.distinct()
			.collect(Collectors.joining(" or "));
		LongSummaryStatistics after = closes.stream()
			.mapToLong((close) -> (close.closed() - close.end()) / 1_000_000)
			.summaryStatistics();
		System.out.printf("Measured first: Tomcat ended %d idle h2c connections %s ms after their response, each with %s"
				+ " and then its %s %d-%d ms later. The ends fall within %d ms on one 1 s clock: Tomcat's timeout timer"
				+ " looks once a second, so a connection goes at the first tick past its %s. A request that reaches"
				+ " Tomcat after that tick but leaves before the GOAWAY arrives, in a window about twice the one-way"
				+ " delay wide around it, crosses the GOAWAY: its stream is above the last-stream-id and meets a closed"
				+ " socket. Aimed at the first tick past each connection's %s: %d to %d ms from it.%n", closes.size(),
				closes.stream().map((close) -> Long.toString(close.endMillis())).collect(Collectors.joining(", ")), how,
				closes.stream().allMatch(H2cCloseProbe.Close::reset) ? "reset" : "FIN", after.getMin(), after.getMax(),
				spread, DemoServerApplication.KEEP_ALIVE_TIMEOUT, DemoServerApplication.KEEP_ALIVE_TIMEOUT, first, last);
		return new Ticks(tick, spread, closes, IntStream.rangeClosed(0, GAPS - 1)
			.mapToLong((i) -> first + Math.round(i * (last - first) / (GAPS - 1.0)))
			.mapToInt(Math::toIntExact)
			.toArray());
	}

	/** What the starter knows of this relay's origin, in words; null for plain Boot. */
	private static String origin(ConfigurableApplicationContext context, int port) {
		return context.getBeanProvider(Origins.class)
			.stream()
			.flatMap((origins) -> origins.all().stream())
			.filter((origin) -> origin.key().equals("127.0.0.1:" + port))
			.map((origin) -> String.format("the starter saw %s, %d GOAWAYs; idle cutoff now %d ms (%s%s)",
					origin.protocol(), origin.goAways(), origin.effectiveIdleCutoffMillis(),
					origin.effectiveIdleCutoffSource(),
					(origin.learntIdleCutoffReason() != null) ? ": " + origin.learntIdleCutoffReason() : ""))
			.findFirst()
			.orElse(null);
	}

	/** Resends the starter made to this relay's origin, whatever the verdict; plain Boot makes none. */
	private static long resends(ConfigurableApplicationContext context, int port) {
		return context.getBean(DemoClientApplication.ResendCounter.class).resends("127.0.0.1:" + port);
	}

	private static String rootCause(Throwable ex) {
		Throwable root = ex;
		for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 16; depth++) {
			root = root.getCause();
		}
		String message = String.valueOf(root.getMessage());
		if (message.contains("Connection reset")) {
			return "connection reset";
		}
		if (message.contains("prematurely closed")) {
			return "closed before response";
		}
		return root.getClass().getSimpleName();
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			if (arg.startsWith("--") && arg.contains("=")) {
				options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
			}
		}
		return options;
	}

	private record Outcome(int gap, String failure) {
	}

	/**
	 * One client's run.
	 * @param outcomes the measured requests
	 * @param resends resends the starter made
	 * @param connections connections the client opened
	 * @param protocol the HTTP version the server saw, when the run checked it
	 * @param origin what the starter knows of the origin, when the run checked the protocol and the starter ran
	 */
	record ClientResult(List<Outcome> outcomes, long resends, int connections, String protocol, String origin) {

		long failures() {
			return this.outcomes.stream().filter((outcome) -> outcome.failure() != null).count();
		}

		String causes() {
			Map<String, Long> causes = this.outcomes.stream()
				.filter((outcome) -> outcome.failure() != null)
				.collect(Collectors.groupingBy(Outcome::failure, TreeMap::new, Collectors.counting()));
			return causes.isEmpty() ? "-"
					: causes.entrySet().stream().map((e) -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
		}

	}

	/** When a client sends its measured request after the one that readied the connection. */
	interface Schedule {

		/** Where to send: idle gaps, or offsets from a tick, in ms. */
		int[] points();

		/** Wait, from the readying request's response, until the request for {@code point} is due. */
		void idle(int point) throws InterruptedException;

		/** What a point is, for the output. */
		String axis();

		/** Whether each client first asks the server which HTTP version it speaks. */
		default boolean checksProtocol() {
			return false;
		}

	}

	/** HTTP/1.1: the measured request after an idle gap from the last response. */
	record Gaps(int[] points) implements Schedule {

		@Override
		public void idle(int gap) throws InterruptedException {
			Thread.sleep(gap);
		}

		@Override
		public String axis() {
			return "idle gap";
		}

	}

	/**
	 * h2c: Tomcat's HTTP/2 idle timeout is checked by a timer that runs once a second (the protocol's async
	 * timeout, at a fixed rate), so an idle connection gets its GOAWAY at the first tick past its timeout, 2-3 s
	 * after its last stream, and the tick, not the gap, says when. The measured request is sent at a point (an
	 * offset, ms) from the first tick at which the connection has been idle past the timeout.
	 * @param tick a tick, as {@link System#nanoTime()}: when a GOAWAY reached the probe straight from Tomcat
	 * @param spread how far apart the probes' ends fell on the 1 s clock, ms
	 * @param closes what the probes saw
	 * @param points the offsets from the tick
	 */
	record Ticks(long tick, long spread, List<H2cCloseProbe.Close> closes, int[] points) implements Schedule {

		/** Tomcat's timer: {@code AbstractProtocol} checks timeouts once a second, at a fixed rate. */
		static final Duration PERIOD = Duration.ofSeconds(1);

		/** A tick at least this long past the server's idle timeout counts; closer ones might not close yet. */
		private static final long SLACK_NANOS = Duration.ofMillis(50).toNanos();

		@Override
		public void idle(int offset) throws InterruptedException {
			long period = PERIOD.toNanos();
			long earliest = System.nanoTime() + Duration.parse("PT" + DemoServerApplication.KEEP_ALIVE_TIMEOUT).toNanos()
					+ SLACK_NANOS;
			long due = this.tick + Math.floorDiv(earliest - this.tick + period - 1, period) * period
					+ offset * 1_000_000L;
			for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
				Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
			}
		}

		@Override
		public String axis() {
			return "offset from Tomcat's timeout tick";
		}

		@Override
		public boolean checksProtocol() {
			return true;
		}

	}

	/**
	 * Where the race is on this machine.
	 * @param close when Tomcat closes an idle connection, ms after its response (the median of the probes)
	 * @param window how long before that a request meets a closed connection: twice the one-way delay, ms
	 * @param gaps the idle gaps to send after, ms
	 */
	record Aim(long close, long window, int[] gaps) {
	}

	record Run(Map<String, ClientResult> results) {

		long failures() {
			return this.results.values().stream().mapToLong(ClientResult::failures).sum();
		}

		long requests() {
			return this.results.values().stream().mapToLong((result) -> result.outcomes().size()).sum();
		}

		TreeMap<Integer, Double> rateByGap() {
			Map<Integer, List<Outcome>> byGap = this.results.values()
				.stream()
				.flatMap((result) -> result.outcomes().stream())
				.collect(Collectors.groupingBy(Outcome::gap));
			TreeMap<Integer, Double> rates = new TreeMap<>();
			byGap.forEach((gap, outcomes) -> rates.put(gap,
					outcomes.stream().filter((outcome) -> outcome.failure() != null).count() / (double) outcomes.size()));
			return rates;
		}

	}

}
