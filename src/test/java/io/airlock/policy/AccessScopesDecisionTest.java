package io.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per row of {@code dmn/access-scopes.dmn}, plus requests no row allows. */
class AccessScopesDecisionTest {

  private static final List<String> REQUESTER = List.of("airlock-requesters");
  private static final List<String> APPROVER = List.of("airlock-requesters", "airlock-approvers");

  private static DmnEngine dmnEngine;
  private static DmnDecision decision;

  @BeforeAll
  static void parseDecision() throws Exception {
    dmnEngine = DmnEngineConfiguration.createDefaultDmnEngineConfiguration().buildEngine();
    try (InputStream dmn = AccessScopesDecisionTest.class.getResourceAsStream("/dmn/access-scopes.dmn")) {
      decision = dmnEngine.parseDecision("access-scopes", dmn);
    }
  }

  @ParameterizedTest
  @CsvSource({
      "111111111111, ReadOnlyAccess",
      "222222222222, ViewOnlyAccess",
      "333333333333, ReadOnlyAccess",
      "444444444444, ReadOnlyAccess",
      "444444444444, ViewOnlyAccess"})
  void readOnlyAnywhere(String target, String permission) {
    assertScope(evaluate("AWS", target, permission, REQUESTER), "Read-only anywhere", 480L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"222222222222", "333333333333"})
  void powerUserOutsideProduction(String target) {
    assertScope(evaluate("AWS", target, "PowerUserAccess", REQUESTER), "Power user outside production", 240L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"222222222222", "333333333333"})
  void administratorOutsideProduction(String target) {
    assertScope(evaluate("AWS", target, "AdministratorAccess", REQUESTER), "Administrator outside production", 120L);
  }

  @Test
  void productionBreakGlassForApprovers() {
    assertScope(evaluate("AWS", "444444444444", "PowerUserAccess", APPROVER), "Production break-glass", 60L);
  }

  @Test
  void productionAdministratorNeedsTwoApprovals() {
    DmnDecisionTableResult result = evaluate("AWS", "444444444444", "AdministratorAccess", APPROVER);
    assertScope(result, "Production administrator", 60L, false, 2);
  }

  @ParameterizedTest
  @CsvSource({
      "111111111111, craft:S3_READ_ONLY",
      "444444444444, craft:S3_READ_ONLY",
      "222222222222, craft:SERVICES_READ_ONLY",
      "444444444444, craft:SERVICES_READ_ONLY"})
  void craftedReadOnlyAnywhere(String target, String permission) {
    assertScope(evaluate("AWS", target, permission, REQUESTER), "Crafted read-only", 480L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"111111111111", "222222222222", "333333333333"})
  void craftedCustomOutsideProduction(String target) {
    assertScope(evaluate("AWS", target, "craft:CUSTOM", REQUESTER), "Crafted custom policy outside production", 120L);
  }

  @Test
  void requesterGroupsAsAMutableJavaList() {
    // the process passes the deserialized JSON variable, an ArrayList
    List<String> groups = new ArrayList<>(List.of("developers", "airlock-requesters"));
    assertScope(evaluate("AWS", "222222222222", "PowerUserAccess", groups), "Power user outside production", 240L);
  }

  @ParameterizedTest(name = "{0} {1} {2} for {3} is out of scope")
  @CsvSource({
      "AWS,   111111111111, PowerUserAccess,     airlock-requesters",
      "AWS,   111111111111, AdministratorAccess, airlock-approvers",
      "AWS,   444444444444, PowerUserAccess,     airlock-requesters",
      "AWS,   444444444444, AdministratorAccess, airlock-requesters",
      "AWS,   222222222222, ReadOnlyAccess,      developers",
      "AWS,   222222222222, SecurityAudit,       airlock-requesters",
      "AWS,   444444444444, craft:CUSTOM,        airlock-approvers",
      "AWS,   222222222222, craft:S3_READ_ONLY,  developers",
      "GCP,   222222222222, ReadOnlyAccess,      airlock-requesters"})
  void noScopeMatches(String system, String target, String permission, String group) {
    DmnDecisionTableResult result = evaluate(system, target, permission, List.of(group));

    assertThat(result.isEmpty()).isTrue();
    assertThat(result.getSingleResult()).isNull();
  }

  @Test
  void noGroupsNoScope() {
    assertThat(evaluate("AWS", "222222222222", "ReadOnlyAccess", List.of()).isEmpty()).isTrue();
  }

  private static DmnDecisionTableResult evaluate(String system, String target, String permission,
      List<String> requesterGroups) {
    VariableMap variables = Variables.createVariables()
        .putValue("system", system)
        .putValue("target", target)
        .putValue("permission", permission)
        .putValue("requesterGroups", requesterGroups);
    return dmnEngine.evaluateDecisionTable(decision, variables);
  }

  private static void assertScope(DmnDecisionTableResult result, String scopeName, long maxDurationMinutes) {
    assertScope(result, scopeName, maxDurationMinutes, scopeName.equals("Read-only anywhere"), 1);
  }

  private static void assertScope(DmnDecisionTableResult result, String scopeName, long maxDurationMinutes,
      boolean mayRequestForOthers, int approvalsRequired) {
    assertThat(result).hasSize(1);
    assertThat(result.getSingleResult().getEntryMap())
        .containsEntry("scopeName", scopeName)
        .containsEntry("approverGroups", "airlock-approvers")
        .containsEntry("maxDurationMinutes", maxDurationMinutes)
        .containsEntry("mayRequestForOthers", mayRequestForOthers)
        .containsEntry("approvalsRequired", approvalsRequired)
        .containsEntry("escalationGroup", "camunda-admin")
        .containsEntry("breakGlassAllowed", scopeName.equals("Production break-glass"));
  }
}
