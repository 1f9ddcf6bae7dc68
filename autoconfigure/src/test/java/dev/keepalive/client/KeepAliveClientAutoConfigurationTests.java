package dev.keepalive.client;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.InvalidProperties;
import org.junit.jupiter.api.Test;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertiesPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class KeepAliveClientAutoConfigurationTests {

	private final ApplicationContextRunner runner = ClientContext.runner();

	@Test
	void createsThePolicyAndTheOriginsEveryEngineBuildsOn() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(KeepAliveClientProperties.class)
			.hasSingleBean(KeepAlivePolicy.class)
			.hasSingleBean(Origins.class));
	}

	@Test
	void leavesBootAloneWhenDisabled() {
		this.runner.withPropertyValues("keepalive.client.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(KeepAlivePolicy.class)
				.doesNotHaveBean(Origins.class)
				.doesNotHaveBean(ConnectionProvider.class)
				.doesNotHaveBean("keepAliveClientHttpRequestFactoryBuilderCustomizer")
				.doesNotHaveBean("keepAliveClientHttpConnectorBuilderCustomizer");
		});
	}

	@Test
	void backsOffWhenUserDefinesPolicy() {
		KeepAlivePolicy own = new KeepAlivePolicy(new KeepAliveClientProperties());
		this.runner.withBean(KeepAlivePolicy.class, () -> own)
			.run((context) -> assertThat(context.getBean(KeepAlivePolicy.class)).isSameAs(own));
	}

	@Test
	void bindsEveryProperty() {
		this.runner.withInitializer((context) -> properties(context, Map.ofEntries(
				Map.entry("keepalive.client.default-idle-timeout", "3s"),
				Map.entry("keepalive.client.safety-margin", "250ms"),
				Map.entry("keepalive.client.adaptive-margin", "false"),
				Map.entry("keepalive.client.min-safety-margin", "20ms"),
				Map.entry("keepalive.client.max-idle-timeout", "2m"),
				Map.entry("keepalive.client.max-life-time", "10m"),
				Map.entry("keepalive.client.eviction-interval", "5s"),
				Map.entry("keepalive.client.max-connections", "42"),
				Map.entry("keepalive.client.pending-acquire-timeout", "7s"),
				Map.entry("keepalive.client.hosts.[api.example.com:8443].idle-timeout", "55s"),
				Map.entry("keepalive.client.hosts.[proxied.example.com].ignore-advertised", "true"))))
			.run((context) -> {
				KeepAliveClientProperties properties = context.getBean(KeepAliveClientProperties.class);
				assertThat(properties.getDefaultIdleTimeout()).hasSeconds(3);
				assertThat(properties.getSafetyMargin()).hasMillis(250);
				assertThat(properties.isAdaptiveMargin()).isFalse();
				assertThat(properties.getMinSafetyMargin()).hasMillis(20);
				assertThat(properties.getMaxIdleTimeout()).hasMinutes(2);
				assertThat(properties.getMaxLifeTime()).hasMinutes(10);
				assertThat(properties.getEvictionInterval()).hasSeconds(5);
				assertThat(properties.getMaxConnections()).isEqualTo(42);
				assertThat(properties.getPendingAcquireTimeout()).hasSeconds(7);
				assertThat(properties.getHosts().get("api.example.com:8443").getIdleTimeout()).hasSeconds(55);
				assertThat(properties.getHosts().get("proxied.example.com").isIgnoreAdvertised()).isTrue();
				KeepAlivePolicy policy = context.getBean(KeepAlivePolicy.class);
				assertThat(policy.forOrigin("api.example.com", 8443).limits(null).idleTimeoutMillis()).isEqualTo(55_000);
				assertThat(policy.margin()).isEqualTo(new KeepAlivePolicy.Margin(false, 20, 250));
			});
	}

	@Test
	void rejectsAZeroPingAckTimeoutAndANegativePingInterval() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.http2.ping-ack-timeout=0s",
				"keepalive.client.http2.ping-ack-timeout");
		InvalidProperties.assertRejected(this.runner, "keepalive.client.http2.ping-interval=-1s",
				"keepalive.client.http2.ping-interval");
	}

	@Test
	void rejectsANegativeSafetyMargin() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.safety-margin=-1s", "keepalive.client.safety-margin");
	}

	@Test
	void rejectsAZeroDefaultIdleTimeout() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.default-idle-timeout=0s", "keepalive.client.default-idle-timeout");
	}

	@Test
	void rejectsANonPositiveMaxIdleTimeout() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.max-idle-timeout=0ms", "keepalive.client.max-idle-timeout");
	}

	@Test
	void rejectsANonPositiveMaxLifeTime() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.max-life-time=-5s", "keepalive.client.max-life-time");
	}

	@Test
	void rejectsANonPositiveEvictionInterval() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.eviction-interval=0s", "keepalive.client.eviction-interval");
	}

	@Test
	void rejectsANonPositivePendingAcquireTimeout() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.pending-acquire-timeout=0s", "keepalive.client.pending-acquire-timeout");
	}

	@Test
	void rejectsZeroMaxConnections() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.max-connections=0", "keepalive.client.max-connections");
	}

	@Test
	void rejectsANonPositiveHostIdleTimeout() {
		InvalidProperties.assertRejected(this.runner, "keepalive.client.hosts.[example.com].idle-timeout=0s",
				"keepalive.client.hosts.example.com.idle-timeout");
	}

	@Test
	void validatesEvenWhenTheUserReplacesThePolicy() {
		this.runner.withBean(KeepAlivePolicy.class, () -> new KeepAlivePolicy(new KeepAliveClientProperties()))
			.withPropertyValues("keepalive.client.eviction-interval=-1s")
			.run((context) -> InvalidProperties.assertRejected(context, "keepalive.client.eviction-interval"));
	}

	@Test
	void rejectsAMalformedHostKey() {
		this.runner.withInitializer((context) -> properties(context,
				Map.of("keepalive.client.hosts.[exa mple.com:99999].idle-timeout", "5s")))
			.run((context) -> InvalidProperties.assertRejected(context, "keepalive.client.hosts.exa mple.com:99999"));
	}

	@Test
	void rejectsAHostKeyWithDotsWrittenWithoutBrackets() {
		// The usual .properties way: Boot's binder splits the key at its dots and binds nothing.
		this.runner.withPropertyValues("keepalive.client.hosts.api.example.com.idle-timeout=60s")
			.run((context) -> {
				InvalidProperties.assertRejected(context, "keepalive.client.hosts.api.example.com.idle-timeout");
				assertThat(context.getStartupFailure())
					.hasMessageContaining("keepalive.client.hosts[api.example.com\\:443].idle-timeout=60s");
			});
	}

	@Test
	void rejectsAColonLeftUnescapedInAPropertiesFile() {
		// java.util.Properties and Boot end the key at the colon: "keepalive.client.hosts[api.example.com".
		this.runner.withInitializer((context) -> propertiesFile(context, """
				keepalive.client.hosts[api.example.com:443].idle-timeout=60s
				"""))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasMessageContaining("(the colon escaped)");
			});
	}

	@Test
	void rejectsAnUnknownPerHostSetting() {
		this.runner.withPropertyValues("keepalive.client.hosts[api.example.com].idle-timout=60s")
			.run((context) -> InvalidProperties.assertRejected(context, "keepalive.client.hosts[api.example.com].idle-timout"));
	}

	@Test
	void bindsABracketedHostKeyWrittenAsInPropertiesFiles() {
		this.runner.withInitializer((context) -> propertiesFile(context, """
				keepalive.client.hosts[api.example.com\\:443].idle-timeout=60s
				keepalive.client.hosts[legacy.example.com].ignore-advertised=true
				"""))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				KeepAliveClientProperties properties = context.getBean(KeepAliveClientProperties.class);
				assertThat(properties.getHosts().get("api.example.com:443").getIdleTimeout()).hasSeconds(60);
				assertThat(properties.getHosts().get("legacy.example.com").isIgnoreAdvertised()).isTrue();
			});
	}

	@Test
	void rejectsAMaxIdleTimeoutBelowTheDefaultIdleTimeout() {
		this.runner.withPropertyValues("keepalive.client.max-idle-timeout=1s", "keepalive.client.default-idle-timeout=10s")
			.run((context) -> {
				InvalidProperties.assertRejected(context, "keepalive.client.max-idle-timeout");
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("is below keepalive.client.default-idle-timeout (10s)");
			});
	}

	/** Properties as a {@code .properties} file has them, parsed as Boot parses one. */
	private static void propertiesFile(ConfigurableApplicationContext context, String text) {
		Properties properties = new Properties();
		try {
			properties.load(new StringReader(text));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		context.getEnvironment().getPropertySources().addFirst(new PropertiesPropertySource("file", properties));
	}

	private static void properties(ConfigurableApplicationContext context, Map<String, Object> properties) {
		context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", properties));
	}

}
