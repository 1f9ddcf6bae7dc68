package dev.keepalive.samples.server;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.coyote.AbstractProtocol;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A plain Spring MVC application on embedded Tomcat with a short keep-alive timeout, like a Node service
 * (5 s) or a load balancer behind it. With the starter it advertises that timeout on every response:
 * {@code Keep-Alive: timeout=2}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(DemoServerApplication.Hello.class)
public class DemoServerApplication {

	/**
	 * Tomcat closes an idle connection when its poller next looks, which is at the next socket event or after
	 * its selector timeout (1 s): when traffic is sparse, a connection can outlive its keep-alive timeout by up
	 * to a second, and the race moves with it. The demo's server looks every 10 ms, so that the close lands
	 * where the demo measured it; the race is the same one, only easier to hit on purpose.
	 */
	@Bean
	TomcatProtocolHandlerCustomizer<AbstractProtocol<?>> preciseIdleTimeout() {
		return (protocol) -> protocol.setProperty("selectorTimeout", "10");
	}

	/** Tomcat's idle timeout for keep-alive connections. */
	public static final String KEEP_ALIVE_TIMEOUT = "2s";

	public static void main(String[] args) {
		start(args);
	}

	/**
	 * Start the server; arguments override the defaults ({@code --server.port=8080}, 2 s keep-alive).
	 * @param args Spring Boot command-line arguments
	 * @return the running application
	 */
	public static ConfigurableApplicationContext start(String... args) {
		return new SpringApplicationBuilder(DemoServerApplication.class).web(WebApplicationType.SERVLET)
			.logStartupInfo(false)
			.properties("server.tomcat.keep-alive-timeout=" + KEEP_ALIVE_TIMEOUT, "spring.main.banner-mode=off",
					"logging.level.root=WARN")
			.run(args);
	}

	@RestController
	static class Hello {

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

		/** The HTTP version the request came in: {@code HTTP/1.1}, or {@code HTTP/2.0} on h2c. */
		@GetMapping("/protocol")
		String protocol(HttpServletRequest request) {
			return request.getProtocol();
		}

	}

}
