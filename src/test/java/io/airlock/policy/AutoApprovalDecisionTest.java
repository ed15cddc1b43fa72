package io.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One test per row of {@code dmn/auto-approval.dmn}; the last row always matches. */
class AutoApprovalDecisionTest {

  private static DmnEngine dmnEngine;
  private static DmnDecision decision;

  @BeforeAll
  static void parseDecision() throws Exception {
    dmnEngine = DmnEngineConfiguration.createDefaultDmnEngineConfiguration().buildEngine();
    try (InputStream dmn = AutoApprovalDecisionTest.class.getResourceAsStream("/dmn/auto-approval.dmn")) {
      decision = dmnEngine.parseDecision("auto-approval", dmn);
    }
  }

  @ParameterizedTest
  @CsvSource({
      "ReadOnlyAccess,      222222222222, 481, 480",
      "ReadOnlyAccess,      222222222222, 61,  60",
      "AdministratorAccess, 444444444444, 90,  60",
      "PowerUserAccess,     333333333333, 600, 240"})
  void durationOverTheScopeMaximumIsDenied(String permission, String target, long minutes, long max) {
    assertOutcome(evaluate(permission, target, minutes, max),
        "DENY", "Requested duration exceeds the scope's maximum");
  }

  @ParameterizedTest
  @CsvSource({
      "ReadOnlyAccess, 111111111111, 60",
      "ReadOnlyAccess, 222222222222, 1",
      "ViewOnlyAccess, 333333333333, 30"})
  void shortReadOnlyOutsideProductionIsApproved(String permission, String target, long minutes) {
    assertOutcome(evaluate(permission, target, minutes, 480),
        "APPROVE", "Read-only access outside production for at most an hour is approved automatically");
  }

  @ParameterizedTest
  @CsvSource({
      "ReadOnlyAccess,      444444444444, 30, 480",
      "ViewOnlyAccess,      444444444444, 60, 480",
      "AdministratorAccess, 444444444444, 60, 60",
      "PowerUserAccess,     444444444444, 15, 60"})
  void productionNeedsReview(String permission, String target, long minutes, long max) {
    assertOutcome(evaluate(permission, target, minutes, max),
        "MANUAL", "Production access needs an approver's review");
  }

  @ParameterizedTest
  @CsvSource({
      "ReadOnlyAccess,      222222222222, 61,  480",
      "ReadOnlyAccess,      111111111111, 480, 480",
      "PowerUserAccess,     222222222222, 30,  240",
      "AdministratorAccess, 333333333333, 120, 120",
      "craft:S3_READ_ONLY,  222222222222, 30,  480",
      "craft:CUSTOM,        333333333333, 15,  120"})
  void everythingElseNeedsReview(String permission, String target, long minutes, long max) {
    assertOutcome(evaluate(permission, target, minutes, max), "MANUAL", "Needs an approver's review");
  }

  private static DmnDecisionTableResult evaluate(String permission, String target, long durationMinutes,
      long maxDurationMinutes) {
    VariableMap variables = Variables.createVariables()
        .putValue("permission", permission)
        .putValue("target", target)
        .putValue("durationMinutes", durationMinutes)
        .putValue("maxDurationMinutes", maxDurationMinutes);
    return dmnEngine.evaluateDecisionTable(decision, variables);
  }

  private static void assertOutcome(DmnDecisionTableResult result, String outcome, String reason) {
    assertThat(result).hasSize(1);
    assertThat(result.getSingleResult().getEntryMap())
        .containsEntry("approvalOutcome", outcome)
        .containsEntry("approvalReason", reason);
  }
}
