package io.airlock.policy;

import io.airlock.process.policy.DecisionAuditPlugin;
import static io.airlock.policy.PolicyFixture.req;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.sandbox.DemoOrganization;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per row of {@code dmn/auto-approval.dmn}, evaluated with the DMN engine alone on the
 * variables Airlock builds ({@link PolicyInputs}): exact durations, OU and tags, the ticket
 * pattern, for-others, groups and the time of day.
 */
class AutoApprovalDecisionTest {

  private static final String SANDBOX = DemoOrganization.SANDBOX_ACCOUNT_ID;
  private static final String STAGING = DemoOrganization.STAGING_ACCOUNT_ID;
  private static final String PRODUCTION = DemoOrganization.PRODUCTION_ACCOUNT_ID;
  private static final String MANAGEMENT = DemoOrganization.MANAGEMENT_ACCOUNT_ID;
  /** Saturday 1 a.m. and Tuesday 10 a.m., 6 p.m., 7:59 a.m. UTC. */
  private static final ZonedDateTime SATURDAY_01 = ZonedDateTime.of(2026, 12, 5, 1, 0, 0, 0, java.time.ZoneId.of("UTC"));
  private static final ZonedDateTime TUESDAY_18 = ZonedDateTime.of(2026, 12, 1, 18, 0, 0, 0, java.time.ZoneId.of("UTC"));
  private static final ZonedDateTime TUESDAY_0759 = ZonedDateTime.of(2026, 12, 1, 7, 59, 0, 0, java.time.ZoneId.of("UTC"));

  private static DmnDecision decision;

  @BeforeAll
  static void parseDecision() {
    decision = PolicyFixture.parse("/dmn/auto-approval.dmn", "auto-approval");
  }

  @Test
  void hitPolicyIsFirstAndEveryRuleHasAnId() {
    var table = (org.camunda.bpm.dmn.engine.impl.DmnDecisionTableImpl) decision.getDecisionLogic();
    assertThat(table.getHitPolicyHandler().getHitPolicyEntry().getHitPolicy().name()).isEqualTo("FIRST");
    assertThat(DecisionAuditPlugin.ruleIds(decision)).hasSize(10).allMatch(id -> id.startsWith("Rule_"));
  }

  // ---- rule 1: longer than the scope allows ------------------------------------------------

  @Test
  void rule1DeniesLongerThanTheScopeNamingBothDurations() {
    DmnDecisionTableResult r = req().permission("PowerUserAccess").duration("PT6H")
        .scope("Power user outside production", 240).evaluate(decision);
    assertOutcome(r, "Rule_DurationExceedsScope", "DENY",
        "Denied: 6 h asked, scope 'Power user outside production' allows 4 h.");
  }

  @Test
  void rule1ComparesSecondsNotTruncatedMinutes() {
    DmnDecisionTableResult r = req().duration("PT60M59S").scope("One hour", 60).evaluate(decision);
    assertOutcome(r, "Rule_DurationExceedsScope", "DENY", "Denied: 1 h 0 min 59 s asked, scope 'One hour' allows 1 h.");
    assertOutcome(req().duration("PT60M").scope("One hour", 60).evaluate(decision),
        "Rule_ShortReadOnlyOutsideProduction", "APPROVE", null);
  }

  // ---- rules 2 and 3: production administrator outside business hours without a ticket ----

