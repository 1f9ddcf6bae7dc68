package dev.keepalive.samples.client;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.keepalive.client.Origin;
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
 * instead of the measured ones, {@code --rounds=<n>} passes over the gaps (default 1).
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
		System.out.printf("%n== %s%n", title);
		try (ConfigurableApplicationContext context = DemoClientApplication.start(starter)) {
			Map<String, CompletableFuture<ClientResult>> running = new LinkedHashMap<>();
			DemoClientApplication.clients(context).forEach((name, client) -> running.put(name,
					CompletableFuture.supplyAsync(() -> exercise(name, client, target, delay, gaps, rounds, context))));
			Map<String, ClientResult> results = new LinkedHashMap<>();
			running.forEach((name, result) -> results.put(name, result.join()));
			System.out.printf("  %-13s %8s %8s  %-44s %8s %16s%n", "client", "requests", "failed", "root causes",
					"resends", "new connections");
			results.forEach((name, result) -> System.out.printf("  %-13s %8d %8d  %-44s %8d %16d%n", name,
					result.outcomes().size(), result.failures(), result.causes(), result.resends(), result.connections()));
			Run run = new Run(results);
			System.out.printf("  failed, by idle gap: %s%n", run.rateByGap()
				.entrySet()
				.stream()
				.map((entry) -> entry.getKey() + " ms " + Math.round(entry.getValue() * 100) + "%")
				.collect(Collectors.joining(", ")));
			return run;
		}
	}

	private static ClientResult exercise(String name, Function<String, String> client, InetSocketAddress target,
			Duration delay, int[] gaps, int rounds, ConfigurableApplicationContext context) {
		try (DelayingRelay relay = new DelayingRelay(target, delay)) {
			String url = "http://127.0.0.1:" + relay.port() + "/hello";
			List<Outcome> outcomes = new ArrayList<>();
			for (int round = 0; round < rounds; round++) {
				for (int gap : gaps) {
					try {
						client.apply(url); // a connection that has just carried a request
					}
					catch (RuntimeException ex) {
						// Counted only for the measured request below.
					}
					Thread.sleep(gap);
					try {
						client.apply(url);
						outcomes.add(new Outcome(gap, null));
					}
					catch (RuntimeException ex) {
						outcomes.add(new Outcome(gap, rootCause(ex)));
					}
				}
			}
			return new ClientResult(outcomes, resends(context, relay.port()), relay.connections());
		}
		catch (Exception ex) {
			throw new IllegalStateException(name + " could not run", ex);
		}
	}

	/** Resends the starter made to this relay's origin; plain Boot makes none. */
	private static long resends(ConfigurableApplicationContext context, int port) {
		return context.getBeanProvider(Origins.class)
			.stream()
			.flatMap((origins) -> origins.all().stream())
			.filter((origin) -> origin.key().equals("127.0.0.1:" + port))
			.mapToLong(Origin::resends)
			.sum();
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

	record ClientResult(List<Outcome> outcomes, long resends, int connections) {

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
