package io.airlock.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.activity.ActivityProperties;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * What a security reviewer checks in the activity reader role's StackSet template
 * ({@code src/main/cloudformation/airlock-activity-reader-role.yaml}): it trusts Airlock's
 * principal only, only with the external id, and allows {@code cloudtrail:LookupEvents} and
 * nothing else; its default name is the one Airlock assumes.
 */
class ActivityReaderRoleTemplateTest {

  static final String LOCATION = "src/main/cloudformation/airlock-activity-reader-role.yaml";

  @Test
  void trustsAirlocksPrincipalWithTheExternalIdAndAllowsLookupEventsOnly() throws IOException {
    Map<String, Object> template = load();
    Map<String, Object> resources = map(template.get("Resources"));
    assertThat(resources).containsOnlyKeys("ActivityReaderRole");
    Map<String, Object> role = map(resources.get("ActivityReaderRole"));
    assertThat(role.get("Type")).isEqualTo("AWS::IAM::Role");
    Map<String, Object> properties = map(role.get("Properties"));

    List<Object> trust = list(map(properties.get("AssumeRolePolicyDocument")).get("Statement"));
    assertThat(trust).hasSize(1);
    Map<String, Object> assume = map(trust.get(0));
    assertThat(assume.get("Effect")).isEqualTo("Allow");
    assertThat(assume.get("Action")).isEqualTo("sts:AssumeRole");
    assertThat(map(assume.get("Principal")).get("AWS")).isEqualTo(Map.of("Ref", "TrustedPrincipalArn"));
    assertThat(map(map(assume.get("Condition")).get("StringEquals")).get("sts:ExternalId"))
        .isEqualTo(Map.of("Ref", "ExternalId"));

    List<Object> policies = list(properties.get("Policies"));
    assertThat(policies).hasSize(1);
    List<Object> statements = list(map(map(policies.get(0)).get("PolicyDocument")).get("Statement"));
    assertThat(statements).singleElement().satisfies(s -> {
      Map<String, Object> statement = map(s);
      assertThat(statement.get("Effect")).isEqualTo("Allow");
      assertThat(statement.get("Action")).isEqualTo(List.of("cloudtrail:LookupEvents"));
      assertThat(statement.get("Resource")).isEqualTo("*");
      assertThat(statement).doesNotContainKeys("NotAction", "NotResource");
    });
    assertThat(properties).doesNotContainKeys("ManagedPolicyArns", "PermissionsBoundary");

    Map<String, Object> parameters = map(template.get("Parameters"));
    assertThat(map(parameters.get("ExternalId")).get("NoEcho")).isEqualTo(true);
    assertThat((Integer) map(parameters.get("ExternalId")).get("MinLength")).isGreaterThanOrEqualTo(16);
    String principalPattern = (String) map(parameters.get("TrustedPrincipalArn")).get("AllowedPattern");
    assertThat("arn:aws:iam::222222222222:role/airlock-app").matches(principalPattern);
    assertThat("arn:aws:iam::222222222222:root").doesNotMatch(principalPattern);
    assertThat("*").doesNotMatch(principalPattern);

    // The default role name is the one Airlock assumes by default.
    String defaultName = (String) map(parameters.get("RoleName")).get("Default");
    ActivityProperties defaults = new ActivityProperties(true, "arn:aws:iam::{account}:role/AirlockActivityReader",
        "", List.of(), null, null, null, 2, null, 1);
    assertThat(defaults.roleArnFor("333333333333")).isEqualTo("arn:aws:iam::333333333333:role/" + defaultName);
  }

  private static Map<String, Object> load() throws IOException {
    try (Reader reader = Files.newBufferedReader(Path.of(LOCATION))) {
      return new Yaml(new IntegrationRoleTemplate.CloudFormationConstructor(new LoaderOptions())).load(reader);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object node) {
    return (List<Object>) node;
  }
}
