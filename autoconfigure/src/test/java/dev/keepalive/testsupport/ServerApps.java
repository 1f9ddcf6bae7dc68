package dev.keepalive.testsupport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;

import jakarta.servlet.http.HttpServletResponse;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Boot server apps with the starter, on Tomcat, Jetty or Reactor Netty, serving the same endpoints.
 */
public final class ServerApps {

	private ServerApps() {
	}

	public static ConfigurableApplicationContext tomcat(String... args) {
		return start(WebApplicationType.SERVLET, TomcatApp.class, args);
	}

	public static ConfigurableApplicationContext jetty(String... args) {
		return start(WebApplicationType.SERVLET, JettyApp.class, args);
	}

	public static ConfigurableApplicationContext netty(String... args) {
		return start(WebApplicationType.REACTIVE, NettyApp.class, args);
	}

	public static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	private static ConfigurableApplicationContext start(WebApplicationType type, Class<?> app, String... args) {
		String[] all = new String[args.length + 3];
		all[0] = "--server.port=0";
		all[1] = "--server.address=127.0.0.1";
		all[2] = "--spring.main.banner-mode=off";
		System.arraycopy(args, 0, all, 3, args.length);
		return new SpringApplicationBuilder(app).web(type).run(all);
	}

	@RestController
	public static class Endpoints {

		private final Map<String, Integer> executions = new ConcurrentHashMap<>();

		/** Any method: counts each execution of request {@code id}, then answers after {@code sleep} ms. */
		@RequestMapping("/orders")
		String order(@RequestParam String id, @RequestParam(defaultValue = "0") long sleep) throws InterruptedException {
			this.executions.merge(id, 1, Integer::sum);
			if (sleep > 0) {
				Thread.sleep(sleep);
			}
			return "ok";
		}

		/**
		 * Any method, as {@code /orders} without holding a thread while it waits: on Reactor Netty the handler
		 * runs on the event loop, which serves every stream of an HTTP/2 connection and must not sleep.
		 */
		@RequestMapping("/orders-later")
		Mono<String> orderLater(@RequestParam String id, @RequestParam(defaultValue = "0") long sleep) {
			this.executions.merge(id, 1, Integer::sum);
			return Mono.delay(Duration.ofMillis(sleep)).thenReturn("ok");
		}

		/** How often each {@code /orders} and {@code /orders-later} request id was executed. */
		public Map<String, Integer> executions() {
			return this.executions;
		}

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

		@GetMapping("/close")
		ResponseEntity<String> close() {
			return ResponseEntity.ok().header("Connection", "close").body("bye");
		}

		@GetMapping("/own")
		ResponseEntity<String> own() {
			return ResponseEntity.ok().header("Keep-Alive", "timeout=99").body("mine");
		}

		@GetMapping("/boom")
		ResponseEntity<String> boom() {
			return ResponseEntity.internalServerError().body("boom");
		}

		@GetMapping("/slow")
		String slow() throws InterruptedException {
			Thread.sleep(1500);
			return "slow";
		}

	}

	/** Servlet-only ways of answering: asynchronously, and streamed with an early commit. */
	@RestController
	static class ServletEndpoints {

		@GetMapping("/async")
		Callable<String> async() {
			return () -> {
				Thread.sleep(50);
				return "async";
			};
		}

		@GetMapping("/stream")
		void stream(HttpServletResponse response) throws IOException {
			response.setContentType("text/plain");
			response.getWriter().write("part one;");
			response.flushBuffer(); // committed before the handler is done
			response.getWriter().write("part two");
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(IsolatedReactorResources.class)
	static class TomcatApp {

		@Bean
		Endpoints endpoints() {
			return new Endpoints();
		}

		@Bean
		ServletEndpoints servletEndpoints() {
			return new ServletEndpoints();
		}

		@Bean
		TomcatServletWebServerFactory tomcatServletWebServerFactory() {
			return new TomcatServletWebServerFactory();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(IsolatedReactorResources.class)
	static class JettyApp {

		@Bean
		Endpoints endpoints() {
			return new Endpoints();
		}

		@Bean
		JettyServletWebServerFactory jettyServletWebServerFactory() {
			return new JettyServletWebServerFactory();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(IsolatedReactorResources.class)
	static class NettyApp {

		@Bean
		Endpoints endpoints() {
			return new Endpoints();
		}

		@Bean
		NettyReactiveWebServerFactory nettyReactiveWebServerFactory(ReactorResourceFactory resources) {
			NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory();
			factory.setResourceFactory(resources);
			return factory;
		}

	}

}
