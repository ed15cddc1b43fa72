package io.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start form as one user gets it: their accounts, permissions and durations, nobody else's. */
class StartFormChoicesTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static PolicyCatalog.Permission permission(String name, long maxMinutes, int approvals) {
    return new PolicyCatalog.Permission(name, name.startsWith("craft:") ? "CRAFTED" : "EXISTING", "scope of " + name,
        Duration.ofMinutes(maxMinutes).toString(), maxMinutes, List.of("airlock-approvers"), approvals, false, false);
  }

  static JsonNode field(JsonNode form, String key) {
    for (JsonNode c : form.get("components")) {
      if (key.equals(c.path("key").asText()) || key.equals(c.path("id").asText())) {
        return c;
      }
    }
    throw new AssertionError("no " + key);
  }

  @Test
  void writesTheUsersChoicesIntoTheFormAndEscapesNames() throws Exception {
    JsonNode deployed = JSON.readTree(Files.readString(Path.of("forms/request-aws-access.form")));
    PolicyCatalog.Catalog catalog = new PolicyCatalog.Catalog("alice", "alice", "access-scopes", 1, List.of(
        new PolicyCatalog.Target("333333333333", "staging \"blue\" \\ green", "Workloads/NonProd", Map.of(),
            List.of(permission("PowerUserAccess", 240, 1), permission("AdministratorAccess", 90, 2),
                permission("craft:S3_READ_ONLY", 60, 1)))));

    JsonNode form = StartFormChoices.personalize(deployed, catalog, Duration.ofMinutes(15));

    assertThat(field(form, "target").get("values").get(0).get("label").asText())
        .isEqualTo("staging \"blue\" \\ green (333333333333)");
    assertThat(field(form, "principal").get("defaultValue").asText()).isEqualTo("alice");
    String permissions = field(form, "permission").get("valuesExpression").asText();
    assertThat(permissions).startsWith("=[").endsWith("][a = target]")
        .contains("\"AdministratorAccess · up to 1 h 30 min · 2 approvals from airlock-approvers\"")
        .doesNotContain("craft:");
    String durations = field(form, "duration").get("valuesExpression").asText();
    // Sensible choices plus each scope's own maximum (1 h 30 min), none shorter than the minimum.
    assertThat(durations).contains("{label: \"15 min\", value: \"PT15M\", m: 15}",
        "{label: \"1 h 30 min\", value: \"PT1H30M\", m: 90}", "p: \"craft:S3_READ_ONLY\", x: 60")
        .contains("staging \\\"blue\\\" \\\\ green");
    assertThat(field(form, "Text_DurationLimit").get("text").asText()).startsWith("=if ");
    // The deployed form is left as it was.
    assertThat(field(deployed, "target").get("values")).isEmpty();
  }

  @Test
  void leavesOtherFormsAlone() throws Exception {
    JsonNode review = JSON.readTree(Files.readString(Path.of("forms/review-access-request.form")));
    assertThat(StartFormChoices.personalize(review, new PolicyCatalog.Catalog("bob", "bob", "d", 1, List.of()),
        Duration.ofMinutes(15))).isSameAs(review);
  }

  @Test
  void feelStringsCannotBeBrokenOutOf() {
    assertThat(StartFormChoices.feel("a\"b\\c\nd")).isEqualTo("\"a\\\"b\\\\c d\"");
  }
}
