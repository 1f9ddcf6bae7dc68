package dev.keepalive.server;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.eclipse.jetty.server.AbstractConnector;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.tomcat.TomcatWebServer;

/**
 * Reads the idle timeout an embedded server really enforces, and sets it when
 * {@code keepalive.server.timeout} is configured. One nested reader per engine, each touched only when
 * its engine is on the classpath.
 */
final class ServerIdleTimeouts {

	private ServerIdleTimeouts() {
	}

	/** What one server enforces: its idle timeout (null: none) and its requests per connection (< 1: none). */
	record Enforced(Duration idleTimeout, int maxRequests, boolean tomcat) {
	}

	static final class Tomcat {

		private Tomcat() {
		}

		static Enforced read(TomcatWebServer server) {
			Connector[] connectors = server.getTomcat().getService().findConnectors();
			if (connectors.length == 0 || !(connectors[0].getProtocolHandler() instanceof AbstractProtocol<?> protocol)) {
				return new Enforced(null, 0, true);
			}
			// Tomcat falls back to the connection timeout when keepAliveTimeout is unset; negative is infinite.
			int timeout = protocol.getKeepAliveTimeout();
			int max = (protocol instanceof AbstractHttp11Protocol<?> http11) ? http11.getMaxKeepAliveRequests() : -1;
			return new Enforced((timeout > 0) ? Duration.ofMillis(timeout) : null, max, true);
		}

		static void enforce(Connector connector, Duration timeout) {
			ProtocolHandler handler = connector.getProtocolHandler();
			if (handler instanceof AbstractProtocol<?> protocol) {
				protocol.setKeepAliveTimeout((int) timeout.toMillis());
			}
		}

	}

	static final class Jetty {

		private Jetty() {
		}

		static Enforced read(JettyWebServer server) {
			for (org.eclipse.jetty.server.Connector connector : server.getServer().getConnectors()) {
				if (connector instanceof AbstractConnector abstractConnector) {
					long timeout = abstractConnector.getIdleTimeout();
					return new Enforced((timeout > 0) ? Duration.ofMillis(timeout) : null, 0, false);
				}
			}
			return new Enforced(null, 0, false);
		}

		static void enforce(org.eclipse.jetty.server.Server server, Duration timeout) {
			for (org.eclipse.jetty.server.Connector connector : server.getConnectors()) {
				if (connector instanceof AbstractConnector abstractConnector) {
					abstractConnector.setIdleTimeout(timeout.toMillis());
				}
			}
		}

	}

	/** Reactor Netty's server has no getter: a last server customizer records (or sets) the timeout. */
	static final class Netty {

		private final AtomicReference<Duration> idleTimeout = new AtomicReference<>();

		reactor.netty.http.server.HttpServer capture(reactor.netty.http.server.HttpServer server, Duration override) {
			reactor.netty.http.server.HttpServer result = (override != null) ? server.idleTimeout(override) : server;
			this.idleTimeout.set(result.configuration().idleTimeout());
			return result;
		}

		Enforced read() {
			return new Enforced(this.idleTimeout.get(), 0, false);
		}

	}

}
