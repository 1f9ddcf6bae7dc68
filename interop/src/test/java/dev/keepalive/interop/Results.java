package dev.keepalive.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.springframework.http.HttpMethod;

import dev.keepalive.testsupport.ClientKind;

/**
 * The suite's numbers, one row per server, client and mode: printed per server when its class ends and
 * appended to {@code target/interop-results.txt}, the table docs/testing.md shows.
 */
final class Results {

	static {
		// One run's numbers: what an earlier run in the same target directory left goes first.
		String file = System.getProperty("keepalive.interop.results");
		String races = System.getProperty("keepalive.interop.races");
		try {
			if (file != null) {
				Files.deleteIfExists(Path.of(file));
			}
			if (races != null && Files.isDirectory(Path.of(races))) {
				try (Stream<Path> old = Files.list(Path.of(races))) {
					for (Path each : old.toList()) {
						Files.delete(each);
					}
				}
			}
		}
		catch (IOException ex) {
			System.err.println("Could not clear an earlier run's results: " + ex);
		}
	}

	private final String server;

	private final List<String> rows = new CopyOnWriteArrayList<>();

	Results(String server) {
		this.server = server;
	}

	void add(ClientKind kind, String mode, Race.Result result) {
		String row = String.format("| %s | %s | %s | %d/%d | %d/%d | %d | %d | %d |", this.server, kind, mode,
				result.failed(HttpMethod.GET).size(), result.requests(HttpMethod.GET), result.failed(HttpMethod.POST).size(),
				result.requests(HttpMethod.POST), result.racesLost(), result.executedTwice().size(), result.connections());
		this.rows.add(row);
	}

	/** Keep a race's whole history in the directory the build names, for a look at a run that passed. */
	static void writeHistory(String race, String history) {
		String directory = System.getProperty("keepalive.interop.races");
		if (directory != null) {
			try {
				Files.createDirectories(Path.of(directory));
				Files.writeString(Path.of(directory, race + ".txt"), history + "\n", StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				System.err.println("Could not write " + race + "'s history to " + directory + ": " + ex);
			}
		}
	}

	/** Print the table and append it to the results file, if the build names one. */
	void report() {
		StringBuilder table = new StringBuilder("\n| server | client | mode | GETs failed | POSTs failed | races lost (relay) "
				+ "| executed twice | connections |\n|---|---|---|---|---|---|---|---|\n");
		this.rows.stream().sorted().forEach((row) -> table.append(row).append('\n'));
		append(table.toString());
	}

	/** Print a table and append it to the results file, if the build names one (after an earlier run's is gone). */
	static void append(String table) {
		System.out.println(table);
		String file = System.getProperty("keepalive.interop.results");
		if (file != null) {
			synchronized (Results.class) {
				try {
					Files.writeString(Path.of(file), table, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
							StandardOpenOption.APPEND);
				}
				catch (IOException ex) {
					System.err.println("Could not write " + file + ": " + ex);
				}
			}
		}
	}

}
