package io.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.inventory.Inventory;
import io.airlock.process.ModelRules;
import io.airlock.proposal.ProposedFile;
import io.airlock.proposal.StarterPolicy;
import io.airlock.sandbox.DemoOrganization;
import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.junit.jupiter.api.Test;

/**
 * The starter policy Airlock drafts from a scan (issue 25), evaluated with the DMN engine alone
 * as Airlock evaluates the tables in force: an organization that is nothing like the demo's (its
 * own OU names, an {@code env} tag valued {@code prd}, its own permission sets) gets sensible
 * outcomes, and the tables keep the model rules a deploy is held to.
 */
class StarterPolicyDecisionTest {

  static final Inventory.Account WEB = new Inventory.Account("111111111111", "web-live", "w@x", "ACTIVE",
      "Teams/Web", Map.of("env", "prd", "owner", "web"));
  static final Inventory.Account DATA = new Inventory.Account("222222222222", "data-dev", "d@x", "ACTIVE",
      "Teams/Data", Map.of("env", "dev"));
  static final Inventory.Account PAYMENTS = new Inventory.Account("333333333333", "payments", "p@x", "ACTIVE",
      "Regulated/Production/Payments", Map.of());
  static final Inventory.Account SHARED = new Inventory.Account("444444444444", "shared-services", "s@x", "ACTIVE",
      "", Map.of("owner", "platform"));
  static final List<Inventory.PermissionSet> SETS = List.of(
      set("AllTheThings", null, "arn:aws:iam::aws:policy/AdministratorAccess"),
      set("Auditor", null, "arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
      set("Developer", null, "arn:aws:iam::aws:policy/PowerUserAccess"),
      set("Operator", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
          + "\"Resource\":\"*\"}]}"),
      set("Viewer", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}",
          "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
      new Inventory.PermissionSet("arn:aws:sso:::permissionSet/ssoins-1/ps-crafted", "Airlock-r1", null, null, null,
          List.of(), "r1"));

  final StarterPolicy starter = StarterPolicy.from(List.of(WEB, DATA, PAYMENTS, SHARED), SETS);
  final DmnDecision scopes = parse("access-scopes");
  final DmnDecision autoApproval = parse("auto-approval");

  @Test
  void accountsArePlacedByOusAndTagsNamedLikeEnvironmentsAndTheRestOnlyGetReadOnly() {
    StarterPolicy.Placement p = starter.placement();
    assertThat(p.production()).containsExactly("web-live (111111111111)", "payments (333333333333)");
    assertThat(p.productionOus()).containsExactly("Regulated/Production");
    assertThat(p.productionTags()).isEqualTo(Map.of("env", java.util.Set.of("prd")));
    assertThat(p.nonProduction()).containsExactly("data-dev (222222222222)");
    assertThat(p.notPlaced()).containsExactly("shared-services (444444444444)");
    assertThat(starter.permissionSets()).isEqualTo(Map.of(
        StarterPolicy.ADMINISTRATOR, List.of("AllTheThings", "Operator"),
        StarterPolicy.READ_ONLY, List.of("Auditor"),
        StarterPolicy.OTHER, List.of("Developer", "Viewer")));
    assertThat(starter.summary()).containsExactly(
        "2 accounts look like production, by OU Regulated/Production, tag env=prd (a review always; "
            + "administrator-like sets need two approvers): web-live (111111111111), payments (333333333333).",
        "1 account is outside production, by tag env=dev: data-dev (222222222222).",
        "1 account is not placed (neither an OU nor an environment tag says; only read-only may be asked there): "
            + "shared-services (444444444444).",
        "2 permission sets are administrator-like (two approvers everywhere): AllTheThings, Operator.",
        "1 permission set is read-only (approved at once outside production for up to 1 h; 8 h at most): Auditor.",
        "2 permission sets are other (one approver; 4 h outside production, 1 h in production): Developer, Viewer.");
  }

  @Test
  void scopesGiveWhatTheOrganizationSuggests() {
    assertScope(req(DATA, "Developer", "PT1H"), "Outside production", 240, 1);
    assertScope(req(WEB, "Developer", "PT1H"), "Production", 60, 1);
    assertScope(req(PAYMENTS, "AllTheThings", "PT1H"), "Production administrator", 60, 2);
    assertScope(req(DATA, "Operator", "PT1H"), "Administrator outside production", 120, 2);
    assertScope(req(SHARED, "Auditor", "PT1H"), "Read-only anywhere", 480, 1);
    assertScope(req(WEB, "craft:S3_READ_ONLY", "PT1H"), "Read-only anywhere", 480, 1);
    assertScope(req(DATA, "craft:CUSTOM", "PT1H"), "Crafted custom policy outside production", 120, 1);
    // Not placed, or production: nothing but read-only; crafted custom policies only outside production.
    assertThat(req(SHARED, "Developer", "PT1H").evaluate(scopes)).isEmpty();
    assertThat(req(SHARED, "AllTheThings", "PT1H").evaluate(scopes)).isEmpty();
    assertThat(req(WEB, "craft:CUSTOM", "PT1H").evaluate(scopes)).isEmpty();
    // Only requesters ask.
    assertThat(req(DATA, "Auditor", "PT1H").requesterGroups("airlock-auditors").evaluate(scopes)).isEmpty();
  }

  @Test
  void readOnlyOutsideProductionForAnHourIsApprovedAtOnceProductionAndAdministratorsAreReviewed() {
    assertOutcome(req(DATA, "Auditor", "PT1H").scope("Read-only anywhere", 480), "APPROVE",
        "Approved automatically: read-only access outside production for at most 1 h (1 h asked).");
    assertOutcome(req(DATA, "Auditor", "PT1H1S").scope("Read-only anywhere", 480), "MANUAL",
        "Needs an approver's review (scope 'Read-only anywhere').");
    assertOutcome(req(WEB, "Auditor", "PT30M").scope("Read-only anywhere", 480), "MANUAL",
        "Production access needs an approver's review.");
    assertOutcome(req(SHARED, "Auditor", "PT30M").scope("Read-only anywhere", 480), "MANUAL",
        "Needs an approver's review (scope 'Read-only anywhere').");
    assertOutcome(req(DATA, "Operator", "PT30M").scope("Administrator outside production", 120), "MANUAL",
        "Administrator-like access needs an approver's review.");
    assertOutcome(req(DATA, "Developer", "PT30M").scope("Outside production", 240), "MANUAL",
        "Needs an approver's review (scope 'Outside production').");
    assertOutcome(req(DATA, "Auditor", "PT30M").forOthers("erin", "airlock-requesters")
        .scope("Read-only anywhere", 480), "MANUAL", "Access for someone else (erin) needs an approver's review.");
    assertOutcome(req(DATA, "Developer", "PT5H").scope("Outside production", 240), "DENY",
        "Denied: 5 h asked, scope 'Outside production' allows 4 h.");
  }

  @Test
  void theDemoOrganizationIsPlacedAsItsTablesPlaceIt() {
    List<Inventory.Account> demo = DemoOrganization.ACCOUNTS.stream().map(a -> {
      PolicyInputs.Target t = PolicyFixture.target(a.id());
      return new Inventory.Account(a.id(), a.name(), a.email(), "ACTIVE", t.ouPath(), a.tags());
    }).toList();
    StarterPolicy.Placement p = StarterPolicy.from(demo, List.of()).placement();
    assertThat(p.productionOus()).containsExactly("Workloads/Prod");
    assertThat(p.nonProductionOus()).containsExactly("Workloads/NonProd");
    assertThat(p.production()).containsExactly("production (" + DemoOrganization.PRODUCTION_ACCOUNT_ID + ")");
    assertThat(p.notPlaced()).containsExactly("management (" + DemoOrganization.MANAGEMENT_ACCOUNT_ID + ")");
  }

  @Test
  void theTablesKeepTheModelRulesADeployIsHeldTo() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    starter.files().forEach(f -> files.put(f.name(), f.bytes()));
    assertThat(files).containsOnlyKeys("access-scopes.dmn", "auto-approval.dmn");
    assertThat(ModelRules.check(files)).isEmpty();
  }

