package dev.keepalive.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The parameters of a {@code Keep-Alive} response header (RFC 2068 §19.7.1.1): {@code timeout=N} (seconds
 * the server keeps an idle connection open) and {@code max=M} (requests it serves on one connection).
 * <p>
 * The header is only a hint, so parsing never throws: names are case-insensitive, whitespace and quotes
 * are tolerated, unknown parameters are skipped, a decimal fraction ({@code timeout=2.5}) is rounded down to
 * whole units, as undici reads it, and any other value that is not a non-negative integer is ignored. A
 * parameter given more than once (in one line or across several lines) keeps its smallest value, the one that
 * promises the least. Huge values saturate instead of overflowing; callers cap them.
 * <p>
 * {@code max} means different things to different servers: Node sends its {@code maxRequestsPerSocket}, the
 * same total on every response, while Apache httpd counts down the requests the connection may still carry.
 * {@link ConnectionReuseState} tells them apart across one connection's responses.
 *
 * @param timeoutSeconds the advertised idle timeout in seconds, or {@link #ABSENT}
 * @param maxRequests the advertised request limit per connection, or {@link #ABSENT}
 */
public record KeepAliveHeader(long timeoutSeconds, long maxRequests) {

	/** The name of the header. */
	public static final String NAME = "Keep-Alive";

	/** Marks a parameter the header did not carry (or carried with an unusable value). */
	public static final long ABSENT = -1;

	/** Values above this saturate: ~68 years of seconds is "effectively forever" and cannot overflow. */
	private static final long SATURATION = Integer.MAX_VALUE;

	/**
	 * Parse one or more {@code Keep-Alive} header values.
	 * @param values the header values, as received (may be {@code null} or contain {@code null})
	 * @return the header, or empty when no usable {@code timeout} or {@code max} was found
	 */
	public static Optional<KeepAliveHeader> parse(Iterable<String> values) {
		if (values == null) {
			return Optional.empty();
		}
		Accumulator accumulator = new Accumulator();
		for (String value : values) {
			accumulator.scan(value);
		}
		return accumulator.result();
	}

	/**
	 * Parse a single {@code Keep-Alive} header value.
	 * @param value the header value (may be {@code null})
	 * @return the header, or empty when no usable {@code timeout} or {@code max} was found
	 */
	public static Optional<KeepAliveHeader> parse(String value) {
		Accumulator accumulator = new Accumulator();
		accumulator.scan(value);
		return accumulator.result();
	}

	/** Whether the server advertised an idle timeout. */
	public boolean hasTimeout() {
		return this.timeoutSeconds != ABSENT;
	}

	/** Whether the server advertised a request limit. */
	public boolean hasMaxRequests() {
		return this.maxRequests != ABSENT;
	}

	/** The advertised idle timeout; only meaningful when {@link #hasTimeout()}. */
	public Duration timeout() {
		return Duration.ofSeconds(this.timeoutSeconds);
	}

	@Override
	public String toString() {
		return "Keep-Alive[timeout=" + (hasTimeout() ? this.timeoutSeconds : "-") + ", max="
				+ (hasMaxRequests() ? this.maxRequests : "-") + "]";
	}

	/** Scans parameter by parameter without regular expressions or substrings: linear in the input. */
	private static final class Accumulator {

		private long timeout = ABSENT;

		private long max = ABSENT;

		void scan(String value) {
			if (value == null) {
				return;
			}
			int length = value.length();
			int start = 0;
			while (start < length) {
				int end = nextSeparator(value, start, length);
				parameter(value, start, end);
				start = end + 1;
			}
		}

		private static int nextSeparator(String value, int from, int length) {
			for (int i = from; i < length; i++) {
				char c = value.charAt(i);
				if (c == ',' || c == ';') {
					return i;
				}
			}
			return length;
		}

		private void parameter(String value, int start, int end) {
			int equals = value.indexOf('=', start);
			if (equals < 0 || equals >= end) {
				return;
			}
			int nameStart = skipSpace(value, start, equals);
			int nameEnd = trimSpace(value, nameStart, equals);
			long number = number(value, equals + 1, end);
			if (number < 0) {
				return;
			}
			if (is(value, nameStart, nameEnd, "timeout")) {
				this.timeout = smallest(this.timeout, number);
			}
			else if (is(value, nameStart, nameEnd, "max")) {
				this.max = smallest(this.max, number);
			}
		}

		/** A plain decimal, optionally quoted and surrounded by spaces; -1 for anything else. */
		private static long number(String value, int start, int end) {
			start = skipSpace(value, start, end);
			end = trimSpace(value, start, end);
			if (end - start >= 2 && value.charAt(start) == '"' && value.charAt(end - 1) == '"') {
				start++;
				end--;
			}
			if (start >= end) {
				return -1;
			}
			long result = 0;
			int i = start;
			for (; i < end && value.charAt(i) != '.'; i++) {
				char c = value.charAt(i);
				if (c < '0' || c > '9') {
					return -1;
				}
				result = Math.min(result * 10 + (c - '0'), SATURATION);
			}
			if (i == start) {
				return -1;
			}
			// A fraction ("timeout=2.5") is rounded down, to what it safely allows, as undici reads it.
			if (i < end && (i + 1 == end || !allDigits(value, i + 1, end))) {
				return -1;
			}
			return result;
		}

		private static boolean allDigits(String value, int start, int end) {
			for (int i = start; i < end; i++) {
				char c = value.charAt(i);
				if (c < '0' || c > '9') {
					return false;
				}
			}
			return true;
		}

		private static boolean is(String value, int start, int end, String name) {
			return end - start == name.length() && value.regionMatches(true, start, name, 0, name.length());
		}

		private static int skipSpace(String value, int start, int end) {
			while (start < end && Character.isWhitespace(value.charAt(start))) {
				start++;
			}
			return start;
		}

		private static int trimSpace(String value, int start, int end) {
			while (end > start && Character.isWhitespace(value.charAt(end - 1))) {
				end--;
			}
			return end;
		}

		private static long smallest(long current, long candidate) {
			return (current == ABSENT) ? candidate : Math.min(current, candidate);
		}

		Optional<KeepAliveHeader> result() {
			return (this.timeout == ABSENT && this.max == ABSENT) ? Optional.empty()
					: Optional.of(new KeepAliveHeader(this.timeout, this.max));
		}

	}

}
