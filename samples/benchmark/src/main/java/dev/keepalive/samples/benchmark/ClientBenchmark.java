package dev.keepalive.samples.benchmark;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.keepalive.client.DiscardReason;
import dev.keepalive.client.Origins;
import dev.keepalive.client.reactor.KeepAliveHttpClientCustomizer;

/**
 * The starter against the plain Boot-configured client, measured in one run: throughput, p50 and p99 latency
 * of RestClient and WebClient, sequential and with concurrency 8 and 64, against a local server that
 * advertises a long keep-alive timeout (no connection is near its timeout, so both should reuse alike). The
 * variants run in a shuffled order in each round so that drift hits all alike. Reports the ratios starter / plain,
 * each the median over rounds of the two measured in the same round, and the requests per connection of both;
 * plain is measured a second time, as a variant of its own, so that each run shows how far a ratio moves when
 * nothing differs.
 * <p>
 * Also reports CPU time and bytes allocated per request (the whole process, client and server: the server's
 * share is the same for both), which are steadier than throughput on a small, shared machine; allocation
 * hardly depends on what else the machine does. And the CPU time of the client's threads alone (callers and
 * event loops, not the server's, GC or JIT), which shows the starter's share undiluted, and the event loops'
 * share of it alone. Each scenario is warmed up, all variants in turn, until the JIT compilers are nearly idle.
 * <p>
 * Arguments: {@code --seconds=<n>} per measurement (default 3), {@code --rounds=<n>} (default 5),
 * {@code --warmup=<n>} seconds per variant and warm-up pass (default 2), {@code --concurrency=1,8,64},
 * {@code --clients=RestClient,WebClient}, {@code --engine=reactor|http-components} (RestClient's engine;
 * WebClient always runs on Reactor Netty), {@code --protocol=h2c} (every variant on HTTP/2 by prior knowledge:
 * plain Boot switched by the benchmark's own customizer, the starter by {@code keepalive.client.protocol=h2c};
 * Reactor Netty only), {@code --diagnose=true} adds variants that isolate a cost (the
 * starter without its resend layer, its pool alone, its learning and resends on a plain pool; plain Boot on a
 * pool of its own, with a no-op interceptor, filter, decorating request factory or connect hook),
 * {@code --only=<variants>} measures just those (to profile one), {@code --forks=<n>} runs the benchmark in
 * {@code n} fresh JVMs per client and reports the median of their ratios, since on a small machine one JVM's
 * JIT decisions can move a ratio by several per cent.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ClientBenchmark {

	private static final OperatingSystemMXBean CPU = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

	private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

	private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

	/** Warm when the JIT compilers spend less than this share of a warm-up pass compiling. */
	private static final int WARM_COMPILING_PERCENT = 5;

	/** Gives up waiting for the JIT compilers after this many warm-up passes. */
	private static final int MAX_WARMUP_PASSES = 15;

	/** Marks a line with one variant's absolute numbers (for a reader: forks read only the ratios). */
	private static final String RESULT = "#result";

	/**
	 * Marks a line with one measurement: round, variant and its metrics (throughput, p50 and p99 in ns, then
	 * per request: CPU ns, bytes, client CPU ns, event-loop CPU ns).
	 */
	private static final String ROUND = "#round";

	/** The prefix of the server's event-loop threads. */
	private static final String SERVER_THREADS = "bench-server";

	/** The clients measured unless {@code --clients} names some. */
	static final String CLIENTS = "RestClient,WebClient";

	/** The prefix of Reactor Netty's default event-loop threads, which the clients use. */
	private static final String CLIENT_THREADS = "reactor-http";

	public static void main(String[] args) throws Exception {
		Map<String, String> options = options(args);
		int forks = Integer.parseInt(options.getOrDefault("forks", "1"));
		if (forks > 1) {
			Forks.run(forks, args);
			return;
		}
		int seconds = Integer.parseInt(options.getOrDefault("seconds", "3"));
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
		int warmup = Integer.parseInt(options.getOrDefault("warmup", "2"));
		int[] concurrencies = Arrays.stream(options.getOrDefault("concurrency", "1,8,64").split(","))
			.mapToInt(Integer::parseInt)
			.toArray();

		// RestClient's engine (WebClient always runs on Reactor Netty): reactor or http-components.
		String engine = options.getOrDefault("engine", "reactor");
		// The HTTP version of every variant: http1.1, or h2c (HTTP/2 by prior knowledge; Reactor Netty only).
		String protocol = options.getOrDefault("protocol", "http1.1");
		boolean h2c = protocol.equals("h2c");
		if (!h2c && !protocol.equals("http1.1")) {
			throw new IllegalArgumentException("--protocol=" + protocol + ": http1.1 (the default) or h2c");
		}
		if (h2c && !engine.equals("reactor")) {
			throw new IllegalArgumentException("--protocol=h2c needs --engine=reactor: Apache HttpClient 5 classic,"
					+ " which Boot builds, speaks HTTP/1.1 only");
		}
		LoopResources serverLoops = LoopResources.create(SERVER_THREADS, 1, true);
		Map<String, String[]> specs = new LinkedHashMap<>();
		specs.put("plain", new String[] { "--keepalive.client.enabled=false" });
		specs.put("starter", new String[0]);
		// Plain against itself, measured like the starter: how far a ratio moves when nothing differs.
		specs.put("plain-again", new String[] { "--keepalive.client.enabled=false" });
		if (Boolean.parseBoolean(options.getOrDefault("diagnose", "false"))) {
			// Where a cost comes from: the pool and its callbacks alone, without the resend layer.
			specs.put("starter-no-retry", new String[] { "--keepalive.client.retry.enabled=false" });
			// The starter's pool alone: no learning from responses, no resend layer.
			// (Nothing learnt, the default idle timeout applies: long, so that pauses between rounds do not expire it.)
			specs.put("starter-pool-only", new String[] { "--keepalive.client.retry.enabled=false",
					"--benchmark.no-learning=true", "--keepalive.client.default-idle-timeout=120s" });
			// The starter's learning and resends on a pool of Reactor Netty's defaults: what its pool rules cost.
			specs.put("starter-on-a-plain-pool", new String[] { "--benchmark.own-pool=true" });
			// The starter without its per-response learning (which also fills the resend layer's facts).
			specs.put("starter-no-learning", new String[] { "--benchmark.no-learning=true",
					"--keepalive.client.default-idle-timeout=120s" });
			// What any ClientHttpRequestInterceptor costs RestClient: Spring then buffers and copies each request.
			specs.put("plain-with-an-interceptor", new String[] { "--keepalive.client.enabled=false",
					"--benchmark.noop-interceptor=true" });
			// What any ExchangeFilterFunction costs WebClient: Spring composes the filter chain per request.
			specs.put("plain-with-a-filter", new String[] { "--keepalive.client.enabled=false",
					"--benchmark.noop-filter=true" });
			// What a decorating request factory would cost instead.
			specs.put("plain-with-a-decorating-factory", new String[] { "--keepalive.client.enabled=false",
					"--benchmark.decorating-factory=true" });
			// What Reactor Netty's connect hook (mapConnect), which the blocking resend uses, costs by itself.
			specs.put("plain-with-map-connect", new String[] { "--keepalive.client.enabled=false",
					"--benchmark.map-connect=true" });
			// The same hook writing a value into the connect step's Reactor context, as the blocking resend does.
			specs.put("plain-with-map-connect-context", new String[] { "--keepalive.client.enabled=false",
					"--benchmark.map-connect-context=true" });
			// What turning off Reactor Netty's own retry-once costs by itself.
			specs.put("plain-without-netty-retry", new String[] { "--keepalive.client.enabled=false",
					"--benchmark.disable-retry=true" });
			// Plain Boot on a pool of its own, sized as Reactor Netty's global one: what any non-global pool costs.
			specs.put("plain-with-own-pool", new String[] { "--keepalive.client.enabled=false",
					"--benchmark.own-pool=true" });
		}
		// The order the clients are created in matters (the first gets a small, steady edge on this machine):
		// each fork starts the rotation elsewhere.
		if (options.containsKey("only")) {
			// One variant alone, e.g. to profile it: no ratios.
			specs.keySet().retainAll(List.of(options.get("only").split(",")));
		}
		List<String> names = new ArrayList<>(specs.keySet());
		Collections.rotate(names, Integer.parseInt(options.getOrDefault("order-seed", "0")));
		List<Variant> all = new ArrayList<>();
		for (String name : names) {
			ConfigurableApplicationContext context = client(engine, h2c, specs.get(name));
			all.add(new Variant(name, context, Server.start(serverLoops, h2c), h2c ? Clients.of(context) : null));
		}
		Variant[] variants = all.toArray(Variant[]::new);

		System.out.printf("%nJava %s, %d processors; %d s per measurement, %d rounds, variants in a shuffled order each round;"
				+ " RestClient on %s; %s.%n", System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
				seconds, rounds, engine, h2c ? "h2c (HTTP/2 by prior knowledge) for every variant" : "HTTP/1.1");
		List<String[]> table = new ArrayList<>();
		for (String kind : options.getOrDefault("clients", CLIENTS).split(",")) {
			String client = ((kind.equals("RestClient") && !engine.equals("reactor")) ? kind + "-" + engine : kind)
					+ (h2c ? "-h2c" : "");
			for (int concurrency : concurrencies) {
				int passes = warmUp(kind, variants, concurrency, Duration.ofSeconds(warmup));
				System.out.printf("  %s concurrency %d: warm after %d passes%n", client, concurrency, passes);
				Map<String, Result> totals = new LinkedHashMap<>();
				for (Variant variant : variants) {
					totals.put(variant.name(), new Result());
				}
				// A different order each round (fixed seed: runs repeat), so no variant always runs first or last.
				Random order = new Random(concurrency);
				for (int round = 0; round < rounds; round++) {
					List<Variant> shuffled = new ArrayList<>(List.of(variants));
					Collections.shuffle(shuffled, order);
					for (Variant variant : shuffled) {
						Sample sample = measure(kind, variant, concurrency, Duration.ofSeconds(seconds));
						totals.get(variant.name()).add(sample);
						System.out.printf(Locale.ROOT, "%s %s %d %d %s %s%n", ROUND, client, concurrency, round,
								variant.name(), joined(sample.metrics(), "%.1f"));
					}
				}
				Result a = totals.get("plain");
				for (Variant variant : variants) {
					Result r = totals.get(variant.name());
					System.out.printf(Locale.ROOT, "%s %s %d %s %.1f %.0f %.0f %.1f %.1f%n", RESULT, client, concurrency,
							variant.name(), r.rps(), r.p50(), r.p99(), r.cpuPerRequest(), r.allocatedPerRequest());
				}
				for (Variant variant : variants) {
					if (a == null || variant.name().equals("plain")) {
						continue;
					}
					Result b = totals.get(variant.name());
					double[] ratios = b.medianRatiosTo(a);
					System.out.printf(Locale.ROOT, "%s %s %d %s %s%n", Forks.RATIO, client, concurrency, variant.name(),
							joined(ratios, "%.4f"));
					String label = variant.name().equals("starter") ? client : client + " (" + variant.name() + ")";
					table.add(new String[] { label, String.valueOf(concurrency), rps(a), rps(b), ratio(ratios[0]),
							micros(a.p50()), micros(b.p50()), ratio(ratios[1]), micros(a.p99()), micros(b.p99()),
							ratio(ratios[2]), micros1(a.cpuPerRequest()), micros1(b.cpuPerRequest()), ratio(ratios[3]),
							bytes(a.allocatedPerRequest()), bytes(b.allocatedPerRequest()), ratio(ratios[4]),
							ratio(ratios[5]), ratio(ratios[6]) });
				}
				System.out.printf("  %s concurrency %d done%n", client, concurrency);
			}
		}
		System.out.printf("%nRatios: the median over rounds of starter / plain measured in the same round.%n");
		System.out.printf("%n| client | concurrency | plain req/s | starter req/s | ratio | plain p50 µs | starter p50 µs | ratio"
				+ " | plain p99 µs | starter p99 µs | ratio | plain CPU µs/req | starter CPU µs/req | ratio"
				+ " | plain B/req | starter B/req | ratio | client CPU ratio | event-loop CPU ratio |%n"
				+ "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|%n");
		for (String[] row : table) {
			System.out.println("| " + String.join(" | ", row) + " |");
		}
		for (Variant variant : variants) {
			System.out.printf("%n%s: %d requests over %d connections = %.0f requests per connection", variant.name(),
					variant.server().requests.get(), variant.server().connections.get(),
					variant.server().requests.get() / (double) Math.max(1, variant.server().connections.get()));
			if (h2c) {
				System.out.printf(", %d of them on HTTP/2", variant.server().http2Requests().get());
			}
			String discarded = variant.context()
				.getBeanProvider(Origins.class)
				.stream()
				.flatMap((origins) -> origins.all().stream())
				.flatMap((origin) -> Arrays.stream(DiscardReason.values())
					.filter((reason) -> origin.discarded(reason) > 0)
					.map((reason) -> reason.tag() + " " + origin.discarded(reason)))
				.collect(Collectors.joining(", "));
			if (!discarded.isEmpty()) {
				System.out.printf(" (the starter discarded: %s)", discarded);
			}
		}
		System.out.println();
		for (Variant variant : variants) {
			if (h2c && variant.server().http2Requests().get() != variant.server().requests().get()) {
				throw new IllegalStateException(variant.name() + " did not speak HTTP/2 on every request");
			}
		}
		for (Variant variant : variants) {
			System.out.printf("%s %s %d %d%n", Forks.REUSE, variant.name(), variant.server().requests.get(),
					variant.server().connections.get());
		}
		for (Variant variant : variants) {
			variant.context().close();
			variant.server().server().disposeNow();
		}
		serverLoops.disposeLater().block();
		System.exit(0);
	}

	private static ConfigurableApplicationContext client(String engine, boolean h2c, String... properties) {
		List<String> args = new ArrayList<>(List.of("--spring.main.banner-mode=off", "--logging.level.root=WARN",
				"--spring.http.clients.imperative.factory=" + engine));
		if (h2c) {
			// Plain Boot: the benchmark's own customizer (Boot has no property); the starter: its property.
			args.add("--benchmark.protocol=h2c");
			args.add("--keepalive.client.protocol=h2c");
			// HTTP/2 has no Keep-Alive header to tell the server's 60 s: the starter is told, so that no
			// connection is near its idle cutoff here either (it would replace those idle for 4 s between rounds).
			String idleTimeout = "--keepalive.client.default-idle-timeout=";
			if (Arrays.stream(properties).noneMatch((property) -> property.startsWith(idleTimeout))) {
				args.add(idleTimeout + "60s");
			}
		}
		args.addAll(List.of(properties));
		return new SpringApplicationBuilder(ClientBenchmark.class).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run(args.toArray(String[]::new));
	}

	/**
	 * Runs every variant for {@code each}, pass after pass, until the JIT compilers spent less than
	 * {@value #WARM_COMPILING_PERCENT} % of a pass compiling, or {@value #MAX_WARMUP_PASSES} passes. Until then
	 * the compilers take most of one core from whichever variant happens to be measured: on two cores they did
	 * for 10 to 15 s after start, into the measured rounds.
	 * @return how many passes it took
	 */
	private static int warmUp(String kind, Variant[] variants, int concurrency, Duration each) throws Exception {
		for (int pass = 1;; pass++) {
			long compilingBefore = JIT.getTotalCompilationTime();
			long start = System.nanoTime();
			for (Variant variant : variants) {
				measure(kind, variant, concurrency, each);
			}
			long passMillis = (System.nanoTime() - start) / 1_000_000;
			long compiling = JIT.getTotalCompilationTime() - compilingBefore;
			if (compiling * 100 < passMillis * WARM_COMPILING_PERCENT || pass == MAX_WARMUP_PASSES) {
				return pass;
			}
		}
	}

	private static Sample measure(String kind, Variant variant, int concurrency, Duration duration) throws Exception {
		String url = "http://127.0.0.1:" + variant.server().server().port() + "/";
		long deadline = System.nanoTime() + duration.toNanos();
		Latencies latencies = new Latencies();
		Map<Long, Long> allocatedBefore = allocatedPerThread();
		Map<Long, Long> clientCpuBefore = clientCpuPerThread();
		Set<Long> callers = ConcurrentHashMap.newKeySet();
		AtomicLong allocatedByCallers = new AtomicLong();
		AtomicLong cpuByCallers = new AtomicLong();
		long start = System.nanoTime();
		long cpuStart = CPU.getProcessCpuTime();
		if (kind.equals("RestClient")) {
			RestClient client = variant.restClient();
			CountDownLatch done = new CountDownLatch(concurrency);
			AtomicReference<RuntimeException> failure = new AtomicReference<>();
			for (int t = 0; t < concurrency; t++) {
				Thread thread = new Thread(() -> {
					callers.add(Thread.currentThread().getId());
					try {
						while (System.nanoTime() < deadline) {
							long t0 = System.nanoTime();
							client.get().uri(url).retrieve().body(String.class);
							latencies.record(System.nanoTime() - t0);
						}
					}
					catch (RuntimeException ex) {
						failure.compareAndSet(null, ex);
					}
					finally {
						allocatedByCallers.addAndGet(THREADS.getCurrentThreadAllocatedBytes());
						cpuByCallers.addAndGet(THREADS.getCurrentThreadCpuTime());
						done.countDown();
					}
				});
				thread.start();
			}
			done.await();
			if (failure.get() != null) {
				throw new IllegalStateException(variant.name() + " failed", failure.get());
			}
		}
		else {
			WebClient client = variant.webClient();
			Flux.<Integer>generate((sink) -> sink.next(1))
				.takeWhile((i) -> System.nanoTime() < deadline)
				.flatMap((i) -> Mono.defer(() -> {
					long t0 = System.nanoTime();
					return client.get()
						.uri(url)
						.retrieve()
						.bodyToMono(String.class)
						.doOnSuccess((body) -> latencies.record(System.nanoTime() - t0));
				}), concurrency)
				.blockLast();
		}
		long elapsed = System.nanoTime() - start;
		long cpu = CPU.getProcessCpuTime() - cpuStart;
		long allocated = allocatedByCallers.get() + grownOutside(callers, allocatedBefore, allocatedPerThread());
		Map<Long, Long> clientCpuAfter = clientCpuPerThread();
		long clientCpu = cpuByCallers.get() + grownOutside(callers, clientCpuBefore, clientCpuAfter);
		// Only the threads after need names: grownOutside looks threads up in before by id.
		long loopCpu = grownOutside(callers, clientCpuBefore, onEventLoops(clientCpuAfter));
		return latencies.sample(elapsed, cpu, clientCpu, loopCpu, allocated);
	}

	/**
	 * How much a per-thread counter grew on threads other than the callers (which report their own before they
	 * end); a thread started since {@code before} counts from zero.
	 */
	private static long grownOutside(Set<Long> callers, Map<Long, Long> before, Map<Long, Long> after) {
		long grown = 0;
		for (Map.Entry<Long, Long> thread : after.entrySet()) {
			if (!callers.contains(thread.getKey())) {
				grown += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
			}
		}
		return grown;
	}

	/**
	 * CPU time of each live thread but the server's: client callers and event loops, the starter's sweeps. The
	 * server's share, the same for both variants, dilutes a ratio and adds its own noise; GC and JIT threads are
	 * not counted.
	 */
	private static Map<Long, Long> clientCpuPerThread() {
		Map<Long, Long> cpu = new HashMap<>();
		for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
			if (info != null && !info.getThreadName().startsWith(SERVER_THREADS)) {
				long nanos = THREADS.getThreadCpuTime(info.getThreadId());
				if (nanos >= 0) {
					cpu.put(info.getThreadId(), nanos);
				}
			}
		}
		return cpu;
	}

	/**
	 * The entries of the client's event-loop threads (Reactor Netty's, where the starter's learning runs): the
	 * part of the client's CPU that does not depend on how the callers block and wake.
	 */
	private static Map<Long, Long> onEventLoops(Map<Long, Long> perThread) {
		Map<Long, Long> loops = new HashMap<>();
		long[] ids = perThread.keySet().stream().mapToLong(Long::longValue).toArray();
		for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(ids)) {
			if (info != null && info.getThreadName().startsWith(CLIENT_THREADS)) {
				loops.put(info.getThreadId(), perThread.get(info.getThreadId()));
			}
		}
		return loops;
	}

	/** Bytes each live thread has allocated so far: client callers, event loops (client and server), the rest. */
	private static Map<Long, Long> allocatedPerThread() {
		long[] ids = THREADS.getAllThreadIds();
		long[] bytes = THREADS.getThreadAllocatedBytes(ids);
		Map<Long, Long> allocated = new HashMap<>();
		for (int i = 0; i < ids.length; i++) {
			if (bytes[i] >= 0) {
				allocated.put(ids[i], bytes[i]);
			}
		}
		return allocated;
	}

	private static String rps(Result result) {
		return String.format(Locale.ROOT, "%.0f", result.rps());
	}

	private static String micros(double nanos) {
		return String.format(Locale.ROOT, "%.0f", nanos / 1000);
	}

	private static String micros1(double nanos) {
		return String.format(Locale.ROOT, "%.1f", nanos / 1000);
	}

	private static String bytes(double bytes) {
		return String.format(Locale.ROOT, "%.0f", bytes);
	}

	/** Values for a machine-read line: each in {@code format}, separated by spaces. */
	private static String joined(double[] values, String format) {
		return Arrays.stream(values)
			.mapToObj((value) -> String.format(Locale.ROOT, format, value))
			.collect(Collectors.joining(" "));
	}

	private static String ratio(double ratio) {
		return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.3f", ratio);
	}

	static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			if (arg.startsWith("--") && arg.contains("=")) {
				options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
			}
		}
		return options;
	}

	@Bean
	@ConditionalOnProperty(name = "benchmark.protocol", havingValue = "h2c")
	@ConditionalOnBooleanProperty(name = "keepalive.client.enabled", havingValue = false)
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> plainH2cForRestClient() {
		return (builder) -> builder.withHttpClientCustomizer((client) -> client.protocol(HttpProtocol.H2C));
	}

	@Bean
	@ConditionalOnProperty(name = "benchmark.protocol", havingValue = "h2c")
	@ConditionalOnBooleanProperty(name = "keepalive.client.enabled", havingValue = false)
	ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> plainH2cForWebClient() {
		return (builder) -> builder.withHttpClientCustomizer((client) -> client.protocol(HttpProtocol.H2C));
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.noop-interceptor")
	RestClientCustomizer noopInterceptor() {
		return (builder) -> builder.requestInterceptor((request, body, execution) -> execution.execute(request, body));
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.noop-filter")
	WebClientCustomizer noopFilter() {
		return (builder) -> builder.filter((request, next) -> next.exchange(request));
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.decorating-factory")
	RestClientCustomizer decoratingFactory() {
		return (builder) -> builder
			.requestFactory(new DecoratingRequestFactory(ClientHttpRequestFactoryBuilder.reactor().build()));
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.map-connect")
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> mapConnect() {
		return (builder) -> builder.withHttpClientCustomizer((client) -> client.mapConnect((connect) -> connect));
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.map-connect-context")
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> mapConnectContext() {
		Object value = new Object();
		return (builder) -> builder.withHttpClientCustomizer((client) -> client.mapConnect(
				(connect) -> Mono.defer(() -> connect.contextWrite((context) -> context.put(Object.class, value)))));
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.own-pool")
	ConnectionProvider benchmarkOwnPool() {
		// What ConnectionProvider.create(name, 500) builds, as Reactor Netty's global resources do.
		return ConnectionProvider.create("benchmark", 500);
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.own-pool")
	@ConditionalOnBooleanProperty(name = "keepalive.client.enabled", havingValue = false)
	ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> ownPoolForWebClient(ConnectionProvider pool) {
		return (builder) -> builder.withHttpClientFactory(() -> HttpClient.create(pool));
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.own-pool")
	@ConditionalOnBooleanProperty(name = "keepalive.client.enabled", havingValue = false)
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> ownPoolForRestClient(
			ConnectionProvider pool) {
		return (builder) -> builder.withHttpClientFactory(() -> HttpClient.create(pool));
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.no-learning")
	KeepAliveHttpClientCustomizer benchmarkHttpClientCustomizer(Origins origins) {
		return new KeepAliveHttpClientCustomizer(origins) {
			@Override
			public HttpClient customize(HttpClient httpClient) {
				return httpClient;
			}
		};
	}

	@Bean
	@ConditionalOnBooleanProperty("benchmark.disable-retry")
	ClientHttpRequestFactoryBuilderCustomizer<ReactorClientHttpRequestFactoryBuilder> disableRetry() {
		return (builder) -> builder.withHttpClientCustomizer((client) -> client.disableRetry(true));
	}

	/**
	 * One variant.
	 * @param built clients built once, or {@code null} to build them from Boot's builders for each measurement
	 */
	private record Variant(String name, ConfigurableApplicationContext context, Server server, Clients built) {

		RestClient restClient() {
			return (this.built != null) ? this.built.restClient() : this.context.getBean(RestClient.Builder.class).build();
		}

		WebClient webClient() {
			return (this.built != null) ? this.built.webClient() : this.context.getBean(WebClient.Builder.class).build();
		}

	}

	/**
	 * A variant's clients, built once. On h2c, each RestClient built from Boot's builder with the starter (as of
	 * c412aae) gets an HTTP/2 pool of its own: the starter gives Boot's builder {@code HttpClient.create(pool)} for
	 * each client, and Reactor Netty keeps the HTTP/2 pool in the wrapper that call makes (its
	 * {@code HttpConnectionProvider}), not in the shared provider. Built for each measurement, the starter's
	 * RestClient opened new connections each time and left the old ones open, which is not what an application
	 * that builds its clients once sees.
	 */
	private record Clients(RestClient restClient, WebClient webClient) {

		static Clients of(ConfigurableApplicationContext context) {
			return new Clients(context.getBean(RestClient.Builder.class).build(),
					context.getBean(WebClient.Builder.class).build());
		}

	}

	/**
	 * A local server that answers every request at once and advertises a long keep-alive timeout on HTTP/1.1;
	 * on h2c it speaks HTTP/2 by prior knowledge (and HTTP/1.1), where no {@code Keep-Alive} header exists.
	 */
	private record Server(DisposableServer server, AtomicInteger connections, AtomicLong requests,
			AtomicLong http2Requests) {

		static Server start(LoopResources loops, boolean h2c) {
			AtomicInteger connections = new AtomicInteger();
			AtomicLong requests = new AtomicLong();
			AtomicLong http2Requests = new AtomicLong();
			DisposableServer server = HttpServer.create()
				.host("127.0.0.1")
				.port(0)
				.runOn(loops)
				.protocol(h2c ? new HttpProtocol[] { HttpProtocol.H2C, HttpProtocol.HTTP11 }
						: new HttpProtocol[] { HttpProtocol.HTTP11 })
				.doOnChannelInit((observer, channel, address) -> connections.incrementAndGet())
				.handle((request, response) -> {
					requests.incrementAndGet();
					if (request.version().majorVersion() == 2) {
						http2Requests.incrementAndGet();
						return response.sendString(Mono.just("ok"));
					}
					return response.header("Keep-Alive", "timeout=60").sendString(Mono.just("ok"));
				})
				.bindNow();
			return new Server(server, connections, requests, http2Requests);
		}

	}

	/** Per-thread latency buffers, merged when a measurement ends: recording takes no lock. */
	private static final class Latencies {

		private final List<Buffer> buffers = new CopyOnWriteArrayList<>();

		private final ThreadLocal<Buffer> current = ThreadLocal.withInitial(() -> {
			Buffer buffer = new Buffer();
			this.buffers.add(buffer);
			return buffer;
		});

		void record(long nanos) {
			this.current.get().add(nanos);
		}

		Sample sample(long elapsedNanos, long cpuNanos, long clientCpuNanos, long loopCpuNanos, long allocatedBytes) {
			long[] all = new long[this.buffers.stream().mapToInt((buffer) -> buffer.size).sum()];
			int at = 0;
			for (Buffer buffer : this.buffers) {
				System.arraycopy(buffer.values, 0, all, at, buffer.size);
				at += buffer.size;
			}
			Arrays.sort(all);
			return new Sample(all.length, elapsedNanos, cpuNanos, clientCpuNanos, loopCpuNanos, allocatedBytes,
					percentile(all, 0.50), percentile(all, 0.99));
		}

		private static long percentile(long[] sorted, double p) {
			return (sorted.length == 0) ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
		}

		private static final class Buffer {

			private long[] values = new long[1 << 16];

			private int size;

			void add(long value) {
				if (this.size == this.values.length) {
					this.values = Arrays.copyOf(this.values, this.size * 2);
				}
				this.values[this.size++] = value;
			}

		}

	}

	private record Sample(int requests, long elapsedNanos, long cpuNanos, long clientCpuNanos, long loopCpuNanos,
			long allocatedBytes, long p50, long p99) {

		/** How many values {@link #metrics()} returns. */
		static final int METRICS = 7;

		/**
		 * Throughput, p50, p99, CPU per request, bytes per request, client threads' CPU per request, and the
		 * client event loops' share of it per request.
		 */
		double[] metrics() {
			int n = Math.max(1, this.requests);
			return new double[] { this.requests / (this.elapsedNanos / 1e9), this.p50, this.p99,
					this.cpuNanos / (double) n, this.allocatedBytes / (double) n, this.clientCpuNanos / (double) n,
					this.loopCpuNanos / (double) n };
		}

	}

	/** Samples of one variant and scenario across rounds: throughput summed, percentiles averaged. */
	private static final class Result {

		private long requests;

		private long elapsedNanos;

		private long cpuNanos;

		private long allocatedBytes;

		private final List<Sample> samples = new ArrayList<>();

		void add(Sample sample) {
			this.requests += sample.requests();
			this.elapsedNanos += sample.elapsedNanos();
			this.cpuNanos += sample.cpuNanos();
			this.allocatedBytes += sample.allocatedBytes();
			this.samples.add(sample);
		}

		double rps() {
			return this.requests / (this.elapsedNanos / 1e9);
		}

		double cpuPerRequest() {
			return this.cpuNanos / (double) Math.max(1, this.requests);
		}

		double allocatedPerRequest() {
			return this.allocatedBytes / (double) Math.max(1, this.requests);
		}

		double p50() {
			return this.samples.stream().mapToLong(Sample::p50).average().orElse(0);
		}

		double p99() {
			return this.samples.stream().mapToLong(Sample::p99).average().orElse(0);
		}

		/**
		 * Per metric, the median over rounds of this variant's value divided by {@code other}'s in the same
		 * round: each round measures both within seconds of each other, so drift of the machine cancels out,
		 * and the median ignores a round that one pause spoilt.
		 */
		double[] medianRatiosTo(Result other) {
			int rounds = this.samples.size();
			double[][] ratios = new double[Sample.METRICS][rounds];
			for (int round = 0; round < rounds; round++) {
				double[] mine = this.samples.get(round).metrics();
				double[] theirs = other.samples.get(round).metrics();
				for (int metric = 0; metric < ratios.length; metric++) {
					ratios[metric][round] = mine[metric] / theirs[metric];
				}
			}
			double[] medians = new double[ratios.length];
			for (int metric = 0; metric < ratios.length; metric++) {
				medians[metric] = Forks.median(ratios[metric]);
			}
			return medians;
		}

	}

}
