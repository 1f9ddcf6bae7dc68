package dev.keepalive.client.retry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.keepalive.client.Origin;
import dev.keepalive.client.Origins;
import dev.keepalive.client.retry.ResendDecision.Verdict;

/**
 * What the starter did about broken connections, at INFO: per origin, the first decision at once, then at most
 * one summary a minute (resent, and not resent by reason), so that the engine's own WARN about a reset that a
 * resend repaired is not the only trace. Lock-free; counts only on failures.
 */
final class ResendLog {

	private static final Log logger = LogFactory.getLog(ResendLog.class);

	private static final Verdict[] VERDICTS = Verdict.values();

	private final long intervalNanos;

	private final LongSupplier nanoClock;

	private final Map<Origin, Window> windows = new ConcurrentHashMap<>();

	ResendLog() {
		this(TimeUnit.MINUTES.toNanos(1), System::nanoTime);
	}

	ResendLog(long intervalNanos, LongSupplier nanoClock) {
		this.intervalNanos = intervalNanos;
		this.nanoClock = nanoClock;
	}

	void decided(Origin origin, ResendDecision decision) {
		if (origin == null || !logger.isInfoEnabled()) {
			return;
		}
		if (this.windows.size() > Origins.MAX_ORIGINS) {
			this.windows.clear();
		}
		Window window = this.windows.computeIfAbsent(origin, (key) -> new Window());
		window.counts[decision.verdict().ordinal()].increment();
		long now = this.nanoClock.getAsLong();
		long last = window.loggedAt.get();
		if ((last == Window.NEVER || now - last >= this.intervalNanos) && window.loggedAt.compareAndSet(last, now)) {
			logger.info(summary(origin, window, (last == Window.NEVER) ? 0 : now - last));
		}
	}

	private static String summary(Origin origin, Window window, long sinceNanos) {
		long[] counts = new long[VERDICTS.length];
		long total = 0;
		for (Verdict verdict : VERDICTS) {
			counts[verdict.ordinal()] = window.counts[verdict.ordinal()].sumThenReset();
			total += counts[verdict.ordinal()];
		}
		StringBuilder line = new StringBuilder("keepalive: ").append(origin).append(": ").append(total)
			.append((total == 1) ? " request" : " requests")
			.append(" met a pooled connection that the server or the path had closed");
		if (sinceNanos > 0) {
			line.append(" in the last ").append(TimeUnit.NANOSECONDS.toSeconds(sinceNanos)).append(" s");
		}
		line.append(": ").append(counts[Verdict.RESEND.ordinal()]).append(" resent on a new connection");
		StringBuilder refused = new StringBuilder();
		for (Verdict verdict : VERDICTS) {
			if (verdict.tag() != null && counts[verdict.ordinal()] > 0) {
				refused.append((refused.length() > 0) ? ", " : "").append(verdict.tag()).append(' ')
					.append(counts[verdict.ordinal()]);
			}
		}
		if (refused.length() > 0) {
			line.append("; not resent: ").append(refused);
		}
		return line.append(" (each one at DEBUG: ").append(KeepAliveRetryPolicy.class.getName()).append(')').toString();
	}

	/** One origin's counts since its last summary. */
	private static final class Window {

		static final long NEVER = Long.MIN_VALUE;

		final LongAdder[] counts = new LongAdder[VERDICTS.length];

		final AtomicLong loggedAt = new AtomicLong(NEVER);

		Window() {
			for (int i = 0; i < this.counts.length; i++) {
				this.counts[i] = new LongAdder();
			}
		}

	}

}
