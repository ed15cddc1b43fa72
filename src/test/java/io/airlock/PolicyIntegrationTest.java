package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.People;
import io.airlock.support.PostgresTestConfiguration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.identity.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Policy as its users see it, on PostgreSQL with the emulator over HTTP: the reason and the
 * recorded decision of a request (definition version, inputs, matched rules, outputs), a
 * redeployed table leaving past judgements alone, the catalog of two users with different groups,
 * and the simulation of candidate tables against recorded requests (known flips, bad files, who
 * may ask, and how long 1,000 requests take).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.inventory.scheduled=false",
    "airlock.reconciler.scheduled=false"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** PagerDuty's API as Airlock asks it whether a requester is on call; stopped with the class. */
  private static final io.airlock.support.FakePagerDuty PAGER_DUTY = new io.airlock.support.FakePagerDuty();
  /** Jira's API as Airlock asks it about the tickets requests name; stopped with the class. */
  private static final io.airlock.support.FakeTicketTrackers JIRA = new io.airlock.support.FakeTicketTrackers();

  @org.springframework.test.context.DynamicPropertySource
  static void pagerDuty(org.springframework.test.context.DynamicPropertyRegistry registry) {
    registry.add("airlock.context.pagerduty.api-url", PAGER_DUTY::url);
    registry.add("airlock.context.pagerduty.token-file", () -> io.airlock.support.FakePagerDuty.tokenFile().toString());
    registry.add("airlock.context.pagerduty.timeout", () -> "PT1S");
    // Every question asked afresh: other tests here submit as the same people before PagerDuty puts them on call.
    registry.add("airlock.context.pagerduty.cache-for", () -> "PT0S");
    registry.add("airlock.context.jira.api-url", JIRA::url);
    registry.add("airlock.context.jira.user", () -> io.airlock.support.FakeTicketTrackers.JIRA_USER);
    registry.add("airlock.context.jira.token-file", () -> io.airlock.support.FakeTicketTrackers.secretFile(
        io.airlock.support.FakeTicketTrackers.JIRA_TOKEN).toString());
    registry.add("airlock.context.jira.cache-for", () -> "PT0S");
    // Only OPS is Jira's: the INC-n references of the other tests here are no tracker's.
    registry.add("airlock.context.jira.projects", () -> "OPS");
    registry.add("airlock.context.tickets.check-every", () -> "PT1S");
  }

  @org.junit.jupiter.api.AfterAll
  void stopPagerDuty() {
    PAGER_DUTY.close();
    JIRA.close();
  }
  private static final String SANDBOX = DemoOrganization.SANDBOX_ACCOUNT_ID;
  private static final String STAGING = DemoOrganization.STAGING_ACCOUNT_ID;
  private static final String PRODUCTION = DemoOrganization.PRODUCTION_ACCOUNT_ID;

  @LocalServerPort int port;
  @Autowired IdentityService identityService;
  @Autowired RepositoryService repositoryService;
  @Autowired JdbcTemplate jdbc;
  @Autowired io.airlock.sandbox.AwsSandbox sandbox;

  ApiClient api;

  @BeforeAll
  void setUp() {
    api = new ApiClient(port);
    Reply scanned = api.post("dave", "/api/inventory/scan", null);
    assertThat(scanned.status()).as(scanned.raw()).isEqualTo(200);
    if (identityService.createUserQuery().userId("paula").count() == 0) {
      User paula = identityService.newUser("paula");
      paula.setPassword("airlock");
      identityService.saveUser(paula);
      if (identityService.createGroupQuery().groupId("airlock-policy-authors").count() == 0) {
        var group = identityService.newGroup("airlock-policy-authors");
        group.setName("Policy authors");
        identityService.saveGroup(group);
      }
      identityService.createMembership("paula", "airlock-policy-authors");
    }
  }

  // ---- the inventory knows OU paths and tags ------------------------------------------------

  @Test
  void theScanStoresEachAccountsOuPathAndTags() {
    JsonNode accounts = api.get("dave", "/api/inventory/accounts").body();
    JsonNode production = find(accounts, "accountId", PRODUCTION);
    assertThat(production.get("ouPath").asText()).isEqualTo("Workloads/Prod");
    assertThat(production.get("tags").get("environment").asText()).isEqualTo("production");
    assertThat(find(accounts, "accountId", SANDBOX).get("ouPath").asText()).isEqualTo("Workloads/NonProd");
    assertThat(find(accounts, "accountId", DemoOrganization.MANAGEMENT_ACCOUNT_ID).get("ouPath").asText()).isEmpty();
  }

  // ---- on call (PagerDuty) ------------------------------------------------------------------

  /**
   * erin is on call in PagerDuty for three more hours: her own production read-only access for two
   * hours is approved at once, naming the shift, and AWS holds it; four hours would outlast the
   * shift and goes to review. When PagerDuty fails, alice's same request goes to review (fail
   * closed) and her request's timeline says why.
   */
  @Test
  void anOnCallRequestersProductionReadOnlyIsApprovedWithinTheShiftAndAnUnknownAnswerGoesToReviewSayingWhy()
      throws Exception {
    java.time.Instant end = java.time.Instant.now().plus(java.time.Duration.ofHours(3));
    PAGER_DUTY.onCall("erin@example.com", "Primary SRE", end);
    try (var sso = io.airlock.support.SandboxSso.client(sandbox)) {
      JsonNode r = submit("erin", "ReadOnlyAccess", "PT2H", PRODUCTION, "Look at the payments incident");
      assertThat(r.get("decision").asText()).as(r.toString()).isEqualTo("APPROVE");
      assertThat(r.get("reason").asText()).startsWith("Approved automatically: erin is on call (Primary SRE) until ")
          .endsWith(", and read-only access for 2 h ends within the shift.");
      api.awaitStatus(r.get("id").asText(), "ACTIVE");
      assertThat(io.airlock.support.SandboxSso.holds(sso, PRODUCTION, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
          DemoOrganization.ERIN_USER_ID)).as("AWS holds erin's production read-only access").isTrue();
      JsonNode recorded = api.get("erin", "/api/requests/" + r.get("id").asText()).body().get("policyDecisions")
          .get(1);
      assertThat(recorded.get("inputs").get("requesterOnCall").asBoolean()).isTrue();
      assertThat(recorded.get("matchedRules").get(0).get("ruleId").asText()).isEqualTo("Rule_OnCallProductionReadOnly");
      Reply ended = api.post("erin", "/api/requests/" + r.get("id").asText() + "/revoke", null);
      assertThat(ended.status()).as(ended.raw()).isLessThan(300);

      // The simulation replays what PagerDuty said then: without the on-call row, erin's request
      // would have gone to review.
      String table = resource("/dmn/auto-approval.dmn");
      int row = table.indexOf("<rule id=\"Rule_OnCallProductionReadOnly\">");
      String withoutOnCall = table.substring(0, row) + table.substring(table.indexOf("</rule>", row) + 7);
      Reply simulated = api.postFile("paula", "/api/policies/simulate?limit=1", Map.of(), "auto-approval.dmn",
          withoutOnCall);
      assertThat(simulated.status()).as(simulated.raw()).isEqualTo(200);
      assertThat(simulated.body().get("flips")).singleElement().satisfies(f -> {
        assertThat(f.get("from").asText()).isEqualTo("APPROVE");
        assertThat(f.get("to").asText()).isEqualTo("MANUAL");
        assertThat(f.get("requestIds")).extracting(JsonNode::asText).containsExactly(r.get("id").asText());
      });

      JsonNode tooLong = submit("erin", "ReadOnlyAccess", "PT4H", PRODUCTION, "Look at it all afternoon");
      assertThat(tooLong.get("status").asText()).isEqualTo("PENDING_REVIEW");
      assertThat(tooLong.get("reason").asText()).isEqualTo("Production access needs an approver's review.");

      PAGER_DUTY.onCall("alice@example.com", "Primary SRE", end);
      PAGER_DUTY.failWith(500);
      JsonNode unknown = submit("alice", "ReadOnlyAccess", "PT1H", PRODUCTION, "Look at the payments incident");
      assertThat(unknown.get("status").asText()).as("fails closed").isEqualTo("PENDING_REVIEW");
      JsonNode timeline = api.get("alice", "/api/requests/" + unknown.get("id").asText()).body().get("timeline");
      assertThat(java.util.stream.StreamSupport.stream(timeline.spliterator(), false)
          .filter(e -> e.get("action").asText().equals("policy.context-unknown")).toList())
          .singleElement().satisfies(e -> assertThat(e.get("details").get("reason").asText()).isEqualTo(
              "PagerDuty could not say whether alice is on call: it answered 500. Rules that need it do not apply."));
      assertThat(io.airlock.support.SandboxSso.holds(sso, PRODUCTION, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
          DemoOrganization.ALICE_USER_ID)).isFalse();
    } finally {
      PAGER_DUTY.reset();
    }
  }

  // ---- tickets (Jira) -----------------------------------------------------------------------

  /**
   * erin names OPS-77, an open incident assigned to her in Jira: her production read-only access
   * is approved at once, tied to the ticket, and AWS holds it; when OPS-77 is resolved, Airlock ends
   * the access long before its two hours, AWS no longer holds it, and her timeline says why. A
   * request naming a resolved ticket is denied, naming it.
   */
  @Test
  void accessNamingAnOpenTicketAssignedToTheRequesterIsApprovedAndEndsWhenTheTicketIsResolved() throws Exception {
    JIRA.put("OPS-77", true, "In Progress", "Incident", "erin@example.com");
    JIRA.put("OPS-70", false, "Done", "Incident", "erin@example.com");
    try (var sso = io.airlock.support.SandboxSso.client(sandbox)) {
      JsonNode r = submit("erin", "ReadOnlyAccess", "PT2H", PRODUCTION, "Debug the payments outage OPS-77");
      String id = r.get("id").asText();
      assertThat(r.get("decision").asText()).as(r.toString()).isEqualTo("APPROVE");
      assertThat(r.get("reason").asText())
          .isEqualTo("Approved automatically: OPS-77 (Incident, In Progress) is open and assigned to erin.");
      api.awaitStatus(id, "ACTIVE");
      assertThat(io.airlock.support.SandboxSso.holds(sso, PRODUCTION, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
          DemoOrganization.ERIN_USER_ID)).isTrue();
      assertThat(timelineEntry(id, "ticket.tied").get("details").get("reason").asText())
          .isEqualTo("This access ends when OPS-77 is resolved in Jira, or at its end, whichever comes first.");

      JIRA.resolve("OPS-77");
      JsonNode revoked = api.awaitStatus(id, "REVOKED");
      assertThat(java.time.Duration.between(java.time.Instant.parse(revoked.get("grantStart").asText()),
          java.time.Instant.parse(revoked.get("revokedAt").asText()))).isLessThan(java.time.Duration.ofMinutes(1));
      assertThat(io.airlock.support.SandboxSso.holds(sso, PRODUCTION, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
          DemoOrganization.ERIN_USER_ID)).as("AWS no longer holds it").isFalse();
      assertThat(timelineEntry(id, "revoke.requested").get("details").get("reason").asText())
          .isEqualTo("OPS-77 was resolved in Jira (Done)");

      JsonNode resolved = submit("erin", "ReadOnlyAccess", "PT1H", PRODUCTION, "Follow up on OPS-70");
      assertThat(resolved.get("status").asText()).isEqualTo("DENIED");
      assertThat(resolved.get("reason").asText())
          .isEqualTo("Denied: the ticket OPS-70 is not open (Done). Production access may only name an open ticket.");
    } finally {
      JIRA.reset();
    }
  }

  private JsonNode timelineEntry(String id, String action) {
    JsonNode timeline = api.get("erin", "/api/requests/" + id).body().get("timeline");
    return java.util.stream.StreamSupport.stream(timeline.spliterator(), false)
        .filter(e -> e.get("action").asText().equals(action)).findFirst()
        .orElseThrow(() -> new AssertionError(action + " not in " + timeline));
  }

  // ---- explainable --------------------------------------------------------------------------

  @Test
  void aRequestShowsItsReasonAndHowPolicyJudgedIt() {
    JsonNode r = submit("erin", "ReadOnlyAccess", "PT30M", SANDBOX, "Check the queue INC-7");
    assertThat(r.get("decision").asText()).isEqualTo("APPROVE");
    JsonNode got = api.get("erin", "/api/requests/" + r.get("id").asText()).body();
    assertThat(got.get("reason").asText()).startsWith("Approved automatically: read-only access outside production");
    JsonNode decisions = got.get("policyDecisions");
    assertThat(decisions).hasSize(2);
    JsonNode scopes = decisions.get(0);
    assertThat(scopes.get("decision").asText()).isEqualTo("access-scopes");
    assertThat(scopes.get("decisionDefinitionId").asText()).startsWith("access-scopes:");
    assertThat(scopes.get("decisionVersion").asInt()).isPositive();
    assertThat(scopes.get("matchedRules").get(0).get("ruleId").asText()).isEqualTo("Rule_ReadOnlyAnywhere");
    assertThat(scopes.get("matchedRules").get(0).get("row").asInt()).isEqualTo(1);
    assertThat(scopes.get("outputs").get("scopeName").asText()).isEqualTo("Read-only anywhere");
    assertThat(scopes.get("inputs").get("targetName").asText()).isEqualTo("sandbox");
    assertThat(scopes.get("inputs").get("targetTags").get("environment").asText()).isEqualTo("sandbox");
    assertThat(scopes.get("inputs").get("groups").get("approvers").asText()).isEqualTo("airlock-approvers");
    assertThat(scopes.get("inputs").get("ticketReference").asText()).isEqualTo("INC-7");
    JsonNode approval = decisions.get(1);
    assertThat(approval.get("decision").asText()).isEqualTo("auto-approval");
    assertThat(approval.get("matchedRules").get(0).get("ruleId").asText())
        .isEqualTo("Rule_ShortReadOnlyOutsideProduction");
    assertThat(approval.get("outputs").get("approvalOutcome").asText()).isEqualTo("APPROVE");
    assertThat(approval.get("inputs").get("durationSeconds").asLong()).isEqualTo(1800);
  }

  @Test
  void anHourAndFiftyNineSecondsIsMoreThanAnHour() {
    JsonNode r = submit("erin", "ReadOnlyAccess", "PT60M59S", SANDBOX, "Read the logs");
    assertThat(r.get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(r.get("reason").asText()).isEqualTo("Needs an approver's review (scope 'Read-only anywhere').");
  }

  @Test
  void aDenialNamesTheLimit() {
    JsonNode r = submit("erin", "PowerUserAccess", "PT6H", STAGING, "Load test");
    assertThat(r.get("status").asText()).isEqualTo("DENIED");
    assertThat(r.get("reason").asText()).isEqualTo("Denied: 6 h asked, scope 'Power user outside production' allows 4 h.");
  }

  @Test
  void aRedeployedTableJudgesNewRequestsAndLeavesDecidedOnesAlone() throws IOException {
    JsonNode before = submit("erin", "PowerUserAccess", "PT1H", SANDBOX, "Debug INC-9");
    assertThat(before.get("status").asText()).isEqualTo("PENDING_REVIEW");
    String original = resource("/dmn/auto-approval.dmn");
    // an analyst approves power user outside production automatically
    String candidate = original.replace("<text>\"ReadOnlyAccess\",\"ViewOnlyAccess\"</text>",
        "<text>\"ReadOnlyAccess\",\"ViewOnlyAccess\",\"PowerUserAccess\"</text>");
    assertThat(candidate).isNotEqualTo(original);
    try {
      repositoryService.createDeployment().name("test-new-policy").addString("dmn/auto-approval.dmn", candidate)
          .deploy();
      JsonNode after = submit("erin", "PowerUserAccess", "PT1H", SANDBOX, "Debug INC-9");
      assertThat(after.get("status").asText()).isIn("GRANTING", "ACTIVE");
      JsonNode old = api.get("erin", "/api/requests/" + before.get("id").asText()).body();
      assertThat(old.get("status").asText()).isEqualTo("PENDING_REVIEW");
      assertThat(old.get("decision").asText()).isEqualTo("MANUAL");
      int oldVersion = old.get("policyDecisions").get(1).get("decisionVersion").asInt();
      int newVersion = api.get("erin", "/api/requests/" + after.get("id").asText()).body().get("policyDecisions")
          .get(1).get("decisionVersion").asInt();
      assertThat(newVersion).isGreaterThan(oldVersion);
      assertThat(old.get("policyDecisions").get(1).get("matchedRules").get(0).get("ruleId").asText())
          .isEqualTo("Rule_Otherwise");
    } finally {
      repositoryService.createDeployment().name("test-restore-policy").addString("dmn/auto-approval.dmn", original)
          .deploy();
    }
  }

  // ---- catalog -----------------------------------------------------------------------------

  @Test
  void theCatalogListsWhatEachUserMayRequest() {
    JsonNode alice = api.get("alice", "/api/catalog").body();
    JsonNode bob = api.get("bob", "/api/catalog").body();

    JsonNode aliceSandbox = find(alice.get("targets"), "target", SANDBOX);
    assertThat(aliceSandbox.get("name").asText()).isEqualTo("sandbox");
    assertThat(permission(aliceSandbox, "PowerUserAccess").get("maxDuration").asText()).isEqualTo("PT4H");
    assertThat(permission(aliceSandbox, "AdministratorAccess").get("maxDuration").asText()).isEqualTo("PT2H");
    assertThat(permission(aliceSandbox, "ReadOnlyAccess").get("maxDuration").asText()).isEqualTo("PT8H");
    assertThat(permission(aliceSandbox, "craft:CUSTOM").get("kind").asText()).isEqualTo("CRAFTED");
    JsonNode aliceProduction = find(alice.get("targets"), "target", PRODUCTION);
    assertThat(names(aliceProduction)).containsExactlyInAnyOrder("ReadOnlyAccess", "ViewOnlyAccess",
        "craft:S3_READ_ONLY", "craft:SERVICES_READ_ONLY");

    JsonNode bobProduction = find(bob.get("targets"), "target", PRODUCTION);
    assertThat(bobProduction.get("name").asText()).isEqualTo("production");
    assertThat(names(bobProduction)).contains("AdministratorAccess", "PowerUserAccess");
    assertThat(permission(bobProduction, "AdministratorAccess").get("maxDuration").asText()).isEqualTo("PT1H");
    assertThat(permission(bobProduction, "AdministratorAccess").get("approvalsRequired").asInt()).isEqualTo(2);
    assertThat(permission(bobProduction, "PowerUserAccess").get("breakGlassAllowed").asBoolean()).isTrue();

    // carol (auditors only) may request nothing; without sign-in there is no answer
    assertThat(api.get("carol", "/api/catalog").body().get("targets")).isEmpty();
    assertThat(api.get("carol", "/api/catalog").body().get("emptyBecause").asText())
        .startsWith("You are not in airlock-requesters");
    assertThat(alice.has("emptyBecause")).as("said only when empty").isFalse();
    assertThat(api.get(null, "/api/catalog").status()).isEqualTo(401);
  }

  // ---- simulation --------------------------------------------------------------------------

  @Test
  void aSimulationReportsTheOutcomesACandidateTableWouldFlip() throws IOException {
    String approve = submit("alice", "ReadOnlyAccess", "PT30M", SANDBOX, "Look INC-1").get("id").asText();
    String twoHours = submit("alice", "ViewOnlyAccess", "PT2H", STAGING, "Look INC-2").get("id").asText();
    String powerUser = submit("alice", "PowerUserAccess", "PT1H", SANDBOX, "Fix INC-3").get("id").asText();
    String production = submit("alice", "ReadOnlyAccess", "PT30M", PRODUCTION, "Look INC-4").get("id").asText();

    // read-only up to 2 h instead of 1 h: only the two-hour request flips
    String candidate = resource("/dmn/auto-approval.dmn").replace("<text>&lt;= 3600</text>", "<text>&lt;= 7200</text>");
    Reply reply = api.postFile("paula", "/api/policies/simulate?limit=4", Map.of(), "auto-approval.dmn", candidate);
    assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
    JsonNode report = reply.body();
    assertThat(report.get("requests").asInt()).isEqualTo(4);
    assertThat(report.get("compared").asInt()).isEqualTo(4);
    assertThat(report.get("changed").asInt()).isEqualTo(1);
    assertThat(report.get("flips")).hasSize(1);
    assertThat(report.get("flips").get(0).get("from").asText()).isEqualTo("MANUAL");
    assertThat(report.get("flips").get(0).get("to").asText()).isEqualTo("APPROVE");
    assertThat(report.get("flips").get(0).get("requestIds")).extracting(JsonNode::asText).containsExactly(twoHours);
    JsonNode rule = find(report.get("rules"), "ruleId", "Rule_ShortReadOnlyOutsideProduction");
    assertThat(rule.get("row").asInt()).isEqualTo(9);
    assertThat(rule.get("matchedBefore").asInt()).isEqualTo(1);
    assertThat(rule.get("matchedAfter").asInt()).isEqualTo(2);
    assertThat(rule.get("newlyMatches").asInt()).isEqualTo(1);
    assertThat(report.get("summary")).extracting(JsonNode::asText).contains(
        "1 request would flip from MANUAL to APPROVE",
        "auto-approval rule 9 (Rule_ShortReadOnlyOutsideProduction) newly matches 1",
        "auto-approval rule 10 (Rule_Otherwise) no longer matches 1");

    // a scopes table without the power-user row: that request would be out of scope; sent as raw XML
    String scopes = resource("/dmn/access-scopes.dmn");
    int start = scopes.indexOf("<rule id=\"Rule_PowerUserOutsideProduction\">");
    String withoutPowerUser = scopes.substring(0, start) + scopes.substring(scopes.indexOf("</rule>", start) + 7);
    Reply raw = postXml("admin", "/api/policies/simulate?limit=4", withoutPowerUser);
    assertThat(raw.status()).as(raw.raw()).isEqualTo(200);
    assertThat(raw.body().get("flips")).hasSize(1);
    assertThat(raw.body().get("flips").get(0).get("from").asText()).isEqualTo("MANUAL");
    assertThat(raw.body().get("flips").get(0).get("to").asText()).isEqualTo("OUT_OF_SCOPE");
    assertThat(raw.body().get("flips").get(0).get("requestIds")).extracting(JsonNode::asText).containsExactly(powerUser);
    assertThat(List.of(approve, production)).doesNotContain(powerUser);

    // the same row reviewed by operators instead of approvers: no outcome flips, but who reviews changes
    int powerUserRule = scopes.indexOf("<rule id=\"Rule_PowerUserOutsideProduction\">");
    int approvers = scopes.indexOf("<text>groups.approvers</text>", powerUserRule);
    String byOperators = scopes.substring(0, approvers) + "<text>groups.operators</text>"
        + scopes.substring(approvers + "<text>groups.approvers</text>".length());
    Reply reviewers = postXml("admin", "/api/policies/simulate?limit=4", byOperators);
    assertThat(reviewers.status()).as(reviewers.raw()).isEqualTo(200);
    assertThat(reviewers.body().get("flips")).isEmpty();
    assertThat(reviewers.body().get("reviewers")).singleElement().satisfies(r -> {
      assertThat(r.get("from").asText()).isEqualTo("airlock-approvers");
      assertThat(r.get("to").asText()).isEqualTo("airlock-operators");
      assertThat(r.get("requestIds")).extracting(JsonNode::asText).containsExactly(powerUser);
    });
    assertThat(reviewers.body().get("summary")).extracting(JsonNode::asText)
        .contains("1 request would be reviewed by airlock-operators instead of airlock-approvers");
  }

  @Test
  void onlyPolicyAuthorsAndAdminsMaySimulate() throws IOException {
    String candidate = resource("/dmn/auto-approval.dmn");
    for (String user : List.of("alice", "bob", "carol", "dave")) {
      Reply refused = api.postFile(user, "/api/policies/simulate", Map.of(), "auto-approval.dmn", candidate);
      assertThat(refused.status()).as(user).isEqualTo(403);
      assertThat(refused.contentType()).startsWith("application/problem+json");
    }
    assertThat(api.postFile(null, "/api/policies/simulate", Map.of(), "auto-approval.dmn", candidate).status())
        .isEqualTo(401);
    assertThat(api.postFile("paula", "/api/policies/simulate", Map.of(), "auto-approval.dmn", candidate).status())
        .isEqualTo(200);
    assertThat(api.postFile("admin", "/api/policies/simulate", Map.of(), "auto-approval.dmn", candidate).status())
        .isEqualTo(200);
  }

  @Test
  void aBadFileIsA400NamingTheProblem() throws IOException {
    Reply notXml = api.postFile("paula", "/api/policies/simulate", Map.of(), "x.dmn", "this is not XML");
    assertThat(notXml.status()).isEqualTo(400);
    assertThat(notXml.contentType()).startsWith("application/problem+json");
    assertThat(notXml.body().get("errors").get(0).get("field").asText()).isEqualTo("file");
    assertThat(notXml.body().get("errors").get(0).get("message").asText()).startsWith("not a DMN 1.3 model");

    String otherDecision = resource("/dmn/auto-approval.dmn").replace("id=\"auto-approval\"", "id=\"something-else\"")
        .replace("href=\"#auto-approval\"", "href=\"#something-else\"").replace("dmnElementRef=\"auto-approval\"",
            "dmnElementRef=\"something-else\"");
    Reply wrong = api.postFile("paula", "/api/policies/simulate", Map.of(), "x.dmn", otherDecision);
    assertThat(wrong.status()).as(wrong.raw()).isEqualTo(400);
    assertThat(wrong.body().get("errors").get(0).get("message").asText())
        .contains("defines no decision table 'access-scopes' or 'auto-approval'").contains("something-else");

    String badFeel = resource("/dmn/auto-approval.dmn").replace("<text>&gt; maxDurationSeconds</text>",
        "<text>&gt; maxDurationSeconds +</text>");
    submit("erin", "ReadOnlyAccess", "PT20M", SANDBOX, "Look INC-11");
    Reply feel = api.postFile("paula", "/api/policies/simulate?limit=1", Map.of(), "x.dmn", badFeel);
    assertThat(feel.status()).as(feel.raw()).isEqualTo(400);
    assertThat(feel.body().get("errors").get(0).get("message").asText()).contains("maxDurationSeconds +");

    Reply xxe = postXml("paula", "/api/policies/simulate", "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM "
        + "\"file:///etc/passwd\">]><definitions xmlns=\"https://www.omg.org/spec/DMN/20191111/MODEL/\" id=\"d\" "
        + "name=\"&x;\" namespace=\"n\"/>");
    assertThat(xxe.status()).isEqualTo(400);
    assertThat(xxe.raw()).doesNotContain("root:");

    Reply limit = api.postFile("paula", "/api/policies/simulate?limit=0", Map.of(), "x.dmn", badFeel);
    assertThat(limit.status()).isEqualTo(400);
    assertThat(limit.body().get("errors").get(0).get("field").asText()).isEqualTo("limit");

    Reply json = api.post("paula", "/api/policies/simulate", Map.of("file", "x"));
    assertThat(json.status()).isEqualTo(415);
  }

  @Test
  void aThousandRequestsSimulateWellUnderASecond() throws IOException {
    // 1,000 recorded requests, varied as real ones are, a year old so they never crowd the others
    String seed = submit("erin", "ReadOnlyAccess", "PT30M", SANDBOX, "Look INC-12").get("id").asText();
    Map<String, Object> scopeRow = jdbc.queryForMap(
        "SELECT * FROM policy_decision WHERE request_id = ? AND decision_key = 'access-scopes'", seed);
    Map<String, Object> approvalRow = jdbc.queryForMap(
        "SELECT * FROM policy_decision WHERE request_id = ? AND decision_key = 'auto-approval'", seed);
    String[] permissions = {"ReadOnlyAccess", "ViewOnlyAccess", "PowerUserAccess", "AdministratorAccess"};
    String[] targets = {SANDBOX, STAGING, PRODUCTION};
    List<Object[]> rows = new ArrayList<>();
    Instant base = Instant.now().minusSeconds(365L * 24 * 3600);
    for (int i = 0; i < 1000; i++) {
      String id = UUID.randomUUID().toString();
      ObjectNode vars = (ObjectNode) JSON.readTree((String) scopeRow.get("variables"));
      vars.put("permission", permissions[i % 4]);
      vars.put("target", targets[i % 3]);
      vars.put("durationSeconds", 900L * (1 + i % 8));
      Timestamp at = Timestamp.from(base.plusSeconds(i));
      rows.add(new Object[] {UUID.randomUUID().toString(), id, "access-scopes", scopeRow.get("decision_definition_id"),
          scopeRow.get("decision_version"), at, vars.toString(), scopeRow.get("matched_rules"), scopeRow.get("outputs")});
      ObjectNode approvalVars = (ObjectNode) JSON.readTree((String) approvalRow.get("variables"));
      approvalVars.setAll(vars);
      rows.add(new Object[] {UUID.randomUUID().toString(), id, "auto-approval",
          approvalRow.get("decision_definition_id"), approvalRow.get("decision_version"), at, approvalVars.toString(),
          approvalRow.get("matched_rules"), approvalRow.get("outputs")});
    }
    jdbc.batchUpdate("INSERT INTO policy_decision (id, request_id, decision_key, decision_definition_id, "
        + "decision_version, evaluated_at, variables, matched_rules, outputs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);

    String candidate = resource("/dmn/auto-approval.dmn").replace("<text>&lt;= 3600</text>", "<text>&lt;= 7200</text>");
    String scopes = resource("/dmn/access-scopes.dmn");
    api.postFile("admin", "/api/policies/simulate?limit=1000", Map.of(), "auto-approval.dmn", candidate); // warm up
    long best = Long.MAX_VALUE;
    JsonNode report = null;
    for (int round = 0; round < 3; round++) {
      long t0 = System.nanoTime();
      Reply reply = api.postFile("admin", "/api/policies/simulate?limit=1000", Map.of(), "auto-approval.dmn", candidate);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
      report = reply.body();
      best = Math.min(best, ms);
    }
    long t0 = System.nanoTime();
    Reply both = postXml("admin", "/api/policies/simulate?limit=1000", scopes);
    long scopesMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(both.status()).isEqualTo(200);
    System.out.printf("SIMULATION BENCHMARK: %d requests replayed against a candidate auto-approval table in %d ms "
        + "(server %d ms, best of 3 over HTTP); against a candidate scopes table (and the deployed auto-approval "
        + "table) in %d ms (server %d ms); %d outcomes would change; timings %s / %s%n",
        report.get("compared").asInt(), best, report.get("durationMs").asLong(), scopesMs,
        both.body().get("durationMs").asLong(), report.get("changed").asInt(), report.get("timings"),
        both.body().get("timings"));
    assertThat(report.get("requests").asInt()).isEqualTo(1000);
    assertThat(report.get("compared").asInt()).isEqualTo(1000);
    assertThat(report.get("changed").asInt()).isPositive();
    // CPU time is what the simulation costs; wall time also counts the wait for a shared, busy CPU
    assertThat(report.get("timings").get("cpuMs").asLong()).isLessThan(1000);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private JsonNode submit(String user, String permission, String duration, String target, String justification) {
    Reply reply = api.post(user, "/api/requests", People.request(target, user, permission, duration, justification));
    assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
    return reply.body();
  }

  private Reply postXml(String user, String path, String xml) {
    try {
      var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
          .header("Content-Type", "application/xml")
          .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
              (user + ":airlock").getBytes(StandardCharsets.UTF_8)))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(xml)).build();
      var r = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
      JsonNode body = null;
      try {
        body = JSON.readTree(r.body());
      } catch (IOException notJson) {
        // keep null
      }
      return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = PolicyIntegrationTest.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    return StreamSupport.stream(array.spliterator(), false).filter(n -> value.equals(n.get(field).asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no " + field + "=" + value + " in " + array));
  }

  private static JsonNode permission(JsonNode target, String name) {
    return find(target.get("permissions"), "permission", name);
  }

  private static List<String> names(JsonNode target) {
    return StreamSupport.stream(target.get("permissions").spliterator(), false)
        .map(p -> p.get("permission").asText()).toList();
  }
}
