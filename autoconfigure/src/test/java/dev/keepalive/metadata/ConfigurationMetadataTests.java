package dev.keepalive.metadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration processor's output, as an IDE reads it: every property, each with a description, and the
 * defaults the processor cannot infer. And the README documents every one.
 */
class ConfigurationMetadataTests {

	private static final List<String> PROPERTIES = List.of("keepalive.client.enabled",
			"keepalive.client.default-idle-timeout", "keepalive.client.safety-margin", "keepalive.client.max-idle-timeout",
			"keepalive.client.max-life-time", "keepalive.client.eviction-interval", "keepalive.client.max-connections",
			"keepalive.client.pending-acquire-timeout", "keepalive.client.pending-acquire-max-count", "keepalive.client.hosts", "keepalive.client.retry.enabled",
			"keepalive.client.retry.max-attempts", "keepalive.client.retry.methods",
			"keepalive.client.retry.idempotency-key-headers", "keepalive.client.retry.backoff",
			"keepalive.client.learn.enabled", "keepalive.client.learn.min-idle-timeout", "keepalive.server.enabled",
			"keepalive.server.timeout", "keepalive.server.advertise-max", "keepalive.server.close-on-shutdown",
			"keepalive.metrics.max-origin-tags");

	private final String metadata = read(Path.of("target/classes/META-INF/spring-configuration-metadata.json"));

	@Test
	void describesEveryProperty() {
		List<Map<String, Object>> described = JsonPath.read(this.metadata, "$.properties[?(@.name =~ /keepalive\\..*/)]");
		assertThat(described).extracting((property) -> property.get("name"))
			.containsExactlyInAnyOrderElementsOf(PROPERTIES);
		assertThat(described).allSatisfy((property) -> assertThat((String) property.get("description"))
			.as("description of %s", property.get("name"))
			.isNotBlank());
	}

	@Test
	void givesTheDefaultsTheProcessorCannotSee() {
		assertThat(defaultOf("keepalive.client.retry.methods")).isEqualTo(
				List.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"));
		assertThat(defaultOf("keepalive.client.retry.idempotency-key-headers"))
			.isEqualTo(List.of("Idempotency-Key", "X-Idempotency-Key"));
		assertThat(defaultOf("keepalive.client.retry.backoff")).isEqualTo("0ms");
		assertThat(defaultOf("keepalive.client.default-idle-timeout")).isEqualTo("4s");
		assertThat(defaultOf("keepalive.metrics.max-origin-tags")).isEqualTo(50);
	}

	@Test
	void theReadmeDocumentsEveryProperty() {
		String readme = read(Path.of("../README.md"));
		for (String property : PROPERTIES) {
			String leaf = property.substring(property.lastIndexOf('.') + 1);
			assertThat(readme).as(property).contains(leaf + ":");
		}
	}

	private Object defaultOf(String name) {
		List<Object> defaults = JsonPath.read(this.metadata, "$.properties[?(@.name == '" + name + "')].defaultValue");
		assertThat(defaults).as(name).hasSize(1);
		return defaults.get(0);
	}

	private static String read(Path path) {
		try {
			return Files.readString(path);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