  @Test
  void rule2DeniesProductionAdministratorAtTheWeekendWithoutATicket() {
    DmnDecisionTableResult r = productionAdmin().justification("Need to fix things").at(SATURDAY_01)
        .evaluate(decision);
    assertOutcome(r, "Rule_ProductionAdministratorAtWeekendWithoutTicket", "DENY",
        "Denied: administrator access to production outside business hours (Monday to Friday, 08:00-18:00 UTC) "
            + "needs a ticket reference (such as INC-123) in the ticket or the justification; it is SATURDAY 01:00 UTC.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"18", "0759"})
  void rule3DeniesProductionAdministratorAtNightWithoutATicket(String when) {
    ZonedDateTime at = when.equals("18") ? TUESDAY_18 : TUESDAY_0759;
    assertOutcome(productionAdmin().justification("Need to fix things").at(at).evaluate(decision),
        "Rule_ProductionAdministratorAtNightWithoutTicket", "DENY", null);
  }

  @Test
  void aTicketReferenceInTheJustificationOrTheTicketFieldLetsItThroughToReview() {
    assertOutcome(productionAdmin().justification("Outage, see INC-4711").at(SATURDAY_01).evaluate(decision),
        "Rule_Production", "MANUAL", "Production access needs an approver's review.");
    assertOutcome(productionAdmin().justification("Outage").ticket("OPS-7").at(TUESDAY_18).evaluate(decision),
        "Rule_Production", "MANUAL", null);
    // "inc-1" is not the configured pattern (upper case project key)
    assertOutcome(productionAdmin().justification("Outage inc-1").at(TUESDAY_18).evaluate(decision),
        "Rule_ProductionAdministratorAtNightWithoutTicket", "DENY", null);
  }

  @Test
  void inBusinessHoursProductionAdministratorWithoutATicketIsReviewed() {
    assertOutcome(productionAdmin().justification("Need to fix things").evaluate(decision), "Rule_Production",
        "MANUAL", null);
  }

  // ---- rule 4: for someone else ---------------------------------------------------------

  @Test
  void rule4AccessForSomeoneElseIsAlwaysReviewed() {
    DmnDecisionTableResult r = req().forOthers("erin", "airlock-requesters").scope("Read-only anywhere", 480)
        .evaluate(decision);
    assertOutcome(r, "Rule_ForSomeoneElse", "MANUAL", "Access for someone else (erin) needs an approver's review.");
  }

  // ---- rule 6: short read-only outside production ---------------------------------------

  @ParameterizedTest
  @CsvSource({
      "222222222222, ReadOnlyAccess, PT1H",
      "333333333333, ViewOnlyAccess, PT15M",
      "222222222222, ViewOnlyAccess, PT3600S"})
  void rule6ApprovesShortReadOnlyUnderOuWorkloadsNonProd(String target, String permission, String duration) {
    DmnDecisionTableResult r = req().target(target).permission(permission).duration(duration)
        .scope("Read-only anywhere", 480).evaluate(decision);
    assertOutcome(r, "Rule_ShortReadOnlyOutsideProduction", "APPROVE", null);
    assertThat((String) r.getSingleResult().getEntry("approvalReason"))
        .startsWith("Approved automatically: read-only access outside production for at most 1 h");
  }

  @Test
  void rule6DoesNotApproveAnHourAndOneSecond() {
    assertOutcome(req().duration("PT1H0M1S").scope("Read-only anywhere", 480).evaluate(decision), "Rule_Otherwise",
        "MANUAL", "Needs an approver's review (scope 'Read-only anywhere').");
  }

  @Test
  void rule6NeedsTheOuNotAnAccountId() {
    // the management account sits under the root, an unknown account nowhere: both are reviewed
    assertOutcome(req().target(MANAGEMENT).scope("Read-only anywhere", 480).evaluate(decision), "Rule_Otherwise",
        "MANUAL", null);
    assertOutcome(req().target("999999999999").scope("Read-only anywhere", 480).evaluate(decision), "Rule_Otherwise",
        "MANUAL", null);
    PolicyInputs.Target newDev = new PolicyInputs.Target("555555555555", "ml-dev", "Workloads/NonProd/ML", Map.of());
    assertOutcome(req().target(newDev).scope("Read-only anywhere", 480).evaluate(decision),
        "Rule_ShortReadOnlyOutsideProduction", "APPROVE", null);
  }

  // ---- on call: production read-only within the requester's shift ----------------------------

  @Test
  void anOnCallRequestersProductionReadOnlyEndingWithinTheShiftIsApprovedNamingTheShift() {
    DmnDecisionTableResult r = req().target(PRODUCTION).duration("PT2H").onCall(true, 4L * 3600, "1 Dec 14:00 UTC")
        .scope("Read-only anywhere", 480).evaluate(decision);
    assertOutcome(r, "Rule_OnCallProductionReadOnly", "APPROVE", "Approved automatically: alice is on call "
        + "(Primary SRE) until 1 Dec 14:00 UTC, and read-only access for 2 h ends within the shift.");
    // Exactly to the shift's end, to the second.
    assertOutcome(req().target(PRODUCTION).duration("PT4H").onCall(true, 4L * 3600, "1 Dec 14:00 UTC")
        .scope("Read-only anywhere", 480).evaluate(decision), "Rule_OnCallProductionReadOnly", "APPROVE", null);
  }

  @Test
  void onCallDoesNotApproveWhatOutlastsTheShiftIsUnknownOrIsNotReadOnlyForThemselves() {
    // Longer than the shift has left.
    assertOutcome(req().target(PRODUCTION).duration("PT4H0M1S").onCall(true, 4L * 3600, "1 Dec 14:00 UTC")
        .scope("Read-only anywhere", 480).evaluate(decision), "Rule_Production", "MANUAL", null);
    // Not on call, and PagerDuty unknown (not set up, or could not say): fails closed to a review.
    assertOutcome(req().target(PRODUCTION).onCall(false, null, null).scope("Read-only anywhere", 480)
        .evaluate(decision), "Rule_Production", "MANUAL", null);
    assertOutcome(req().target(PRODUCTION).onCall(null, null, null).scope("Read-only anywhere", 480)
        .evaluate(decision), "Rule_Production", "MANUAL", null);
    assertOutcome(req().target(PRODUCTION).scope("Read-only anywhere", 480).evaluate(decision), "Rule_Production",
        "MANUAL", null);
    // Another permission set, or access for someone else.
    assertOutcome(req().target(PRODUCTION).permission("PowerUserAccess").onCall(true, 3600L, "1 Dec 11:00 UTC")
        .scope("Production break-glass", 60).evaluate(decision), "Rule_Production", "MANUAL", null);
    assertOutcome(req().target(PRODUCTION).forOthers("bob", "airlock-requesters").onCall(true, 3600L, "1 Dec 11:00 UTC")
        .scope("Read-only anywhere", 480).evaluate(decision), "Rule_ForSomeoneElse", "MANUAL", null);
  }

  @Test
  void aHolidayIsLikeTheWeekendForProductionAdministratorWithoutATicket() {
    assertOutcome(productionAdmin().justification("Need to fix things").holiday(true).evaluate(decision),
        "Rule_ProductionAdministratorAtWeekendWithoutTicket", "DENY",
        "Denied: administrator access to production outside business hours (Monday to Friday, 08:00-18:00 UTC) "
            + "needs a ticket reference (such as INC-123) in the ticket or the justification; it is TUESDAY 10:00 UTC, "
            + "a holiday.");
    assertOutcome(productionAdmin().justification("Need to fix things").holiday(false).evaluate(decision),
        "Rule_Production", "MANUAL", null);
    assertOutcome(productionAdmin().justification("Outage INC-7").holiday(true).evaluate(decision),
        "Rule_Production", "MANUAL", null);
  }

  // ---- tickets: a resolved one is no reason, an open one assigned to the requester is ---------

  @Test
  void productionAccessNamingATicketThatIsNotOpenIsDeniedNamingIt() {
    assertOutcome(req().target(PRODUCTION).justification("Follow up on OPS-1").ticketFacts(false, true, "Done",
        "Incident").scope("Read-only anywhere", 480).evaluate(decision), "Rule_ProductionResolvedTicket", "DENY",
        "Denied: the ticket OPS-1 is not open (Done). Production access may only name an open ticket.");
    assertOutcome(productionAdmin().justification("Outage OPS-404").ticketFacts(false, false, "not found", null)
        .evaluate(decision), "Rule_ProductionResolvedTicket", "DENY",
        "Denied: the ticket OPS-404 is not open (not found). Production access may only name an open ticket.");
    // Outside production a resolved ticket changes nothing; unknown (tracker down or not set up) neither.
    assertOutcome(req().justification("Follow up on OPS-1").ticketFacts(false, true, "Done", "Incident")
        .scope("Read-only anywhere", 480).evaluate(decision), "Rule_ShortReadOnlyOutsideProduction", "APPROVE", null);
    assertOutcome(productionAdmin().justification("Outage OPS-9").ticketFacts(null, null, null, null)
        .evaluate(decision), "Rule_Production", "MANUAL", null);
  }

  @Test
  void productionReadOnlyNamingAnOpenTicketAssignedToTheRequesterIsApproved() {
    assertOutcome(req().target(PRODUCTION).justification("Debug OPS-42").ticketFacts(true, true, "In Progress",
        "Incident").scope("Read-only anywhere", 480).evaluate(decision), "Rule_AssignedTicketProductionReadOnly",
        "APPROVE", "Approved automatically: OPS-42 (Incident, In Progress) is open and assigned to alice.");
    // Someone else's ticket, an assignee Airlock cannot see, administrator access, or for another person: reviewed.
    assertOutcome(req().target(PRODUCTION).justification("Debug OPS-42").ticketFacts(true, false, "In Progress",
        "Incident").scope("Read-only anywhere", 480).evaluate(decision), "Rule_Production", "MANUAL", null);
    assertOutcome(req().target(PRODUCTION).justification("Debug OPS-42").ticketFacts(true, null, "In Progress",
        "Incident").scope("Read-only anywhere", 480).evaluate(decision), "Rule_Production", "MANUAL", null);
    assertOutcome(productionAdmin().justification("Debug OPS-42").ticketFacts(true, true, "In Progress", "Incident")
        .evaluate(decision), "Rule_Production", "MANUAL", null);
    assertOutcome(req().target(PRODUCTION).forOthers("bob", "airlock-requesters").justification("Debug OPS-42")
        .ticketFacts(true, true, "In Progress", "Incident").scope("Read-only anywhere", 480).evaluate(decision),
        "Rule_ForSomeoneElse", "MANUAL", null);
  }

  // ---- rule 5: production ----------------------------------------------------------------

  @Test
  void rule5ProductionIsReviewedByTag() {
    assertOutcome(req().target(PRODUCTION).duration("PT15M").scope("Read-only anywhere", 480).evaluate(decision),
        "Rule_Production", "MANUAL", "Production access needs an approver's review.");
    PolicyInputs.Target taggedElsewhere = new PolicyInputs.Target("666666666666", "payments", "Workloads/NonProd",
        Map.of("environment", "production"));
    assertOutcome(req().target(taggedElsewhere).scope("Read-only anywhere", 480).evaluate(decision),
        "Rule_Production", "MANUAL", null);
  }

  // ---- rule 7: everything else -----------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
      "222222222222, PowerUserAccess,     Power user outside production",
      "333333333333, AdministratorAccess, Administrator outside production",
      "222222222222, craft:S3_READ_ONLY,  Crafted read-only"})
  void rule7EverythingElseIsReviewed(String target, String permission, String scope) {
    assertOutcome(req().target(target).permission(permission).scope(scope, 120).evaluate(decision),
        "Rule_Otherwise", "MANUAL", "Needs an approver's review (scope '" + scope + "').");
  }

