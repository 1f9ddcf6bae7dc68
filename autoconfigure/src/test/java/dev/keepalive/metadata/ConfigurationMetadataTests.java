package dev.keepalive.metadata;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration processor's output, as an IDE reads it: every property with a description, and the
 * defaults the processor cannot infer. And {@code docs/configuration.md} lists exactly those properties, with
 * the same defaults.
 */
class ConfigurationMetadataTests {

	/** A row of the reference table: {@code | `keepalive.…` | `default` or — | what |}. */
	private static final Pattern ROW = Pattern.compile("^\\| `(keepalive\\.[a-z0-9.-]+)` \\| (?:`([^`]*)`|—) \\|",
			Pattern.MULTILINE);

	private final String metadata = DocumentationTests.read(Path.of("target/classes/META-INF/spring-configuration-metadata.json"));

	private final Map<String, String> documented = documented(DocumentationTests.read(Path.of("../docs/configuration.md")));

	@Test
	void describesEveryProperty() {
		assertThat(properties()).isNotEmpty().allSatisfy((property) -> assertThat((String) property.get("description"))
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
	void theConfigurationDocumentListsExactlyTheGeneratedProperties() {
		assertThat(this.documented.keySet()).containsExactlyInAnyOrderElementsOf(
				properties().stream().map((property) -> (String) property.get("name")).toList());
	}

	@Test
	void theConfigurationDocumentGivesTheGeneratedDefaults() {
		for (Map<String, Object> property : properties()) {
			String name = (String) property.get("name");
			assertThat(this.documented.get(name)).as("default of %s in docs/configuration.md", name)
				.isEqualTo(render(property.get("defaultValue")));
		}
	}

	private List<Map<String, Object>> properties() {
		return JsonPath.read(this.metadata, "$.properties[?(@.name =~ /keepalive\\..*/)]");
	}

	private Object defaultOf(String name) {
		List<Object> defaults = JsonPath.read(this.metadata, "$.properties[?(@.name == '" + name + "')].defaultValue");
		assertThat(defaults).as(name).hasSize(1);
		return defaults.get(0);
	}

	/** As the document writes a default: a list comma-separated, none as {@code null}. */
	private static String render(Object value) {
		if (value instanceof List<?> list) {
			return list.stream().map(String::valueOf).collect(Collectors.joining(","));
		}
		return (value != null) ? String.valueOf(value) : null;
	}

	private static Map<String, String> documented(String document) {
		Map<String, String> defaults = new LinkedHashMap<>();
		Matcher row = ROW.matcher(document);
		while (row.find()) {
			assertThat(defaults).as("properties listed before %s", row.group(1)).doesNotContainKey(row.group(1));
			defaults.put(row.group(1), row.group(2));
		}
		return defaults;
	}

}
