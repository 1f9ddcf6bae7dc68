package dev.keepalive.testsupport;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Requests sent at the same moment, each from its own thread (the tests run concurrently: a shared pool would
 * let one test's calls wait for another's).
 */
public final class Concurrently {

	private Concurrently() {
	}

	/**
	 * Make the calls at once and wait for all of them.
	 * @param calls what each caller sends
	 * @return the results, in the order of the calls; a failed call throws
	 */
	public static <T> List<String> send(List<T> calls, Function<T, String> call) {
		ExecutorService callers = Executors.newFixedThreadPool(calls.size(), (runnable) -> {
			Thread thread = new Thread(runnable, "concurrent-caller");
			thread.setDaemon(true);
			return thread;
		});
		try {
			List<CompletableFuture<String>> results = calls.stream()
				.map((each) -> CompletableFuture.supplyAsync(() -> call.apply(each), callers))
				.toList();
			return results.stream().map(CompletableFuture::join).toList();
		}
		finally {
			callers.shutdown();
		}
	}

	/**
	 * Make {@code count} identical calls at once and wait for all of them.
	 * @return the results; a failed call throws
	 */
	public static List<String> send(int count, Supplier<String> call) {
		return send(IntStream.range(0, count).boxed().toList(), (i) -> call.get());
	}

}
