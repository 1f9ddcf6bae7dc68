package dev.keepalive.actuate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import dev.keepalive.client.Origins;
import dev.keepalive.client.reactor.KeepAlivePools;
import dev.keepalive.client.reactor.KeepAliveReactorNettyAutoConfiguration;
import dev.keepalive.server.KeepAliveAdvertisement;
import dev.keepalive.server.KeepAliveServerAutoConfiguration;

/**
 * The {@code keepalive} health component and the {@code /actuator/keepalive} endpoint, each only when its
 * Actuator module is on the classpath.
 */
@AutoConfiguration(after = { KeepAliveReactorNettyAutoConfiguration.class, KeepAliveServerAutoConfiguration.class },
		beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@Conditional(KeepAliveActuatorAutoConfiguration.ClientOrServerSide.class)
public final class KeepAliveActuatorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	KeepAliveReport keepAliveReport(ObjectProvider<Origins> origins, ObjectProvider<KeepAlivePools> pools,
			ObjectProvider<KeepAliveAdvertisement> advertisement) {
		return new KeepAliveReport(origins.getIfAvailable(), pools.getIfAvailable(), advertisement.getIfAvailable());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = {
			"org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint" })
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnAvailableEndpoint
		KeepAliveEndpoint keepAliveEndpoint(KeepAliveReport report) {
			return new KeepAliveEndpoint(report);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "keepaliveHealthIndicator")
		@ConditionalOnEnabledHealthIndicator("keepalive")
		KeepAliveHealthIndicator keepaliveHealthIndicator(KeepAliveReport report) {
			return new KeepAliveHealthIndicator(report);
		}

	}

	/** Nothing to report, and so no health component or endpoint, when both sides are switched off. */
	static final class ClientOrServerSide extends AnyNestedCondition {

		ClientOrServerSide() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnBean(Origins.class)
		static final class Client {

		}

		@ConditionalOnBean(KeepAliveAdvertisement.class)
		static final class Server {

		}

	}

}
