package dev.keepalive.client;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class KeepAliveHeaderTests {

	@Test
	void parsesTimeoutAndMax() {
		assertThat(KeepAliveHeader.parse("timeout=5, max=100")).contains(new KeepAliveHeader(5, 100));
	}

	@Test
	void parsesTimeoutAlone() {
		KeepAliveHeader header = KeepAliveHeader.parse("timeout=5").orElseThrow();
		assertThat(header.timeoutSeconds()).isEqualTo(5);
		assertThat(header.hasMaxRequests()).isFalse();
	}

	@Test
	void parsesMaxAlone() {
		KeepAliveHeader header = KeepAliveHeader.parse("max=3").orElseThrow();
		assertThat(header.hasTimeout()).isFalse();
		assertThat(header.maxRequests()).isEqualTo(3);
	}

	@ParameterizedTest
	@ValueSource(strings = { "TIMEOUT=5", "Timeout=5", "  timeout = 5  ", "timeout=\"5\"", "timeout=5;", ",timeout=5,",
			"\ttimeout=5\t" })
	void toleratesCaseWhitespaceQuotesAndStraySeparators(String value) {
		assertThat(KeepAliveHeader.parse(value)).map(KeepAliveHeader::timeoutSeconds).contains(5L);
	}

	@Test
	void skipsUnknownParameters() {
		assertThat(KeepAliveHeader.parse("foo=bar, timeout=7, x, max=9, y=\"1,2\""))
			.contains(new KeepAliveHeader(7, 9));
	}

	@Test
	void readsSeveralHeaderLines() {
		assertThat(KeepAliveHeader.parse(List.of("timeout=7", "max=9"))).contains(new KeepAliveHeader(7, 9));
	}

	@Test
	void keepsTheSmallestOfRepeatedParameters() {
		assertThat(KeepAliveHeader.parse("timeout=10, timeout=3, timeout=8")).map(KeepAliveHeader::timeoutSeconds)
			.contains(3L);
		assertThat(KeepAliveHeader.parse(List.of("timeout=10, max=50", "timeout=4, max=60")))
			.contains(new KeepAliveHeader(4, 50));
	}

	@Test
	void acceptsZero() {
		assertThat(KeepAliveHeader.parse("timeout=0")).map(KeepAliveHeader::timeoutSeconds).contains(0L);
	}

	@Test
	void saturatesHugeValuesInsteadOfOverflowing() {
		assertThat(KeepAliveHeader.parse("timeout=99999999999")).map(KeepAliveHeader::timeoutSeconds)
			.contains((long) Integer.MAX_VALUE);
		assertThat(KeepAliveHeader.parse("timeout=" + "9".repeat(400))).map(KeepAliveHeader::timeoutSeconds)
			.contains((long) Integer.MAX_VALUE);
	}

	@ParameterizedTest
	@ValueSource(strings = { "timeout=abc", "timeout=-5", "timeout=", "timeout", "timeout=5s", "timeout=.5", "timeout=1.", "timeout=1.5.0", "timeout=1.5e3", "timeout=+5",
			"timeout=0x10", "timeout=\"\"", "timeout=\"5", "=5", "", " ", ",,,", ";;", "max=-1", "max=abc" })
	void ignoresUnusableValues(String value) {
		assertThat(KeepAliveHeader.parse(value)).isEmpty();
	}

	@ParameterizedTest
	@CsvSource({ "timeout=2.5, 2", "timeout=0.9, 0", "timeout=\"4.75\", 4", "timeout=5.000, 5" })
	void roundsADecimalTimeoutDownAsUndiciDoes(String value, long seconds) {
		assertThat(KeepAliveHeader.parse(value)).contains(new KeepAliveHeader(seconds, KeepAliveHeader.ABSENT));
	}

	@Test
	void ignoresABadParameterButKeepsAGoodOne() {
		assertThat(KeepAliveHeader.parse("timeout=abc, max=5")).contains(new KeepAliveHeader(KeepAliveHeader.ABSENT, 5));
		assertThat(KeepAliveHeader.parse("timeout=-5, timeout=6")).map(KeepAliveHeader::timeoutSeconds).contains(6L);
	}

	@Test
	void ignoresNull() {
		assertThat(KeepAliveHeader.parse((String) null)).isEmpty();
		assertThat(KeepAliveHeader.parse((Iterable<String>) null)).isEmpty();
		assertThat(KeepAliveHeader.parse(Arrays.asList(null, "timeout=2"))).map(KeepAliveHeader::timeoutSeconds).contains(2L);
	}

	@Test
	void survivesEightKilobytesOfJunk() {
		StringBuilder junk = new StringBuilder();
		String alphabet = "=,;\" \tabcXYZ019-+.\u00ff\u0000";
		for (int i = 0; i < 8192; i++) {
			junk.append(alphabet.charAt((i * 31 + i / 7) % alphabet.length()));
		}
		Optional<KeepAliveHeader> parsed = KeepAliveHeader.parse(junk.toString());
		assertThat(parsed).isNotNull();
		assertThat(KeepAliveHeader.parse(junk + ", timeout=3")).map(KeepAliveHeader::timeoutSeconds).contains(3L);
		assertThat(KeepAliveHeader.parse("=".repeat(8192))).isEmpty();
		assertThat(KeepAliveHeader.parse("timeout=".repeat(1024))).isEmpty();
	}

}
