package dev.keepalive.samples.race;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The keep-alive race, without and then with the starter. A server that advertises and enforces a one
 * second idle timeout, 20 ms of one-way network delay, and the three Spring clients built from Boot's
 * builders (no code of ours) sending GETs after idle gaps around that second.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class RaceDemoApplication {

	/**
	 * Idle gaps before each measured request. Those between 1000 and 1020 ms fall in the window in which the
	 * server has closed the connection but its FIN has not yet reached the client.
	 */
	private static final int[] GAPS_MILLIS = { 900, 1002, 1005, 1008, 1011, 1100 };

	private static final int LATENCY_MILLIS = 20;

	public static void main(String[] args) throws Exception {
		System.out.printf("%nA server that closes idle keep-alive connections after %d ms, %d ms away.%n",
				SlowLinkServer.IDLE_TIMEOUT_MILLIS, LATENCY_MILLIS);
		Map<String, int[]> plain = round("Spring Boot alone (keepalive.client.enabled=false)", false);
		Map<String, int[]> starter = round("Spring Boot with keepalive-spring-boot-starter", true);
		System.out.printf("%n%-14s %-24s %-24s%n", "client", "failed without starter", "failed with starter");
		plain.forEach((client, result) -> System.out.printf("%-14s %-24s %-24s%n", client,
				result[0] + " of " + result[1], starter.get(client)[0] + " of " + starter.get(client)[1]));
		int before = plain.values().stream().mapToInt((r) -> r[0]).sum();
		int after = starter.values().stream().mapToInt((r) -> r[0]).sum();
		System.out.printf("%nConnection resets: %d without the starter, %d with it.%n%n", before, after);
	}

	private static Map<String, int[]> round(String title, boolean starter) throws Exception {
		System.out.printf("%n== %s%n", title);
		Map<String, int[]> results = new LinkedHashMap<>();
		try (SlowLinkServer server = new SlowLinkServer(LATENCY_MILLIS);
				ConfigurableApplicationContext context = new SpringApplicationBuilder(RaceDemoApplication.class)
					.web(WebApplicationType.NONE)
					.logStartupInfo(false)
					.run("--spring.main.banner-mode=off", "--logging.level.root=WARN", "--logging.level.reactor.netty=ERROR",
							"--keepalive.client.enabled=" + starter)) {
			for (Map.Entry<String, Function<String, String>> client : clients(context).entrySet()) {
				int failures = 0;
				for (int gap : GAPS_MILLIS) {
					client.getValue().apply(server.url()); // a connection that has just been used
					Thread.sleep(gap);
					try {
						client.getValue().apply(server.url());
						System.out.printf("  %-12s GET after %4d ms idle: 200 OK%n", client.getKey(), gap);
					}
					catch (RuntimeException ex) {
						failures++;
						System.out.printf("  %-12s GET after %4d ms idle: FAILED  %s%n", client.getKey(), gap,
								rootMessage(ex));
					}
				}
				results.put(client.getKey(), new int[] { failures, GAPS_MILLIS.length });
			}
			System.out.printf("  the server saw %d connections%n", server.connections());
		}
		return results;
	}

	private static Map<String, Function<String, String>> clients(ConfigurableApplicationContext context) {
		RestTemplate restTemplate = context.getBean(RestTemplateBuilder.class).build();
		RestClient restClient = context.getBean(RestClient.Builder.class).build();
		WebClient webClient = context.getBean(WebClient.Builder.class).build();
		Map<String, Function<String, String>> clients = new LinkedHashMap<>();
		clients.put("RestTemplate", (url) -> restTemplate.getForObject(url, String.class));
		clients.put("RestClient", (url) -> restClient.get().uri(url).retrieve().body(String.class));
		clients.put("WebClient",
				(url) -> webClient.get().uri(url).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10)));
		return clients;
	}

	private static String rootMessage(Throwable ex) {
		List<Throwable> chain = new ArrayList<>();
		for (Throwable t = ex; t != null && !chain.contains(t); t = t.getCause()) {
			chain.add(t);
		}
		Throwable root = chain.get(chain.size() - 1);
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

}
