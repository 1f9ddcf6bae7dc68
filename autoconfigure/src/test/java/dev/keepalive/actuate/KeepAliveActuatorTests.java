package dev.keepalive.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

import dev.keepalive.testsupport.ClientContext;
import dev.keepalive.testsupport.ScriptedPeer;
import dev.keepalive.testsupport.ScriptedPeer.Action;
import dev.keepalive.testsupport.ScriptedPeer.Script;
import dev.keepalive.testsupport.ServerApps;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Boot web application with the starter and Actuator, watched from outside: what an operator sees after
 * a resend, with no code of their own.
 */
class KeepAliveActuatorTests {

	@Test
	void anOperatorSeesTheResendOnActuator() throws Exception {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET));
				ConfigurableApplicationContext app = ServerApps.tomcat("--server.tomcat.keep-alive-timeout=20s",
						"--management.endpoints.web.exposure.include=health,metrics,keepalive",
						"--management.endpoint.health.show-details=always")) {
			RestClient restClient = app.getBean(RestClient.Builder.class).build();
			restClient.get().uri(peer.url("/warm-up")).retrieve().toBodilessEntity();
			ClientContext.pause(50);
			assertThat(restClient.get().uri(peer.url("/")).retrieve().body(String.class)).isEqualTo("ok");
			String origin = "127.0.0.1:" + URI.create(peer.url("/")).getPort();
			String base = "http://127.0.0.1:" + ServerApps.port(app) + "/actuator";

			String health = get(base + "/health");
			assertThat(JsonPath.<String>read(health, "$.components.keepalive.status")).isEqualTo("UP");
			assertThat(JsonPath.<Integer>read(health, "$.components.keepalive.details.client.resetsLastFiveMinutes"))
				.isEqualTo(1);
			assertThat(JsonPath.<Integer>read(health, "$.components.keepalive.details.client.resendsLastFiveMinutes"))
				.isEqualTo(1);
			assertThat(JsonPath.<Integer>read(health, "$.components.keepalive.details.server.advertisedTimeoutSeconds"))
				.isEqualTo(20);
			// The reset 50 ms into an advertised 30 s is evidence: the cutoff drops to the floor until a probe.
			assertThat(JsonPath.<String>read(health, "$.components.keepalive.details.idleCutoffs['" + origin + "']"))
				.isEqualTo("1000 ms (learnt)");

			String retries = get(base + "/metrics/keepalive.client.retries");
			assertThat(JsonPath.<Double>read(retries, "$.measurements[0].value")).isEqualTo(1.0);
			assertThat(JsonPath.<List<Object>>read(retries, "$.availableTags[?(@.tag == 'outcome')].values[*]"))
				.containsExactly("success");
			String server = get(base + "/metrics/keepalive.server.advertised.timeout");
			assertThat(JsonPath.<Double>read(server, "$.measurements[0].value")).isEqualTo(20.0);

			String keepalive = get(base + "/keepalive");
			System.out.println("/actuator/keepalive after one resend: " + keepalive);
			List<Map<String, Object>> origins = JsonPath.read(keepalive, "$.origins[?(@.origin == '" + origin + "')]");
			assertThat(origins).hasSize(1);
			Map<String, Object> described = origins.get(0);
			assertThat(described).containsEntry("advertisedTimeoutSeconds", 30)
				.containsEntry("idleCutoffMillis", 1000)
				.containsEntry("idleCutoffSource", "learnt")
				.containsEntry("learntIdleCutoffMillis", 1000)
				.hasEntrySatisfying("safetyMarginMillis", (margin) -> assertThat((Integer) margin).isBetween(50, 999))
				.hasEntrySatisfying("safetyMargin", (why) -> assertThat((String) why).startsWith("50 ms floor + "))
				.containsKey("learntLowered")
				.hasEntrySatisfying("learnt", (why) -> assertThat((String) why).contains("advertised Keep-Alive: timeout=30"))
				.containsEntry("resets", 1)
				.containsEntry("resends", 1)
				.containsKey("lastReset");
			assertThat(JsonPath.<Integer>read(keepalive, "$.server.advertisedTimeoutSeconds")).isEqualTo(20);
		}
	}

	@Test
	void theEndpointIsOnlyReachableWhenExposed() throws Exception {
		try (ConfigurableApplicationContext app = ServerApps.tomcat()) {
			HttpResponse<String> response = send("http://127.0.0.1:" + ServerApps.port(app) + "/actuator/keepalive");
			assertThat(response.statusCode()).isEqualTo(404);
		}
	}

	@Test
	void bothSidesSwitchedOffLeaveNoHealthComponentAndNoEndpoint() throws Exception {
		try (ConfigurableApplicationContext app = ServerApps.tomcat("--keepalive.client.enabled=false",
				"--keepalive.server.enabled=false", "--management.endpoints.web.exposure.include=health,keepalive",
				"--management.endpoint.health.show-details=always")) {
			assertThat(app.getBeanNamesForType(KeepAliveHealthIndicator.class)).isEmpty();
			assertThat(app.getBeanNamesForType(KeepAliveEndpoint.class)).isEmpty();
			String base = "http://127.0.0.1:" + ServerApps.port(app) + "/actuator";
			assertThat(JsonPath.<Map<String, Object>>read(get(base + "/health"), "$.components")).doesNotContainKey("keepalive");
			assertThat(send(base + "/keepalive").statusCode()).isEqualTo(404);
		}
	}

	@Test
	void oneSideSwitchedOffKeepsTheOthersReport() throws Exception {
		try (ConfigurableApplicationContext app = ServerApps.tomcat("--keepalive.client.enabled=false",
				"--server.tomcat.keep-alive-timeout=20s", "--management.endpoints.web.exposure.include=keepalive")) {
			String keepalive = get("http://127.0.0.1:" + ServerApps.port(app) + "/actuator/keepalive");
			assertThat(JsonPath.<Integer>read(keepalive, "$.server.advertisedTimeoutSeconds")).isEqualTo(20);
		}
	}

	@Test
	void healthIsUpEvenAfterFailures() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start((request) -> Action.RESET)) {
			ClientContext.runner()
				.withConfiguration(AutoConfigurations.of(KeepAliveActuatorAutoConfiguration.class))
				.run((context) -> {
					RestClient restClient = context.getBean(RestClient.Builder.class).build();
					for (int i = 0; i < 3; i++) {
						try {
							restClient.get().uri(peer.url("/")).retrieve().toBodilessEntity();
						}
						catch (RuntimeException expected) {
							// Every request fails: the server is broken, not the application.
						}
					}
					Health health = context.getBean(KeepAliveHealthIndicator.class).health();
					assertThat(health.getStatus()).isEqualTo(Status.UP);
					assertThat(health.getDetails()).containsKey("client").doesNotContainKey("server");
				});
		}
	}

	@Test
	void withoutActuatorOnTheClasspathTheCuresStillWork() throws IOException {
		try (ScriptedPeer peer = ScriptedPeer.start(Script.failReused(Action.RESET))) {
			ClientContext.runner()
				.withConfiguration(AutoConfigurations.of(KeepAliveActuatorAutoConfiguration.class))
				.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
				.run((context) -> {
					assertThat(context).hasNotFailed()
						.doesNotHaveBean(KeepAliveEndpoint.class)
						.doesNotHaveBean(KeepAliveHealthIndicator.class);
					RestClient restClient = context.getBean(RestClient.Builder.class).build();
					restClient.get().uri(peer.url("/warm-up")).retrieve().toBodilessEntity();
					ClientContext.pause(50);
					assertThat(restClient.get().uri(peer.url("/")).retrieve().body(String.class)).isEqualTo("ok");
				});
		}
	}

	private static String get(String url) throws Exception {
		HttpResponse<String> response = send(url);
		assertThat(response.statusCode()).as(url).isEqualTo(200);
		return response.body();
	}

	private static HttpResponse<String> send(String url) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
	}

}
