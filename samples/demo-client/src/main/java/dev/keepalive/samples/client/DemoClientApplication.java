package dev.keepalive.samples.client;

import java.time.Duration;
import java.util.LinkedHashMap;
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
 * A client application as users write it: RestTemplate, RestClient and WebClient built from Boot's
 * auto-configured builders, no code of the starter's. Whether the starter acts is one property.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class DemoClientApplication {

	/**
	 * Start the client application.
	 * @param starter whether the starter acts ({@code keepalive.client.enabled})
	 * @param properties more properties, {@code --name=value}
	 * @return the running application
	 */
	static ConfigurableApplicationContext start(boolean starter, String... properties) {
		String[] args = new String[properties.length + 4];
		args[0] = "--spring.main.banner-mode=off";
		args[1] = "--logging.level.root=WARN";
		args[2] = "--logging.level.reactor.netty=OFF";
		args[3] = "--keepalive.client.enabled=" + starter;
		System.arraycopy(properties, 0, args, 4, properties.length);
		return new SpringApplicationBuilder(DemoClientApplication.class).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run(args);
	}

	/** The three clients, each a function from URL to body that throws what the client throws. */
	static Map<String, Function<String, String>> clients(ConfigurableApplicationContext context) {
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

}
