package dev.keepalive.server;

import java.time.Duration;

import jakarta.servlet.DispatcherType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Advertises the embedded server's real idle timeout as {@code Keep-Alive: timeout=N} on HTTP/1.1 responses
 * (Tomcat and Jetty through a servlet filter, Reactor Netty through a WebFilter), and asks clients to close
 * their connections while the application shuts down.
 */
@AutoConfiguration
@ConditionalOnWebApplication
@ConditionalOnClass(WebServer.class)
@ConditionalOnBooleanProperty(name = "keepalive.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(KeepAliveServerProperties.class)
public final class KeepAliveServerAutoConfiguration {

	private static final Log logger = LogFactory.getLog(KeepAliveServerAutoConfiguration.class);

	private static final boolean TOMCAT = isPresent("org.springframework.boot.tomcat.TomcatWebServer");

	private static final boolean JETTY = isPresent("org.springframework.boot.jetty.JettyWebServer");

	@Bean
	@ConditionalOnMissingBean
	KeepAliveAdvertisement keepAliveAdvertisement() {
		return new KeepAliveAdvertisement();
	}

	@Bean
	ApplicationListener<WebServerInitializedEvent> keepAliveServerTimeoutReader(KeepAliveAdvertisement advertisement,
			KeepAliveServerProperties properties, ObjectProvider<ServerIdleTimeouts.Netty> netty) {
		return (event) -> {
			if (event.getApplicationContext().getServerNamespace() != null) {
				return; // a management server on its own port: the main one is what clients reuse
			}
			ServerIdleTimeouts.Enforced enforced = read(event.getWebServer(), netty.getIfAvailable());
			if (enforced.idleTimeout() == null) {
				logger.info("keepalive: the embedded server has no finite idle timeout, so no Keep-Alive header "
						+ "is advertised; set keepalive.server.timeout to advertise and enforce one");
				return;
			}
			int max = properties.isAdvertiseMax() ? enforced.maxRequests() : 0;
			advertisement.advertise(enforced.idleTimeout(), max, enforced.tomcat());
			logger.info("keepalive: responses advertise Keep-Alive: " + advertisement.header());
		};
	}

	private static ServerIdleTimeouts.Enforced read(WebServer webServer, ServerIdleTimeouts.Netty netty) {
		if (TOMCAT && webServer instanceof TomcatWebServer tomcat) {
			return ServerIdleTimeouts.Tomcat.read(tomcat);
		}
		if (JETTY && webServer instanceof JettyWebServer jetty) {
			return ServerIdleTimeouts.Jetty.read(jetty);
		}
		if (netty != null) {
			return netty.read();
		}
		return new ServerIdleTimeouts.Enforced(null, 0, false);
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "keepalive.server.close-on-shutdown", matchIfMissing = true)
	DrainOnShutdown keepAliveDrainOnShutdown(KeepAliveAdvertisement advertisement) {
		return new DrainOnShutdown(advertisement);
	}

	private static boolean isPresent(String className) {
		return ClassUtils.isPresent(className, KeepAliveServerAutoConfiguration.class.getClassLoader());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass(FilterRegistrationBean.class)
	static class Servlet {

		@Bean
		@ConditionalOnMissingBean(name = "keepAliveHeaderFilter")
		FilterRegistrationBean<KeepAliveHeaderFilter> keepAliveHeaderFilter(KeepAliveAdvertisement advertisement) {
			FilterRegistrationBean<KeepAliveHeaderFilter> registration = new FilterRegistrationBean<>(
					new KeepAliveHeaderFilter(advertisement));
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
			return registration;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.REACTIVE)
	static class Reactive {

		@Bean
		@ConditionalOnMissingBean
		KeepAliveHeaderWebFilter keepAliveHeaderWebFilter(KeepAliveAdvertisement advertisement) {
			return new KeepAliveHeaderWebFilter(advertisement);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ConfigurableTomcatWebServerFactory.class)
	static class TomcatTimeout {

		@Bean
		WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> keepAliveTomcatTimeout(
				KeepAliveServerProperties properties) {
			return new OrderedCustomizer<>((factory) -> {
				Duration timeout = properties.getTimeout();
				if (timeout != null) {
					factory.addConnectorCustomizers((connector) -> ServerIdleTimeouts.Tomcat.enforce(connector, timeout));
				}
			});
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ConfigurableJettyWebServerFactory.class)
	static class JettyTimeout {

		@Bean
		WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> keepAliveJettyTimeout(
				KeepAliveServerProperties properties) {
			return new OrderedCustomizer<>((factory) -> {
				Duration timeout = properties.getTimeout();
				if (timeout != null) {
					factory.addServerCustomizers((server) -> ServerIdleTimeouts.Jetty.enforce(server, timeout));
				}
			});
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(NettyReactiveWebServerFactory.class)
	static class NettyTimeout {

		@Bean
		ServerIdleTimeouts.Netty keepAliveNettyIdleTimeout() {
			return new ServerIdleTimeouts.Netty();
		}

		@Bean
		WebServerFactoryCustomizer<NettyReactiveWebServerFactory> keepAliveNettyTimeout(KeepAliveServerProperties properties,
				ServerIdleTimeouts.Netty netty) {
			return new OrderedCustomizer<>((factory) -> factory
				.addServerCustomizers((server) -> netty.capture(server, properties.getTimeout())));
		}

	}

	/** Runs after Boot's own customizers, so that our server customizer is added (and applied) last. */
	private record OrderedCustomizer<T extends org.springframework.boot.web.server.WebServerFactory>(
			WebServerFactoryCustomizer<T> delegate) implements WebServerFactoryCustomizer<T>, Ordered {

		@Override
		public void customize(T factory) {
			this.delegate.customize(factory);
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

}
