package io.airlock.policy;

import io.airlock.process.policy.DecisionAuditPlugin;
import static io.airlock.policy.PolicyFixture.req;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.sandbox.DemoOrganization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per row of {@code dmn/access-scopes.dmn}, evaluated with the DMN engine alone on the
 * variables Airlock builds ({@link PolicyInputs}), plus requests no row allows. Targets are the
 * sandbox's demo accounts, matched by OU path and tags, never by id.
 */
class AccessScopesDecisionTest {

  private static final String MANAGEMENT = DemoOrganization.MANAGEMENT_ACCOUNT_ID;
  private static final String SANDBOX = DemoOrganization.SANDBOX_ACCOUNT_ID;
  private static final String STAGING = DemoOrganization.STAGING_ACCOUNT_ID;
  private static final String PRODUCTION = DemoOrganization.PRODUCTION_ACCOUNT_ID;
  private static final String[] APPROVER = {"airlock-requesters", "airlock-approvers"};

  private static DmnDecision decision;

  @BeforeAll
  static void parseDecision() {
    decision = PolicyFixture.parse("/dmn/access-scopes.dmn", "access-scopes");
  }

  @Test
  void hitPolicyIsFirstAndEveryRuleIsAnnotated() {
    var table = (org.camunda.bpm.dmn.engine.impl.DmnDecisionTableImpl) decision.getDecisionLogic();
    assertThat(table.getHitPolicyHandler().getHitPolicyEntry().getHitPolicy().name()).isEqualTo("FIRST");
    assertThat(DecisionAuditPlugin.ruleIds(decision)).hasSize(7).allMatch(id -> id.startsWith("Rule_"));
  }

  @ParameterizedTest
  @CsvSource({
      "111111111111, ReadOnlyAccess",
      "222222222222, ViewOnlyAccess",
      "333333333333, ReadOnlyAccess",
      "444444444444, ReadOnlyAccess",
      "444444444444, ViewOnlyAccess"})
  void rule1ReadOnlyAnywhere(String target, String permission) {
    assertScope(req().target(target).permission(permission).evaluate(decision), "Rule_ReadOnlyAnywhere",
        "Read-only anywhere", 480L);
  }

  @Test
  void rule1ReadOnlyAnywhereMayBeAskedForSomeoneElse() {
    DmnDecisionTableResult r = req().forOthers("erin", "airlock-requesters").evaluate(decision);
    assertThat(r.getSingleResult().getEntryMap()).containsEntry("mayRequestForOthers", true);
  }

  @ParameterizedTest
  @ValueSource(strings = {SANDBOX, STAGING})
  void rule2PowerUserUnderOuWorkloadsNonProd(String target) {
    assertScope(req().target(target).permission("PowerUserAccess").evaluate(decision),
        "Rule_PowerUserOutsideProduction", "Power user outside production", 240L);
  }

  @Test
  void rule2PowerUserIsOnlyForYourself() {
    DmnDecisionTableResult r = req().permission("PowerUserAccess").forOthers("erin", "airlock-requesters")
        .evaluate(decision);
    assertThat(r.getSingleResult().getEntryMap()).containsEntry("mayRequestForOthers", false);
  }

  @Test
  void rule2MatchesAnyAccountInTheOuNotAListOfIds() {
    PolicyInputs.Target newAccount = new PolicyInputs.Target("555555555555", "data-platform-dev",
        "Workloads/NonProd/Data", Map.of());
    assertScope(req().target(newAccount).permission("PowerUserAccess").evaluate(decision),
        "Rule_PowerUserOutsideProduction", "Power user outside production", 240L);
  }

  @ParameterizedTest
  @ValueSource(strings = {SANDBOX, STAGING})
  void rule3AdministratorUnderOuWorkloadsNonProd(String target) {
    assertScope(req().target(target).permission("AdministratorAccess").evaluate(decision),
        "Rule_AdministratorOutsideProduction", "Administrator outside production", 120L);
  }

  @Test
  void rule4ProductionAdministratorForApproversWithTwoApprovals() {
    DmnDecisionTableResult r = req().target(PRODUCTION).permission("AdministratorAccess").requesterGroups(APPROVER)
        .evaluate(decision);
    assertScope(r, "Rule_ProductionAdministrator", "Production administrator", 60L);
    assertThat(r.getSingleResult().getEntryMap()).containsEntry("approvalsRequired", 2);
  }

  @Test
  void rule4MatchesAnyAccountTaggedEnvironmentProduction() {
    PolicyInputs.Target tagged = new PolicyInputs.Target("666666666666", "payments-prod", "Payments",
        Map.of("environment", "production"));
    assertScope(req().target(tagged).permission("AdministratorAccess").requesterGroups(APPROVER).evaluate(decision),
        "Rule_ProductionAdministrator", "Production administrator", 60L);
  }

