package dev.keepalive.client;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.keepalive.client.KeepAliveClientProperties.Host;
import dev.keepalive.client.ReuseLimits.Source;

import static org.assertj.core.api.Assertions.assertThat;

class KeepAlivePolicyTests {

	private final KeepAliveClientProperties properties = new KeepAliveClientProperties();

	@Test
	void subtractsTheSafetyMarginFromAnAdvertisedTimeout() {
		ReuseLimits limits = limits("example.com", 80, "timeout=5");
		assertThat(limits.idleCutoffMillis(fixedMargin())).isEqualTo(4000);
		assertThat(limits.source()).isEqualTo(Source.ADVERTISED);
		assertThat(limits.maxRequests()).isEqualTo(ReuseLimits.UNLIMITED);
	}

	@Test
	void reusesOnlyWithinHalfTheTimeoutWhenItIsNotLongerThanTheMargin() {
		assertThat(limits("example.com", 80, "timeout=1").idleCutoffMillis(fixedMargin())).isEqualTo(500);
		this.properties.setSafetyMargin(Duration.ofSeconds(3));
		assertThat(limits("example.com", 80, "timeout=2").idleCutoffMillis(fixedMargin())).isEqualTo(1000);
		assertThat(limits("example.com", 80, "timeout=3").idleCutoffMillis(fixedMargin())).isEqualTo(1500);
		assertThat(limits("example.com", 80, "timeout=4").idleCutoffMillis(fixedMargin())).isEqualTo(1000);
	}

	@Test
	void neverReusesWhenTheServerAdvertisesZero() {
		assertThat(limits("example.com", 80, "timeout=0").idleCutoffMillis(fixedMargin())).isZero();
	}

	@Test
	void capsAnAdvertisedTimeoutAtTheMaxIdleTimeout() {
		this.properties.setMaxIdleTimeout(Duration.ofSeconds(30));
		assertThat(limits("example.com", 80, "timeout=99999999999").idleCutoffMillis(fixedMargin())).isEqualTo(29_000);
	}

	@Test
	void appliesTheDefaultIdleTimeoutAsIsWithoutAHeader() {
		this.properties.setDefaultIdleTimeout(Duration.ofMillis(4321));
		ReuseLimits limits = limits("example.com", 80, null);
		assertThat(limits.idleCutoffMillis(fixedMargin())).isEqualTo(4321);
		assertThat(limits.source()).isEqualTo(Source.DEFAULT);
		assertThat(new KeepAlivePolicy(this.properties).defaultLimits()).isEqualTo(limits);
	}

	@Test
	void appliesTheDefaultIdleTimeoutWhenTheHeaderHasOnlyMax() {
		ReuseLimits limits = limits("example.com", 80, "max=7");
		assertThat(limits.idleCutoffMillis(fixedMargin())).isEqualTo(4000);
		assertThat(limits.source()).isEqualTo(Source.DEFAULT);
		assertThat(limits.maxRequests()).isEqualTo(7);
	}

	@Test
	void hostIdleTimeoutOverridesWhatIsAdvertised() {
		host("api.example.com:8443").setIdleTimeout(Duration.ofSeconds(60));
		ReuseLimits limits = limits("api.example.com", 8443, "timeout=5, max=10");
		assertThat(limits.idleCutoffMillis(fixedMargin())).isEqualTo(59_000);
		assertThat(limits.source()).isEqualTo(Source.HOST_OVERRIDE);
		assertThat(limits.maxRequests()).isEqualTo(10);
		assertThat(limits("api.example.com", 443, "timeout=5").idleCutoffMillis(fixedMargin())).isEqualTo(4000);
	}

	@Test
	void hostWithoutPortMatchesEveryPortAndIgnoresCase() {
		host("API.example.com").setIdleTimeout(Duration.ofSeconds(20));
		assertThat(limits("api.EXAMPLE.com", 1234, null).idleCutoffMillis(fixedMargin())).isEqualTo(19_000);
	}

	@Test
	void ignoreAdvertisedFallsBackToTheDefault() {
		host("proxied.example.com").setIgnoreAdvertised(true);
		ReuseLimits limits = limits("proxied.example.com", 80, "timeout=60, max=2");
		assertThat(limits.idleCutoffMillis(fixedMargin())).isEqualTo(4000);
		assertThat(limits.maxRequests()).isEqualTo(ReuseLimits.UNLIMITED);
		assertThat(limits.source()).isEqualTo(Source.DEFAULT);
	}

	@Test
	void resolvesTheOriginOfAUrlWithTheSchemesDefaultPort() {
		host("example.com:443").setIdleTimeout(Duration.ofSeconds(10));
		KeepAlivePolicy policy = new KeepAlivePolicy(this.properties);
		assertThat(policy.forUrl("https://example.com/a?b").limits(null).idleCutoffMillis(fixedMargin())).isEqualTo(9000);
		assertThat(policy.forUrl("http://example.com/a").limits(null).idleCutoffMillis(fixedMargin())).isEqualTo(4000);
		assertThat(policy.forUrl("not a url").limits(null).idleCutoffMillis(fixedMargin())).isEqualTo(4000);
	}

	/** The margin when it is not adaptive; the adaptive one is {@link PathMarginTests}'. */
	private long fixedMargin() {
		return this.properties.getSafetyMargin().toMillis();
	}

	private Host host(String key) {
		return this.properties.getHosts().computeIfAbsent(key, (k) -> new Host());
	}

	private ReuseLimits limits(String host, int port, String header) {
		return new KeepAlivePolicy(this.properties).forOrigin(host, port)
			.limits((header != null) ? KeepAliveHeader.parse(header).orElse(null) : null);
	}

}
