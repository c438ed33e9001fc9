package dev.crossgate.configfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/crossgate-config.schema.json} is what {@link ConfigSchema} generates from the specs
 * and validators. To regenerate it: {@code ./mvnw -B -o -q test -pl crossgate-core
 * -Dtest=ConfigSchemaTest -Dcrossgate.writeSchema=true}.
 */
class ConfigSchemaTest {
  private static final Path COMMITTED = Path.of("..", "docs", "crossgate-config.schema.json");

  @Test
  void theCommittedSchemaIsTheGeneratedOne() throws Exception {
    var generated =
        new String(ConfigFileWriter.json(ConfigSchema.document()), StandardCharsets.UTF_8);
    if (Boolean.getBoolean("crossgate.writeSchema")) {
      Files.writeString(COMMITTED, generated);
    }

    assertThat(Files.readString(COMMITTED))
        .as(
            "docs/crossgate-config.schema.json is out of date: regenerate it with -Dtest=ConfigSchemaTest"
                + " -Dcrossgate.writeSchema=true and commit it")
        .isEqualTo(generated);
  }

  @Test
  void theSchemaCarriesTheValidatorsRules() {
    var schema = ConfigSchema.document();
    var route = schema.path("$defs").path("routes");

    assertThat(route.path("required").toString())
        .isEqualTo("[\"service\",\"sourcePath\",\"targetUrl\"]");
    assertThat(route.path("properties").has("id")).isFalse();
    assertThat(route.path("properties").path("methods").path("items").path("enum").toString())
        .contains("PATCH", "GET");
    assertThat(route.path("properties").path("version").path("pattern").asText())
        .isEqualTo("^(?:" + dev.crossgate.route.RouteValidator.VERSION.pattern() + ")$");
    assertThat(schema.path("$defs").path("extensions").path("required").toString())
        .contains("tenant", "id");
    assertThat(schema.path("properties").path("apiVersion").path("const").asText())
        .isEqualTo("crossgate/v1");
  }
}
