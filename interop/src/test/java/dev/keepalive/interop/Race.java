package dev.keepalive.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;

import dev.keepalive.testsupport.Exchanger;

/**
 * Requests one client sends one after another through a {@link DelayingRelay}, each after an idle gap the
 * test chose, each with its own id in the query string: what the caller saw of each, what the relay saw of
 * each connection, and what the server executed.
 */
final class Race {

	/** Time for the server to write its access log line for the last request. */
	private static final Duration LOG_WAIT = Duration.ofSeconds(5);

	private Race() {
	}

	/** One request: its method and the idle time before it, from the moment the previous call returned. */
	record Step(HttpMethod method, Gap gap) {
	}

	/** An idle gap in ms, taken when the request is due (a race gap follows where the server closes). */
	@FunctionalInterface
	interface Gap {

		Gap NONE = () -> 0;

		long millis();

		static Gap of(long millis) {
			return () -> millis;
		}

	}

	/**
	 * What the caller saw of one request.
	 * @param startedAt when it was sent, in ms on the relay's clock
	 * @param failure the exception the client threw, or null
	 */
	record Outcome(int index, String id, HttpMethod method, long gapMillis, long startedAt, Throwable failure) {

		boolean failed() {
			return this.failure != null;
		}

		@Override
		public String toString() {
			return "#" + this.index + " " + this.method + " " + this.id + " after " + this.gapMillis + " ms, sent at "
					+ this.startedAt + " ms: " + (failed() ? "FAILED " + rootCause(this.failure) : "ok");
		}

		private static String rootCause(Throwable failure) {
			StringBuilder causes = new StringBuilder(failure.getClass().getSimpleName());
			for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
				causes.append(" <- ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
			}
			return causes.toString();
		}

	}

	/**
	 * Send the steps through the relay to {@code path} on its server, {@code ?id=<prefix>-<index>} on each.
	 */
	static Result run(Exchanger client, DelayingRelay relay, String path, String prefix, List<Step> steps,
			Executions executions) {
		List<Outcome> outcomes = new ArrayList<>();
		long returnedAt = System.nanoTime();
		for (int i = 0; i < steps.size(); i++) {
			Step step = steps.get(i);
			long gap = step.gap().millis();
			sleepUntil(returnedAt + gap * 1_000_000);
			String id = prefix + "-" + i;
			long startedAt = relay.now();
			Throwable failure = null;
			try {
				client.exchange(step.method(), "http://127.0.0.1:" + relay.port() + path + "?id=" + id, new HttpHeaders(),
						(step.method() == HttpMethod.GET) ? null : "order");
			}
			catch (RuntimeException ex) {
				failure = ex;
			}
			returnedAt = System.nanoTime();
			outcomes.add(new Outcome(i, id, step.method(), gap, startedAt, failure));
		}
		awaitExecutions(executions, outcomes);
		return new Result(prefix, outcomes, relay, executions);
	}

	private static void awaitExecutions(Executions executions, List<Outcome> outcomes) {
		long deadline = System.nanoTime() + LOG_WAIT.toNanos();
		while (System.nanoTime() < deadline
				&& outcomes.stream().anyMatch((outcome) -> !outcome.failed() && executions.count(outcome.id()) == 0)) {
			ServerProcess.sleep(50);
		}
	}

	/** Sleep to the nanosecond as closely as the machine allows: the race window is 10 ms wide. */
	private static void sleepUntil(long nanoTime) {
		long remaining = nanoTime - System.nanoTime();
		if (remaining > 3_000_000) {
			ServerProcess.sleep((remaining - 2_000_000) / 1_000_000);
		}
		while ((remaining = nanoTime - System.nanoTime()) > 0) {
			LockSupport.parkNanos(Math.min(remaining, 200_000));
		}
	}

	/** One client's race: the outcomes, the relay's view, the server's executions. */
	static final class Result {

		private final String prefix;

		private final List<Outcome> outcomes;

		private final DelayingRelay relay;

		private final Executions executions;

		private final List<Executions.Execution> executed;

		private Result(String prefix, List<Outcome> outcomes, DelayingRelay relay, Executions executions) {
			this.prefix = prefix;
			this.outcomes = outcomes;
			this.relay = relay;
			this.executions = executions;
			this.executed = executions.all().stream().filter((e) -> e.id() != null && e.id().startsWith(prefix + "-")).toList();
		}

		/** The ids of this race's requests start with it and a dash. */
		String prefix() {
			return this.prefix;
		}

		List<Outcome> outcomes() {
			return this.outcomes;
		}

		List<Outcome> failed(HttpMethod method) {
			return this.outcomes.stream().filter((outcome) -> outcome.failed() && outcome.method() == method).toList();
		}

		int failures() {
			return (int) this.outcomes.stream().filter(Outcome::failed).count();
		}

		int requests(HttpMethod method) {
			return (int) this.outcomes.stream().filter((outcome) -> outcome.method() == method).count();
		}

		/** How many times the server executed this request. */
		int executions(Outcome outcome) {
			return (int) this.executed.stream().filter((execution) -> outcome.id().equals(execution.id())).count();
		}

		/** Requests the server executed more than once. */
		List<Outcome> executedTwice() {
			return this.outcomes.stream().filter((outcome) -> executions(outcome) > 1).toList();
		}

		/** The server's executions of this race's requests. */
		List<Executions.Execution> executed() {
			return this.executed;
		}

		int racesLost() {
			return this.relay.racesLost();
		}

		/** When the relay first saw a race lost (relay clock, ms), or {@link Long#MAX_VALUE}. */
		long firstRaceLostAt() {
			List<Long> lost = this.relay.racesLostAt();
			return lost.isEmpty() ? Long.MAX_VALUE : lost.get(0);
		}

		int connections() {
			return this.relay.connections();
		}

		/** Every request, every connection the relay saw, every execution: for a failure message. */
		String history() {
			StringBuilder history = new StringBuilder("requests:");
			for (Outcome outcome : this.outcomes) {
				history.append("\n  ").append(outcome).append(", executed ").append(executions(outcome)).append('x');
			}
			history.append("\nconnections (").append(this.relay.racesLost()).append(" lost a race):");
			history.append(this.relay.history());
			history.append("\nthe server executed:").append(this.executions.describe(this.prefix + "-"));
			return history.toString();
		}

	}

}
