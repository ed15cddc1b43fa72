package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.audit.AuditEvent;
import io.airlock.audit.AuditLog;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.sandbox.SandboxState;
import io.airlock.support.AdjustableClock;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.SandboxSso;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.ProvisionTargetType;
import software.amazon.awssdk.services.ssoadmin.model.Tag;

/**
 * Airlock's AWS side as a cloud security engineer checks it, on PostgreSQL with the emulator
 * over HTTP: the inventory scan and its API, crafted permission sets from request to removal,
 * leftovers, the race between a revoke and a grant of the same assignment, teardown, and the
 * end of the principal's live sessions at revoke (what AWS would enforce, read from the
 * emulator's provisioned inline policies).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.request.min-duration=PT2S",
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.inventory.scheduled=false",
    "airlock.craft.cleanup-scheduled=false",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000",
    "airlock.aws.session-deny-cleanup-interval=PT1S"})
@Import({PostgresTestConfiguration.class, AdjustableClock.Configuration.class})
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdentityCenterIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The access key Airlock's own clients sign with when they talk to the sandbox. */
  private static final String SANDBOX_ACCESS_KEY = "AKIASANDBOX000000000";

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired AuditLog audit;
  @Autowired RuntimeService runtime;
  @Autowired AdjustableClock clock;
  @Autowired io.airlock.inventory.InventoryService inventory;

  ApiClient api;
  SsoAdminClient aws;

  @BeforeAll
  void clients() {
    api = new ApiClient(port);
    aws = SandboxSso.client(sandbox);
  }

  @AfterAll
  void close() {
    aws.close();
  }

  @Test
  @Order(1)
  void scanStoresWhatAwsHasAndServesItReadOnly() {
    SandboxState state = sandbox.state();
    state.addAssignment(DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, "USER",
        DemoOrganization.CAROL_USER_ID);

    assertThat(api.post("alice", "/api/inventory/scan", null).status()).isEqualTo(403);
    Reply scanned = api.post("dave", "/api/inventory/scan", null);
    assertThat(scanned.status()).as(scanned.raw()).isEqualTo(200);
    assertThat(scanned.body().get("accounts").asInt()).isEqualTo(state.accounts().size());
    assertThat(scanned.body().get("users").asInt()).isEqualTo(state.users().size());
    assertThat(scanned.body().get("groups").asInt()).isEqualTo(state.groups().size());
    assertThat(scanned.body().get("permissionSets").asInt()).isEqualTo(state.permissionSets().size());
    assertThat(scanned.body().get("assignments").asInt()).isEqualTo(state.assignments().size());
    assertThat(scanned.body().get("awsCalls").asInt()).isPositive();

    JsonNode accounts = api.get("carol", "/api/inventory/accounts").body();
    assertThat(accounts.findValuesAsText("accountId")).contains(DemoOrganization.PRODUCTION_ACCOUNT_ID);
    JsonNode sets = api.get("carol", "/api/inventory/permission-sets").body();
    assertThat(sets.findValuesAsText("name")).contains("ReadOnlyAccess", "PowerUserAccess");
    JsonNode carols = api.get("carol", "/api/inventory/assignments?principalId=" + DemoOrganization.CAROL_USER_ID).body();
    assertThat(carols.findValuesAsText("accountId")).contains(DemoOrganization.STAGING_ACCOUNT_ID);
    assertThat(api.get("carol", "/api/inventory/memberships").body())
        .hasSize(scanned.body().get("memberships").asInt()).isNotEmpty();

    assertThat(api.get("alice", "/api/inventory/accounts").status()).isEqualTo(403);
    assertThat(api.get(null, "/api/inventory").status()).isEqualTo(401);
    assertThat(audit.range(1, 100_000).stream().map(AuditEvent::action)).contains("inventory.scanned");
  }

  @Test
  @Order(2)
  void validationReadsTheInventoryAndAsksAwsOnlyForNamesCreatedSinceTheScan() {
    api.post("dave", "/api/inventory/scan", null);
    sandbox.state().resetCounters();
    Reply known = api.post("erin", "/api/requests", request("erin", "PowerUserAccess", "PT1H"));
    assertThat(known.status()).as(known.raw()).isEqualTo(201);
    assertThat(sandbox.state().callCount("GetUserId")).isZero();
    assertThat(sandbox.state().callCount("DescribeAccount")).isZero();
    assertThat(sandbox.state().callCount("ListPermissionSets")).isZero();

    sandbox.state().addUser("frank", "Frank", "Newhire", "frank@airlock.example");
    Reply newUser = api.post("bob", "/api/requests", request("frank", "ReadOnlyAccess", "PT2H"));
    assertThat(newUser.status()).as(newUser.raw()).isEqualTo(201);
    assertThat(sandbox.state().callCount("GetUserId")).isPositive();

    sandbox.state().addAccount("555555555555", "data-platform");
    Reply newAccount = api.post("erin", "/api/requests", request("erin", "ReadOnlyAccess", "PT2H", "555555555555"));
    assertThat(newAccount.status()).as(newAccount.raw()).isEqualTo(201);
    assertThat(sandbox.state().callCount("DescribeAccount")).isPositive();

    Reply unknown = api.post("erin", "/api/requests", request("nobody-at-all", "ReadOnlyAccess", "PT1H"));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().get("errors").findValuesAsText("field")).containsExactly("principal");
  }

  @Test
  @Order(3)
  void craftedS3ReadOnlyIsCreatedProvisionedGrantedAndRemovedAtRevoke() throws Exception {
    Map<String, Object> body = request("alice", null, "PT10M");
    body.put("craft", Map.of("template", "S3_READ_ONLY", "buckets", List.of("airlock-logs", "billing-reports")));
    Reply submitted = api.post("alice", "/api/requests", body);
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    assertThat(submitted.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(submitted.body().get("permission").asText()).isEqualTo("craft:S3_READ_ONLY");
    assertThat(submitted.body().get("scope").asText()).isEqualTo("Crafted read-only");
    JsonNode policy = JSON.readTree(submitted.body().get("craftPolicy").asText());
    assertThat(policy.toString()).contains("arn:aws:s3:::airlock-logs/*", "arn:aws:s3:::billing-reports",
        "s3:GetObject", "s3:ListBucket").doesNotContain("s3:PutObject");

    assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status()).isEqualTo(200);
    JsonNode active = api.awaitStatus(id, "ACTIVE");
    String arn = active.get("permissionSetArn").asText();

    SandboxState.PermissionSetInfo set = sandbox.state().permissionSets().stream()
        .filter(p -> p.arn().equals(arn)).findFirst().orElseThrow();
    assertThat(set.name()).startsWith("Airlock-").hasSizeLessThanOrEqualTo(32)
        .isEqualTo("Airlock-" + id.replace("-", "").substring(0, 24));
    assertThat(set.tags()).containsEntry("airlock:managed", "true").containsEntry("airlock:request-id", id);
    assertThat(JSON.readTree(aws.getInlinePolicyForPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(arn)).inlinePolicy())).isEqualTo(policy);
    assertThat(aws.listAccountsForProvisionedPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(arn)).accountIds()).containsExactly(DemoOrganization.SANDBOX_ACCOUNT_ID);
    assertThat(sandbox.state().hasAssignment(DemoOrganization.SANDBOX_ACCOUNT_ID, arn, "USER",
        DemoOrganization.ALICE_USER_ID)).isTrue();

    assertThat(api.post("alice", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");
    assertThat(sandbox.state().assignments()).noneMatch(a -> a.permissionSetArn().equals(arn));
    assertThat(sandbox.state().permissionSets()).noneMatch(p -> p.arn().equals(arn));
    assertThat(audit.forRequest(id).stream().map(AuditEvent::action))
        .contains("request.submitted", "review.approved", "access.granted", "access.revoked");
  }

  @Test
  @Order(4)
  void badCraftIsRefusedNamingWhatIsWrongAndStartsNothing() {
    int before = api.get("admin", "/api/requests?limit=1000").body().size();

    Assertions400 s3 = refuse(craft(Map.of("template", "S3_READ_ONLY", "buckets", List.of("Bad_Bucket"))));
    assertThat(s3.fields()).containsExactly("craft.buckets");
    assertThat(s3.messages()).anyMatch(m -> m.contains("Bad_Bucket"));

    assertThat(refuse(craft(Map.of("template", "SERVICES_READ_ONLY", "services", List.of("secretsmanager")))).fields())
        .containsExactly("craft.services");
    assertThat(refuse(craft(Map.of("template", "PASTE_ANYTHING"))).fields()).containsExactly("craft.template");

    Assertions400 notJson = refuse(craft(Map.of("template", "CUSTOM", "policy", "{ not json")));
    assertThat(notJson.fields()).containsExactly("craft.policy");
    assertThat(notJson.messages()).singleElement().asString()
        .startsWith("is not an IAM policy document: Unexpected character")
        .contains("(line 1, column 3)").doesNotContain("Exception", "software.amazon", "[Source");

    Assertions400 everything = refuse(craft(Map.of("template", "CUSTOM", "policy",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}")));
    assertThat(everything.messages()).anyMatch(m -> m.contains("every action on every resource"));

    Assertions400 badAction = refuse(craft(Map.of("template", "CUSTOM", "policy",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"GetObject\","
            + "\"Resource\":\"arn:aws:s3:::logs/*\"}]}")));
    assertThat(badAction.messages()).anyMatch(m -> m.contains("'GetObject' is not an action"));

    String big = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
        + "\"Resource\":[" + String.join(",", java.util.Collections.nCopies(1200, "\"arn:aws:s3:::some-bucket/x/*\""))
        + "]}]}";
    assertThat(refuse(craft(Map.of("template", "CUSTOM", "policy", big))).messages())
        .anyMatch(m -> m.contains("at most 32768"));

    Map<String, Object> both = craft(Map.of("template", "S3_READ_ONLY", "buckets", List.of("airlock-logs")));
    both.put("permission", "ReadOnlyAccess");
    assertThat(refuse(both).fields()).containsExactly("permission");

    Map<String, Object> craftedName = request("alice", "Airlock-0123456789abcdef01234567", "PT1H");
    assertThat(refuse(craftedName).messages()).anyMatch(m -> m.contains("crafted"));

    assertThat(api.get("admin", "/api/requests?limit=1000").body().size()).isEqualTo(before);
  }

  @Test
  @Order(5)
  void customPolicyIsGrantedAsReviewed() throws Exception {
    String document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Logs\",\"Effect\":\"Allow\","
        + "\"Action\":[\"logs:GetLogEvents\",\"logs:FilterLogEvents\"],"
        + "\"Resource\":\"arn:aws:logs:us-east-1:333333333333:log-group:/app/*\"}]}";
    Map<String, Object> body = craft(Map.of("template", "CUSTOM", "policy", document));
    body.put("target", DemoOrganization.STAGING_ACCOUNT_ID);
    Reply submitted = api.post("alice", "/api/requests", body);
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
    JsonNode active = api.awaitStatus(id, "ACTIVE");
    String arn = active.get("permissionSetArn").asText();
    // The SDK's IamPolicy writes its canonical form; the approver saw exactly that.
    String reviewed = active.get("craftPolicy").asText();
    assertThat(reviewed).contains("logs:GetLogEvents", "logs:FilterLogEvents",
        "arn:aws:logs:us-east-1:333333333333:log-group:/app/*").doesNotContain("s3:");
    assertThat(aws.getInlinePolicyForPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(arn)).inlinePolicy()).isEqualTo(reviewed);
  }

  @Test
  @Order(6)
  void leftoverCraftedPermissionSetsAreFoundAndRemoved() {
    String orphanRequest = UUID.randomUUID().toString();
    String arn = aws.createPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .name("Airlock-leftover0000000000000000").tags(Tag.builder().key("airlock:managed").value("true").build(),
            Tag.builder().key("airlock:request-id").value(orphanRequest).build()))
        .permissionSet().permissionSetArn();
    aws.provisionPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN).permissionSetArn(arn)
        .targetType(ProvisionTargetType.AWS_ACCOUNT).targetId(DemoOrganization.SANDBOX_ACCOUNT_ID));
    sandbox.state().addAssignment(DemoOrganization.SANDBOX_ACCOUNT_ID, arn, "USER", DemoOrganization.DAVE_USER_ID);
    String notOurs = aws.createPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .name("Airlock-TeamsOwnSet")).permissionSet().permissionSetArn();
    api.post("dave", "/api/inventory/scan", null);

    assertThat(api.post("alice", "/api/admin/crafted/cleanup", null).status()).isEqualTo(403);
    Reply cleaned = api.post("dave", "/api/admin/crafted/cleanup", null);
    assertThat(cleaned.status()).as(cleaned.raw()).isEqualTo(200);
    assertThat(cleaned.body().findValuesAsText("arn")).containsExactly(arn);
    assertThat(sandbox.state().permissionSets()).noneMatch(p -> p.arn().equals(arn))
        .anyMatch(p -> p.arn().equals(notOurs));
    assertThat(sandbox.state().assignments()).noneMatch(a -> a.permissionSetArn().equals(arn));
    assertThat(audit.forRequest(orphanRequest).stream().map(AuditEvent::action)).contains("craft.leftover-removed");
  }

  @Test
  @Order(7)
  void aRevokeNeverRemovesAccessThatAConcurrentGrantOfTheSameAssignmentRecorded() {
    // erin holds PowerUserAccess in staging through A; B asks for the same while A ends.
    String a = approvedActive(request("erin", "PowerUserAccess", "PT1H", DemoOrganization.STAGING_ACCOUNT_ID));
    for (int round = 0; round < 3; round++) {
      String aId = a;
      Reply b = api.post("erin", "/api/requests",
          request("erin", "PowerUserAccess", "PT1H", DemoOrganization.STAGING_ACCOUNT_ID));
      String bId = b.body().get("id").asText();
      CompletableFuture<Reply> approve = CompletableFuture.supplyAsync(() ->
          api.post("bob", "/api/requests/" + bId + "/review", Map.of("outcome", "APPROVE")));
      CompletableFuture<Reply> revoke = CompletableFuture.supplyAsync(() ->
          api.post("bob", "/api/requests/" + aId + "/revoke", null));
      assertThat(approve.join().status()).isEqualTo(200);
      assertThat(revoke.join().status()).isEqualTo(200);
      api.awaitStatus(bId, "ACTIVE");
      await().atMost(Duration.ofSeconds(30)).until(() -> !"ACTIVE".equals(status(aId)));
      api.awaitStatus(a, "REVOKED");
      assertThat(sandbox.state().hasAssignment(DemoOrganization.STAGING_ACCOUNT_ID,
          DemoOrganization.POWER_USER_PERMISSION_SET_ARN, "USER", DemoOrganization.ERIN_USER_ID))
          .as("B is ACTIVE, so erin's assignment must still be in AWS (round %d)", round).isTrue();
      a = bId;
    }
  }

  @Test
  @Order(8)
  void teardownRemovesEverythingAirlockCreatedAndReportsIt() {
    String granted = approvedActive(request("alice", "PowerUserAccess", "PT1H", DemoOrganization.SANDBOX_ACCOUNT_ID));
    Map<String, Object> craftBody = craft(Map.of("template", "SERVICES_READ_ONLY", "services", List.of("ec2", "rds")));
    String crafted = approvedActive(craftBody);
    String craftedArn = api.get("admin", "/api/requests/" + crafted).body().get("permissionSetArn").asText();
    Reply pending = api.post("alice", "/api/requests", request("alice", "AdministratorAccess", "PT1H"));
    String pendingId = pending.body().get("id").asText();

    assertThat(api.post("dave", "/api/admin/teardown", null).status()).isEqualTo(403);
    Reply report = api.post("admin", "/api/admin/teardown", null);
    assertThat(report.status()).as(report.raw()).isEqualTo(200);

    List<String> ended = report.body().get("endedRequests").findValuesAsText("id");
    assertThat(ended).contains(granted, crafted, pendingId);
    JsonNode craftedEnd = java.util.stream.StreamSupport.stream(report.body().get("endedRequests").spliterator(), false)
        .filter(e -> e.get("id").asText().equals(crafted)).findFirst().orElseThrow();
    assertThat(craftedEnd.get("details").get("craftedPermissionSetDeleted").asBoolean()).isTrue();
    assertThat(sandbox.state().permissionSets()).noneMatch(p -> p.arn().equals(craftedArn));
    assertThat(status(granted)).isEqualTo("REVOKED");
    assertThat(status(crafted)).isEqualTo("REVOKED");
    assertThat(status(pendingId)).isEqualTo("FAILED");
    assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(granted).count()).isZero();
    assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(pendingId).count()).isZero();
    assertThat(sandbox.state().permissionSets()).noneMatch(p -> "true".equals(p.tags().get("airlock:managed")));
    assertThat(sandbox.state().hasAssignment(DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN, "USER", DemoOrganization.ALICE_USER_ID)).isFalse();
    // What Airlock did not create stays: carol's assignment added outside Airlock in test 1.
    assertThat(sandbox.state().hasAssignment(DemoOrganization.STAGING_ACCOUNT_ID,
        DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, "USER", DemoOrganization.CAROL_USER_ID)).isTrue();
    assertThat(audit.range(1, 100_000).stream().map(AuditEvent::action)).contains("integration.teardown");
    assertThat(audit.verify().intact()).isTrue();
  }

  // ---- revoked means revoked: the principal's live sessions end at revoke ------------------

  /** An AWS admin's own statement in a set Airlock manages: Airlock must keep it. */
  private static final String ADMINS_STATEMENT = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
      + "\"TeamReadsCosts\",\"Effect\":\"Allow\",\"Action\":\"ce:GetCostAndUsage\",\"Resource\":\"*\"}]}";
  private String aliceFirstViewOnly;
  private Instant aliceFirstSession;
  private Instant aliceSessionsIssuedBefore;
  private Instant erinSession;

  @Test
  @Order(10)
  void aRevokeDeniesThePrincipalsSessionsIssuedBeforeItInTheManagedSet() throws Exception {
    // The organization's admin hands ViewOnlyAccess to Airlock (tag) and has a statement of his own in it.
    aws.tagResource(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN).resourceArn(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN)
        .tags(Tag.builder().key("airlock:managed").value("true").build()));
    aws.putInlinePolicyToPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN).inlinePolicy(ADMINS_STATEMENT));

    String id = approvedActive(request("alice", "ViewOnlyAccess", "PT1H"));
    // alice signs in to the account through the portal: a role session issued now.
    Instant session = Instant.parse(api.get("alice", "/api/requests/" + id).body().get("grantStart").asText());
    assertThat(deniedNow(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.ALICE_USER_ID, session)).as("while granted").isFalse();

    assertThat(api.post("alice", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
    JsonNode revoked = api.awaitStatus(id, "REVOKED");
    Instant revokedAt = Instant.parse(revoked.get("revokedAt").asText());

    // What AWS enforces on the role in the sandbox account now: alice's earlier session is denied ...
    assertThat(deniedNow(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.ALICE_USER_ID, session)).as("alice's session from before the revoke").isTrue();
    // ... while another user's sessions of the same set, and sessions issued after the revoke, are not.
    assertThat(deniedNow(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.BOB_USER_ID, session)).as("bob's session").isFalse();
    assertThat(deniedNow(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.ALICE_USER_ID, revokedAt.plusSeconds(5))).as("a session issued after the revoke").isFalse();

    JsonNode policy = JSON.readTree(aws.getInlinePolicyForPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN)).inlinePolicy());
    assertThat(policy.get("Statement").findValuesAsText("Sid")).as("the admin's statement stays")
        .contains("TeamReadsCosts").hasSize(2);
    JsonNode deny = denyOf(policy, DemoOrganization.ALICE_USER_ID);
    assertThat(deny.get("Action").toString()).isIn("\"*\"", "[\"*\"]");
    assertThat(deny.get("Condition").get("StringEquals").get("aws:PrincipalAccount").asText())
        .isEqualTo(DemoOrganization.SANDBOX_ACCOUNT_ID);
    Instant issuedBefore = Instant.parse(deny.get("Condition").get("DateLessThan").get("aws:TokenIssueTime").asText());
    assertThat(issuedBefore).isAfter(session).isBetween(revokedAt.minusSeconds(1), revokedAt.plusSeconds(10));

    // The incident responder reads when the sessions ended, and until when the deny stays.
    JsonNode ended = timelineEntry(id, "sessions.ended");
    Instant endedAt = Instant.parse(ended.get("details").get("sessionsEndedAt").asText());
    assertThat(endedAt).isAfterOrEqualTo(revokedAt.minusSeconds(1));
    Instant issuedBeforeRecorded = Instant.parse(ended.get("details").get("sessionsIssuedBefore").asText());
    assertThat(Instant.parse(ended.get("details").get("deniedUntil").asText()))
        .isEqualTo(issuedBeforeRecorded.plus(Duration.ofHours(1))); // ViewOnlyAccess: PT1H sessions
    assertThat(audit.forRequest(id).stream().map(AuditEvent::action))
        .containsSubsequence("access.revoked", "request.status").contains("sessions.ended");
    aliceFirstViewOnly = id;
    aliceFirstSession = session;
    aliceSessionsIssuedBefore = issuedBefore;
  }

  @Test
  @Order(11)
  void aRevokeLeavesTheSessionsThatAnotherActiveGrantStillJustifies() throws Exception {
    aws.tagResource(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN).resourceArn(DemoOrganization.POWER_USER_PERMISSION_SET_ARN)
        .tags(Tag.builder().key("airlock:managed").value("true").build()));
    String first = approvedActive(request("erin", "PowerUserAccess", "PT1H"));
    String second = approvedActive(request("erin", "PowerUserAccess", "PT1H"));
    Instant session = Instant.parse(api.get("erin", "/api/requests/" + first).body().get("grantStart").asText());

    assertThat(api.post("erin", "/api/requests/" + first + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(first, "REVOKED");
    assertThat(sandbox.state().hasAssignment(DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN, "USER", DemoOrganization.ERIN_USER_ID)).isTrue();
    assertThat(deniedNow(DemoOrganization.POWER_USER_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.ERIN_USER_ID, session)).as("erin's session is still justified by " + second).isFalse();
    assertThat(aws.getInlinePolicyForPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(DemoOrganization.POWER_USER_PERMISSION_SET_ARN)).inlinePolicy()).isNullOrEmpty();
    assertThat(timelineEntry(first, "access.revoked").get("details").get("keptForRequests").toString()).contains(second);
    assertThat(audit.forRequest(first).stream().map(AuditEvent::action)).doesNotContain("sessions.ended");

    // When the second grant ends too, nothing justifies the session any more.
    assertThat(api.post("erin", "/api/requests/" + second + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(second, "REVOKED");
    assertThat(deniedNow(DemoOrganization.POWER_USER_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.ERIN_USER_ID, session)).isTrue();
    assertThat(timelineEntry(second, "sessions.ended").get("details").has("sessionsEndedAt")).isTrue();
    erinSession = session;
  }

  @Test
  @Order(12)
  void aLaterGrantOfTheSameSetToTheSamePrincipalIsNotDenied() throws Exception {
    String again = approvedActive(request("alice", "ViewOnlyAccess", "PT1H"));
    Instant newSession = Instant.parse(api.get("alice", "/api/requests/" + again).body().get("grantStart").asText());
    assertThat(newSession).isAfterOrEqualTo(aliceSessionsIssuedBefore);
    // Signing in again through the new grant works; the session from the revoked grant stays denied.
    assertThat(deniedNow(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.ALICE_USER_ID, newSession)).as("the new grant's session").isFalse();
    assertThat(deniedNow(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.ALICE_USER_ID, aliceFirstSession)).as("the revoked grant's session").isTrue();

    // Its own revoke moves alice's deny to the later time: one statement, not two.
    assertThat(api.post("alice", "/api/requests/" + again + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(again, "REVOKED");
    JsonNode policy = JSON.readTree(aws.getInlinePolicyForPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN)).inlinePolicy());
    assertThat(policy.get("Statement")).hasSize(2);
    assertThat(deniedNow(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.ALICE_USER_ID, newSession)).isTrue();
    assertThat(timelineEntry(again, "sessions.ended").get("details").get("sessionsEndedAt")).isNotNull();
  }

  @Test
  @Order(13)
  void aPermissionSetAirlockDoesNotManageIsNeverChanged() {
    var before = aws.describePermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN)).permissionSet();
    long puts = sandbox.state().callCount("PutInlinePolicyToPermissionSet");
    long provisions = sandbox.state().callCount("ProvisionPermissionSet");

    String id = approvedActive(request("alice", "ReadOnlyAccess", "PT1H"));
    assertThat(api.post("alice", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");

    assertThat(aws.getInlinePolicyForPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN)).inlinePolicy()).isNullOrEmpty();
    assertThat(aws.describePermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .permissionSetArn(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN)).permissionSet()).isEqualTo(before);
    assertThat(sandbox.state().callCount("PutInlinePolicyToPermissionSet")).isEqualTo(puts);
    assertThat(sandbox.state().callCount("ProvisionPermissionSet")).isEqualTo(provisions);
    // The timeline says so, and why.
    JsonNode notEnded = timelineEntry(id, "sessions.not-ended");
    assertThat(notEnded.get("details").get("reason").asText()).contains("not managed by Airlock", "PT1H");
  }

  @Test
  @Order(14)
  void theDenyIsRemovedOnceEverySessionItEndsHasExpired() throws Exception {
    assertThat(sandbox.state().provisionedInlinePolicy(DemoOrganization.POWER_USER_PERMISSION_SET_ARN,
        DemoOrganization.SANDBOX_ACCOUNT_ID)).contains("AirlockEndSessions");
    try {
      clock.advance(Duration.ofMinutes(59)); // not yet: the sessions last an hour
      // Clean-up passes run every second meanwhile; the denies must stay through them.
      await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() ->
          deniedNow(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
              DemoOrganization.ALICE_USER_ID, aliceFirstSession)
          && deniedNow(DemoOrganization.POWER_USER_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
              DemoOrganization.ERIN_USER_ID, erinSession));

      clock.advance(Duration.ofMinutes(2));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(sandbox.state().provisionedInlinePolicy(DemoOrganization.POWER_USER_PERMISSION_SET_ARN,
            DemoOrganization.SANDBOX_ACCOUNT_ID)).as("PowerUserAccess had no inline policy before").isNull();
        assertThat(sandbox.state().provisionedInlinePolicy(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN,
            DemoOrganization.SANDBOX_ACCOUNT_ID)).as("what the role in the account carries")
            .doesNotContain("AirlockEndSessions").contains("TeamReadsCosts");
        assertThat(audit.range(1, 100_000).stream().filter(e -> e.action().equals("sessions.deny-removed")))
            .as("one removal each for alice's ViewOnlyAccess and erin's PowerUserAccess, audited")
            .hasSize(2).allSatisfy(e -> assertThat(e.details()).contains("\"deniedUntil\""));
      });
      assertThat(aws.getInlinePolicyForPermissionSet(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
          .permissionSetArn(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN)).inlinePolicy())
          .doesNotContain("AirlockEndSessions").contains("TeamReadsCosts");
    } finally {
      clock.reset();
    }
    assertThat(sandbox.state().provisionedInlinePolicy(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN,
        DemoOrganization.SANDBOX_ACCOUNT_ID)).contains("TeamReadsCosts", "ce:GetCostAndUsage")
        .doesNotContain("AirlockEndSessions", "Deny");
    assertThat(deniedNow(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.ALICE_USER_ID, aliceFirstSession)).isFalse();
    assertThat(audit.forRequest(aliceFirstViewOnly).stream().map(AuditEvent::action)
        .filter(a -> a.startsWith("sessions."))).containsExactly("sessions.ended");
  }

  @Test
  @Order(15)
  void anIncrementalScanReadsAgainOnlyWhatTheTrailNamesAndTheDailyFullScanTheRest() throws Exception {
    SandboxState state = sandbox.state();
    Reply full = api.post("dave", "/api/inventory/scan", null);
    assertThat(full.status()).as(full.raw()).isEqualTo(200);
    int fullCalls = full.body().get("awsCalls").asInt();

    // Behind Airlock's back, through the API (CloudTrail records the calls): carol gets
    // PowerUserAccess in production, erin loses ReadOnlyAccess in staging.
    state.addAssignment(DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, "USER",
        DemoOrganization.ERIN_USER_ID);
    api.post("dave", "/api/inventory/scan", null);
    aws.createAccountAssignment(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .targetId(DemoOrganization.PRODUCTION_ACCOUNT_ID).targetType("AWS_ACCOUNT")
        .permissionSetArn(DemoOrganization.POWER_USER_PERMISSION_SET_ARN)
        .principalType("USER").principalId(DemoOrganization.CAROL_USER_ID));
    aws.deleteAccountAssignment(r -> r.instanceArn(DemoOrganization.INSTANCE_ARN)
        .targetId(DemoOrganization.STAGING_ACCOUNT_ID).targetType("AWS_ACCOUNT")
        .permissionSetArn(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN)
        .principalType("USER").principalId(DemoOrganization.ERIN_USER_ID));
    await().atMost(Duration.ofSeconds(10)).until(() -> state.hasAssignment(DemoOrganization.PRODUCTION_ACCOUNT_ID,
        DemoOrganization.POWER_USER_PERMISSION_SET_ARN, "USER", DemoOrganization.CAROL_USER_ID)
        && !state.hasAssignment(DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
            "USER", DemoOrganization.ERIN_USER_ID));
    // A new user and a new account: the emulator's identity store and Organizations take no
    // writes over HTTP, so the test records the events AWS would record beside the change.
    String grace = state.addUser("grace", "Grace", "Hopper", "grace@airlock.example");
    sandbox.cloudTrail().recordChange(DemoOrganization.MANAGEMENT_ACCOUNT_ID, "us-east-1",
        "identitystore.amazonaws.com", "CreateUser", "ASIAIDPSCIM0000001",
        JSON.readTree("{\"IdentityStoreId\":\"" + DemoOrganization.IDENTITY_STORE_ID + "\",\"UserName\":\"grace\"}"),
        JSON.readTree("{\"UserId\":\"" + grace + "\"}"));
    state.addAccount("777777777777", "analytics", DemoOrganization.ROOT_ID, Map.of("environment", "analytics"));
    sandbox.cloudTrail().recordChange(DemoOrganization.MANAGEMENT_ACCOUNT_ID, "us-east-1",
        "organizations.amazonaws.com", "CreateAccount", "ASIAORGADMIN000001",
        JSON.readTree("{\"AccountName\":\"analytics\",\"Email\":\"analytics@airlock.example\"}"), null);
    state.resetCounters();
    long tagReads = state.actionCounts(SANDBOX_ACCESS_KEY).getOrDefault("organizations:ListTagsForResource", 0L);
    io.airlock.inventory.ScanSummary incremental = inventory.refresh("airlock", () -> { });
    assertThat(incremental.kind()).isEqualTo("incremental");
    assertThat(incremental.changesRead()).isPositive();
    assertThat(state.callCount("LookupEvents")).isPositive();
    assertThat(state.callCount("ListAccountsForProvisionedPermissionSet")
        + state.callCount("ListPermissionSetsProvisionedToAccount"))
        .as("no pair is looked for: the trail names them").isZero();
    assertThat(state.actionCounts(SANDBOX_ACCESS_KEY).get("organizations:ListTagsForResource") - tagReads)
        .as("only the new account's tags").isEqualTo(1);
    assertThat(incremental.awsCalls()).isLessThan(fullCalls);

    JsonNode carols = api.get("carol", "/api/inventory/assignments?principalId=" + DemoOrganization.CAROL_USER_ID).body();
    assertThat(carols.toString()).contains(DemoOrganization.PRODUCTION_ACCOUNT_ID)
        .contains(DemoOrganization.POWER_USER_PERMISSION_SET_ARN);
    JsonNode erins = api.get("carol", "/api/inventory/assignments?principalId=" + DemoOrganization.ERIN_USER_ID).body();
    assertThat(erins.toString()).doesNotContain(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN)
        .doesNotContain(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN);
    assertThat(api.get("carol", "/api/inventory/users").body().findValuesAsText("userName")).contains("grace");
    JsonNode accounts = api.get("carol", "/api/inventory/accounts").body();
    assertThat(accounts.toString()).contains("777777777777").contains("analytics");
    assertThat(audit.range(1, 1_000_000).stream().filter(e -> "inventory.scanned".equals(e.action()))
        .reduce((a, b) -> b).orElseThrow().details()).contains("\"kind\":\"incremental\"");

    // What the incremental scan stored is what a full scan stores.
    Map<String, String> incrementally = inventorySnapshot();
    Reply again = api.post("dave", "/api/inventory/scan", null);
    assertThat(again.status()).as(again.raw()).isEqualTo(200);
    assertThat(inventorySnapshot()).isEqualTo(incrementally);

    // A change no trail saw (no API call made it: a pair no call of this class touched, as the
    // trail's window reaches an hour back) waits for the daily full scan.
    state.addAssignment(DemoOrganization.PRODUCTION_ACCOUNT_ID, DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN,
        "USER", DemoOrganization.ERIN_USER_ID);
    assertThat(inventory.refresh("airlock", () -> { }).kind()).isEqualTo("incremental");
    erins = api.get("carol", "/api/inventory/assignments?principalId=" + DemoOrganization.ERIN_USER_ID).body();
    assertThat(erins.toString()).doesNotContain(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN);
    // A day later the schedule reads everything again: the change no trail saw is found.
    clock.advance(Duration.ofDays(1).plusMinutes(1));
    try {
      io.airlock.inventory.ScanSummary daily = inventory.refresh("airlock", () -> { });
      assertThat(daily.kind()).isEqualTo("full");
      erins = api.get("carol", "/api/inventory/assignments?principalId=" + DemoOrganization.ERIN_USER_ID).body();
      assertThat(erins.toString()).contains(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN);
    } finally {
      clock.reset();
    }
  }

  /** Everything the inventory API serves, by path. */
  private Map<String, String> inventorySnapshot() {
    Map<String, String> snapshot = new LinkedHashMap<>();
    for (String part : List.of("accounts", "users", "groups", "memberships", "permission-sets", "assignments")) {
      Reply r = api.get("carol", "/api/inventory/" + part);
      assertThat(r.status()).as(r.raw()).isEqualTo(200);
      snapshot.put(part, r.body().toString());
    }
    return snapshot;
  }

  @Test
  @Order(20)
  void theIntegrationRoleAllowsExactlyTheCallsAirlockMade() {
    // The tests above drove every path of Airlock's adapter: scan, look-ups, grant, revoke,
    // craft, provisioning, clean-up, teardown. Only the calls made with Airlock's credentials
    // count (the test's own SDK client signs with another key).
    java.util.Set<String> called = new java.util.TreeSet<>(
        sandbox.state().actionCounts(SANDBOX_ACCESS_KEY).keySet());
    called.remove("sts:AssumeRole"); // the runtime principal's right, not the role's
    java.util.Set<String> allowed = new java.util.TreeSet<>(io.airlock.aws.IntegrationRoleTemplate.load(Map.of(
        "TrustedPrincipalArn", "arn:aws:iam::123456789012:role/airlock-runtime",
        "ExternalId", "airlock-external-id-0001",
        "IdentityCenterInstanceArn", DemoOrganization.INSTANCE_ARN,
        "IdentityStoreId", DemoOrganization.IDENTITY_STORE_ID,
        "OrganizationId", "o-airlock0001")).wireActions());

    assertThat(allowed).as("every call Airlock made is allowed by the role").containsAll(called);
    java.util.Set<String> neverCalled = new java.util.TreeSet<>(allowed);
    neverCalled.removeAll(called);
    assertThat(neverCalled).as("the role allows nothing Airlock never calls").isEmpty();
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** What AWS would enforce now on a session of the user, issued at {@code issuedAt}, of the set's role in the account. */
  private boolean deniedNow(String permissionSetArn, String accountId, String userId, Instant issuedAt) {
    return sandbox.state().sessionDenied(permissionSetArn, accountId, userId, issuedAt);
  }

  private static JsonNode denyOf(JsonNode policy, String userId) {
    return java.util.stream.StreamSupport.stream(policy.get("Statement").spliterator(), false)
        .filter(s -> "Deny".equals(s.path("Effect").asText())
            && userId.equals(s.path("Condition").path("StringEquals").path("identitystore:userId").asText()))
        .findFirst().orElseThrow(() -> new AssertionError("no deny for " + userId + " in " + policy));
  }

  private JsonNode timelineEntry(String id, String action) {
    JsonNode timeline = api.get("admin", "/api/requests/" + id).body().get("timeline");
    return java.util.stream.StreamSupport.stream(timeline.spliterator(), false)
        .filter(e -> action.equals(e.get("action").asText())).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no " + action + " in the timeline of " + id + ": " + timeline));
  }

  private record Assertions400(List<String> fields, List<String> messages) {}

  private Assertions400 refuse(Map<String, Object> body) {
    Reply r = api.post("alice", "/api/requests", body);
    assertThat(r.status()).as(r.raw()).isEqualTo(400);
    assertThat(r.contentType()).contains("application/problem+json");
    return new Assertions400(r.body().get("errors").findValuesAsText("field"),
        r.body().get("errors").findValuesAsText("message"));
  }

  /** Files the request as its principal (asking for yourself), approved by bob where needed. */
  private String approvedActive(Map<String, Object> body) {
    Reply submitted = api.post((String) body.get("principal"), "/api/requests", body);
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    if ("PENDING_REVIEW".equals(submitted.body().get("status").asText())) {
      Reply approved = api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
      assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
    }
    api.awaitStatus(id, "ACTIVE");
    return id;
  }

  private String status(String id) {
    return api.get("admin", "/api/requests/" + id).body().get("status").asText();
  }

  private static Map<String, Object> craft(Map<String, Object> craft) {
    Map<String, Object> body = request("alice", null, "PT1H");
    body.put("craft", craft);
    return body;
  }

  private static Map<String, Object> request(String principal, String permission, String duration) {
    return request(principal, permission, duration, DemoOrganization.SANDBOX_ACCOUNT_ID);
  }

  private static Map<String, Object> request(String principal, String permission, String duration, String target) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("system", "AWS");
    r.put("target", target);
    r.put("principal", principal);
    if (permission != null) {
      r.put("permission", permission);
    }
    r.put("duration", duration);
    r.put("justification", "Investigate incident INC-42");
    return r;
  }
}