  @Test
  void rule5ProductionBreakGlassForApprovers() {
    DmnDecisionTableResult r = req().target(PRODUCTION).permission("PowerUserAccess").requesterGroups(APPROVER)
        .evaluate(decision);
    assertScope(r, "Rule_ProductionBreakGlass", "Production break-glass", 60L);
    assertThat(r.getSingleResult().getEntryMap()).containsEntry("breakGlassAllowed", true);
  }

  @ParameterizedTest
  @CsvSource({
      "111111111111, craft:S3_READ_ONLY",
      "444444444444, craft:S3_READ_ONLY",
      "222222222222, craft:SERVICES_READ_ONLY",
      "444444444444, craft:SERVICES_READ_ONLY"})
  void rule6CraftedReadOnlyAnywhere(String target, String permission) {
    assertScope(req().target(target).permission(permission).evaluate(decision), "Rule_CraftedReadOnly",
        "Crafted read-only", 480L);
  }

  @ParameterizedTest
  @ValueSource(strings = {SANDBOX, STAGING})
  void rule7CraftedCustomUnderOuWorkloadsNonProd(String target) {
    assertScope(req().target(target).permission("craft:CUSTOM").evaluate(decision), "Rule_CraftedCustom",
        "Crafted custom policy outside production", 120L);
  }

  @Test
  void anExistingPermissionSetNamedLikeACraftTemplateIsNoCraft() {
    var r = req().permission("craft:S3_READ_ONLY");
    r.crafted = false; // kind EXISTING
    assertThat(r.evaluate(decision).isEmpty()).isTrue();
  }

  @Test
  void requesterGroupsAsAMutableJavaList() {
    var r = req().permission("PowerUserAccess");
    r.requesterGroups = new ArrayList<>(List.of("developers", "airlock-requesters"));
    assertScope(r.evaluate(decision), "Rule_PowerUserOutsideProduction", "Power user outside production", 240L);
  }

  @Test
  void renamedGroupsInConfigurationKeepPolicyWorking() {
    Map<String, String> renamed = PolicyFixture.groups("aws-requesters", "aws-approvers", "security-oncall");
    DmnDecisionTableResult r = req().groups(renamed).requesterGroups("aws-requesters").permission("PowerUserAccess")
        .evaluate(decision);
    assertThat(r.getSingleResult().getEntryMap())
        .containsEntry("scopeName", "Power user outside production")
        .containsEntry("approverGroups", "aws-approvers")
        .containsEntry("escalationGroup", "security-oncall");
    // the old name no longer opens anything
    assertThat(req().groups(renamed).requesterGroups("airlock-requesters").evaluate(decision).isEmpty()).isTrue();
    assertThat(req().groups(renamed).target(PRODUCTION).permission("AdministratorAccess")
        .requesterGroups("aws-requesters", "aws-approvers").evaluate(decision).getSingleResult().getEntryMap())
        .containsEntry("scopeName", "Production administrator");
  }

  @ParameterizedTest(name = "{0} {1} {2} for {3} is out of scope")
  @CsvSource({
      "AWS, 111111111111, PowerUserAccess,     airlock-requesters",
      "AWS, 111111111111, AdministratorAccess, airlock-approvers",
      "AWS, 111111111111, craft:CUSTOM,        airlock-requesters",
      "AWS, 444444444444, PowerUserAccess,     airlock-requesters",
      "AWS, 444444444444, AdministratorAccess, airlock-requesters",
      "AWS, 222222222222, ReadOnlyAccess,      developers",
      "AWS, 222222222222, SecurityAudit,       airlock-requesters",
      "AWS, 444444444444, craft:CUSTOM,        airlock-approvers",
      "AWS, 222222222222, craft:S3_READ_ONLY,  developers",
      "GCP, 222222222222, ReadOnlyAccess,      airlock-requesters",
      "AWS, 999999999999, PowerUserAccess,     airlock-requesters",
      "AWS, 999999999999, AdministratorAccess, airlock-approvers"})
  void noScopeMatches(String system, String target, String permission, String group) {
    DmnDecisionTableResult result = req().system(system).target(target).permission(permission).requesterGroups(group)
        .evaluate(decision);
    assertThat(result.isEmpty()).isTrue();
  }

  @Test
  void noGroupsNoScope() {
    assertThat(req().requesterGroups().evaluate(decision).isEmpty()).isTrue();
  }

  private static void assertScope(DmnDecisionTableResult result, String ruleId, String scopeName,
      long maxDurationMinutes) {
    assertThat(result).hasSize(1);
    assertThat(result.getSingleResult().getEntryMap())
        .containsEntry("scopeName", scopeName)
        .containsEntry("approverGroups", "airlock-approvers")
        .containsEntry("maxDurationMinutes", maxDurationMinutes)
        .containsEntry("escalationGroup", "airlock-security");
    assertThat(PolicyFixture.matchedRuleIds()).first().isEqualTo(ruleId);
  }
}