  @Test
  void groupsAndPrincipalAreInputsAnAnalystCanUse() {
    Map<String, Object> v = req().forOthers("erin", "airlock-requesters", "developers").scope("x", 60).variables();
    assertThat(v).containsEntry("principalGroups", java.util.List.of("airlock-requesters", "developers"))
        .containsEntry("requesterGroups", java.util.List.of("airlock-requesters"))
        .containsEntry("principalIsRequester", false)
        .containsEntry("targetOus", java.util.List.of("Workloads", "Workloads/NonProd"))
        .containsEntry("targetTags", Map.of("environment", "sandbox", "owner", "developers"))
        .containsEntry("ticketReference", "INC-42")
        .containsEntry("dayOfWeek", "TUESDAY")
        .containsEntry("hourOfDay", 10)
        .containsEntry("durationSeconds", 1800L);
  }

  private static PolicyFixture.Req productionAdmin() {
    return req().target(PRODUCTION).permission("AdministratorAccess").requesterGroups("airlock-requesters",
        "airlock-approvers").scope("Production administrator", 60);
  }

  private static void assertOutcome(DmnDecisionTableResult result, String ruleId, String outcome, String reason) {
    assertThat(result).hasSize(1);
    assertThat(PolicyFixture.matchedRuleIds()).first().isEqualTo(ruleId);
    assertThat(result.getSingleResult().getEntryMap()).containsEntry("approvalOutcome", outcome);
    if (reason != null) {
      assertThat(result.getSingleResult().getEntryMap()).containsEntry("approvalReason", reason);
    }
  }
}