  private DmnDecision parse(String key) {
    ProposedFile file = starter.files().stream().filter(f -> f.name().equals(key + ".dmn")).findFirst().orElseThrow();
    return PolicyFixture.ENGINE.parseDecision(key, new ByteArrayInputStream(file.bytes()));
  }

  private static PolicyFixture.Req req(Inventory.Account account, String permission, String duration) {
    return PolicyFixture.req().target(new PolicyInputs.Target(account.accountId(), account.name(), account.ouPath(),
        account.tags())).permission(permission).duration(duration);
  }

  private void assertScope(PolicyFixture.Req req, String scope, long maxMinutes, int approvals) {
    DmnDecisionTableResult result = req.evaluate(scopes);
    assertThat(result).as(req.permission + " in " + req.target.name()).hasSize(1);
    Map<String, Object> row = result.getSingleResult().getEntryMap();
    assertThat(row).containsEntry("scopeName", scope).containsEntry("maxDurationMinutes", maxMinutes)
        .containsEntry("approvalsRequired", approvals).containsEntry("approverGroups", "airlock-approvers")
        .containsEntry("escalationGroup", "airlock-security");
  }

  private void assertOutcome(PolicyFixture.Req req, String outcome, String reason) {
    Map<String, Object> row = req.evaluate(autoApproval).getFirstResult().getEntryMap();
    assertThat(row).as(req.permission + " in " + req.target.name()).containsEntry("approvalOutcome", outcome)
        .containsEntry("approvalReason", reason);
  }

  private static Inventory.PermissionSet set(String name, String inline, String... managed) {
    return new Inventory.PermissionSet("arn:aws:sso:::permissionSet/ssoins-1/ps-" + name, name, null, "PT1H", inline,
        List.of(managed), null);
  }
}
