package dev.keepalive.samples.benchmark;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the benchmark in several fresh JVMs, one after the other, and reports per scenario the median of the
 * per-JVM ratios (with their range): each JVM compares plain and starter side by side, and the median across
 * JVMs evens out how one JVM happened to compile either. Each fork creates the variants in its own order. Each
 * client gets JVMs of its own: measured after the other client in the same JVM, a client ran on code compiled
 * for both, and lost a few per cent whichever it was.
 */
final class Forks {

	static final String RATIO = "#ratio";

	static final String REUSE = "#reuse";

	private Forks() {
	}

	static void run(int forks, String[] args) throws IOException, InterruptedException, URISyntaxException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", classpath(), ClientBenchmark.class.getName()));
		Arrays.stream(args)
			.filter((arg) -> !arg.startsWith("--forks=") && !arg.startsWith("--clients="))
			.forEach(command::add);
		String clients = ClientBenchmark.options(args).getOrDefault("clients", ClientBenchmark.CLIENTS);
		// scenario -> variant -> one row per fork: its ratios to plain (rps, p50, p99, cpu, alloc, client cpu, event-loop cpu)
		Map<String, Map<String, List<double[]>>> results = new LinkedHashMap<>();
		Map<String, long[]> reuse = new LinkedHashMap<>();
		// Each JVM's whole output, its absolute numbers per round included, for a closer look at one cell.
		Path outputs = Files.createDirectories(Path.of(ClientBenchmark.class.getProtectionDomain()
			.getCodeSource()
			.getLocation()
			.toURI()).resolveSibling("benchmark-forks"));
		for (String client : clients.split(",")) {
			for (int fork = 1; fork <= forks; fork++) {
				System.out.printf("%s: fork %d of %d%n", client, fork, forks);
				List<String> forkCommand = new ArrayList<>(command);
				forkCommand.add("--clients=" + client);
				forkCommand.add("--order-seed=" + fork);
				fork(forkCommand, outputs.resolve(client + "-" + fork + ".txt"), results, reuse);
			}
		}
		System.out.printf("%nMedian over %d JVMs per client of each JVM's ratio variant / plain (the median over its rounds; range across JVMs in brackets):%n%n", forks);
		System.out.println("| client | concurrency | variant | throughput | p50 | p99 | CPU per request | bytes per request | client CPU | event-loop CPU |");
		System.out.println("|---|---|---|---|---|---|---|---|---|---|");
		results.forEach((scenario, variants) -> {
			variants.forEach((variant, rows) -> {
				StringBuilder line = new StringBuilder("| " + scenario.replace(" ", " | ") + " | " + variant + " |");
				for (int metric = 0; metric < rows.get(0).length; metric++) {
					double[] ratios = new double[rows.size()];
					for (int i = 0; i < ratios.length; i++) {
						ratios[i] = rows.get(i)[metric];
					}
					Arrays.sort(ratios);
					// NaN: nothing to compare, e.g. event loops on an engine that has none.
					line.append(Double.isNaN(ratios[0]) ? " - |" : String.format(Locale.ROOT, " %.3f (%.3f-%.3f) |",
							median(ratios), ratios[0], ratios[ratios.length - 1]));
				}
				System.out.println(line);
			});
		});
		System.out.println();
		reuse.forEach((variant, total) -> System.out.printf(Locale.ROOT, "%s: %.0f requests per connection%n", variant,
				total[0] / (double) Math.max(1, total[1])));
		System.out.printf("%nEach JVM's output, with its absolute numbers: %s%n", outputs);
	}

	/** Runs one JVM and adds what it reports: its ratios per scenario and variant, its connection reuse. */
	private static void fork(List<String> command, Path output, Map<String, Map<String, List<double[]>>> results,
			Map<String, long[]> reuse) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		try (BufferedReader out = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter copy = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
			for (String line = out.readLine(); line != null; line = out.readLine()) {
				copy.println(line);
				String[] f = line.trim().split(" ");
				if (f[0].equals(RATIO)) {
					double[] row = Arrays.stream(f, 4, f.length).mapToDouble(Double::parseDouble).toArray();
					results.computeIfAbsent(f[1] + " " + f[2], (k) -> new LinkedHashMap<>())
						.computeIfAbsent(f[3], (k) -> new ArrayList<>())
						.add(row);
				}
				else if (f[0].equals(REUSE)) {
					long[] total = reuse.computeIfAbsent(f[1], (k) -> new long[2]);
					total[0] += Long.parseLong(f[2]);
					total[1] += Long.parseLong(f[3]);
				}
			}
		}
		if (process.waitFor() != 0) {
			throw new IllegalStateException("a fork failed with exit code " + process.exitValue());
		}
	}

	static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int n = sorted.length;
		return (n % 2 == 1) ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	}

	/** The classpath exec:java built for this run, so that each fork sees the same classes. */
	private static String classpath() throws URISyntaxException {
		ClassLoader loader = ClientBenchmark.class.getClassLoader();
		if (loader instanceof URLClassLoader urls) {
			List<String> entries = new ArrayList<>();
			for (URL url : urls.getURLs()) {
				entries.add(new File(url.toURI()).getPath());
			}
			return String.join(File.pathSeparator, entries);
		}
		return System.getProperty("java.class.path");
	}

}
