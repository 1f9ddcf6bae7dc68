package dev.keepalive.client;

import java.util.Map;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.InvalidProperties;
import org.junit.jupiter.api.Test;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

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
		this.runner.withInitializer((context) -> properties(context, Map.of(
				"keepalive.client.default-idle-timeout", "3s",
				"keepalive.client.safety-margin", "250ms",
				"keepalive.client.max-idle-timeout", "2m",
				"keepalive.client.max-life-time", "10m",
				"keepalive.client.eviction-interval", "5s",
				"keepalive.client.max-connections", "42",
				"keepalive.client.pending-acquire-timeout", "7s",
				"keepalive.client.hosts.[api.example.com:8443].idle-timeout", "55s",
				"keepalive.client.hosts.[proxied.example.com].ignore-advertised", "true")))
			.run((context) -> {
				KeepAliveClientProperties properties = context.getBean(KeepAliveClientProperties.class);
				assertThat(properties.getDefaultIdleTimeout()).hasSeconds(3);
				assertThat(properties.getSafetyMargin()).hasMillis(250);
				assertThat(properties.getMaxIdleTimeout()).hasMinutes(2);
				assertThat(properties.getMaxLifeTime()).hasMinutes(10);
				assertThat(properties.getEvictionInterval()).hasSeconds(5);
				assertThat(properties.getMaxConnections()).isEqualTo(42);
				assertThat(properties.getPendingAcquireTimeout()).hasSeconds(7);
				assertThat(properties.getHosts().get("api.example.com:8443").getIdleTimeout()).hasSeconds(55);
				assertThat(properties.getHosts().get("proxied.example.com").isIgnoreAdvertised()).isTrue();
				KeepAlivePolicy policy = context.getBean(KeepAlivePolicy.class);
				assertThat(policy.forOrigin("api.example.com", 8443).limits(null).idleCutoffMillis()).isEqualTo(54_750);
			});
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

	private static void properties(ConfigurableApplicationContext context, Map<String, Object> properties) {
		context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", properties));
	}

}
