package io.github.wshub.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that {@code docs/configuration.md} documents every property of the generated
 * configuration metadata, each as its backticked name (for example {@code `hub.path`}).
 * <p>
 * Runs from the module directory, as Maven Surefire does: the metadata is the one the
 * annotation processor wrote to {@code target/classes} when the module was compiled.
 *
 * @author wshub
 */
class ConfigurationDocumentationTests {

	private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");

	private static final Path DOCUMENTATION = Path.of("../docs/configuration.md");

	@Test
	void everyPropertyIsDocumented() throws IOException {
		assertThat(METADATA).as("configuration metadata (compile the module first)").isRegularFile();
		assertThat(DOCUMENTATION).isRegularFile();
		JsonNode properties = JsonMapper.builder().build().readTree(METADATA.toFile()).get("properties");
		assertThat(properties).as("properties of %s", METADATA).isNotNull().isNotEmpty();
		String documentation = Files.readString(DOCUMENTATION, StandardCharsets.UTF_8);
		List<String> missing = new ArrayList<>();
		for (JsonNode property : properties) {
			String name = property.get("name").asString();
			if (!documentation.contains("`" + name + "`")) {
				missing.add(name);
			}
		}
		assertThat(missing).as("properties not documented in %s", DOCUMENTATION).isEmpty();
	}

}
