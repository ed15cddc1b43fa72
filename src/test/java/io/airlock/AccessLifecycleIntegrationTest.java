package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.audit.AuditEvent;
import io.airlock.audit.AuditLog;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.People;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.SandboxSso;
import io.airlock.support.WebappSession;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.AccountAssignment;

/**
 * The whole application on PostgreSQL, with the AWS emulator over HTTP: a requester asks, an
 * approver approves over the REST API, the access appears in AWS, and goes away by itself when
 * its few seconds are over. Checked the way a user would: HTTP answers, and AWS through the SDK.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.request.min-duration=PT2S",
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessLifecycleIntegrationTest {

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired org.camunda.bpm.engine.IdentityService identity;
  @Autowired AuditLog audit;

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
  void requestApprovedByAnotherUserIsGrantedInAwsAndRevokedWhenItsTimeIsUp() {
    Reply submitted = api.post("alice", "/api/requests", request("alice", "PowerUserAccess", "PT4S"));
    assertThat(submitted.status()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    assertThat(submitted.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(submitted.body().get("reason").asText()).isNotBlank();
    assertThat(submitted.body().get("requester").asText()).isEqualTo("alice");
    assertThat(assignments()).noneMatch(a -> a.principalId().equals(DemoOrganization.ALICE_USER_ID));

    Reply approved = api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE", "comment", "ok"));
    assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
    assertThat(approved.body().get("reviewer").asText()).isEqualTo("bob");

    JsonNode active = api.awaitStatus(id, "ACTIVE");
    Instant start = Instant.parse(active.get("grantStart").asText());
    Instant end = Instant.parse(active.get("grantEnd").asText());
    assertThat(Duration.between(start, end)).isEqualTo(Duration.ofSeconds(4));
    assertThat(assignments()).anyMatch(a -> a.principalId().equals(DemoOrganization.ALICE_USER_ID));

    api.awaitStatus(id, "REVOKED");
    assertThat(assignments()).noneMatch(a -> a.principalId().equals(DemoOrganization.ALICE_USER_ID));

    List<String> actions = audit.forRequest(id).stream().map(AuditEvent::action).toList();
    assertThat(actions).containsSubsequence("request.submitted", "policy.decided", "policy.decided",
        "request.status", "review.approved", "request.status", "access.granted", "request.status",
        "access.revoked", "request.status");
    assertThat(audit.forRequest(id)).filteredOn(e -> e.action().equals("access.granted"))
        .singleElement().satisfies(e -> assertThat(e.details()).contains("awsRequestIds"));
    assertThat(audit.verify().intact()).isTrue();

    // The requester reads the same story in the request's timeline.
    JsonNode timeline = api.get("alice", "/api/requests/" + id).body().get("timeline");
    assertThat(timeline.findValuesAsText("action")).containsSubsequence("request.submitted", "review.approved",
        "access.granted", "access.revoked");
    JsonNode review = java.util.stream.StreamSupport.stream(timeline.spliterator(), false)
        .filter(e -> e.get("action").asText().equals("review.approved")).findFirst().orElseThrow();
    assertThat(review.get("actor").asText()).isEqualTo("bob");
    assertThat(review.get("details").get("comment").asText()).isEqualTo("ok");
    assertThat(api.get("alice", "/api/requests").body().get(0).has("timeline")).isFalse();
  }

  @Test
  void requesterCannotApproveTheirOwnRequestThroughAnyApi() {
    // bob is in the approver group himself, so only the review guard stands in the way.
    Reply submitted = api.post("bob", "/api/requests", request("bob", "PowerUserAccess", "PT1M"));
    assertThat(submitted.status()).isEqualTo(201);
    String id = submitted.body().get("id").asText();

    Reply viaApi = api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
    assertThat(viaApi.status()).isEqualTo(403);
    assertThat(viaApi.contentType()).contains("application/problem+json");
    assertThat(viaApi.body().get("detail").asText()).contains("own access request");

    Reply tasks = api.get("bob", "/engine-rest/task?processInstanceBusinessKey=" + id);
    assertThat(tasks.status()).isEqualTo(200);
    assertThat(tasks.body()).hasSize(1);
    String taskId = tasks.body().get(0).get("id").asText();
    Reply viaEngineRest = api.post("bob", "/engine-rest/task/" + taskId + "/complete",
        Map.of("variables", Map.of("reviewOutcome", Map.of("value", "APPROVE"))));
    assertThat(viaEngineRest.status()).isEqualTo(403);
    assertThat(viaEngineRest.raw()).contains("own access request");

    // alice is not an approver at all: the engine's authorization refuses her.
    Reply notApprover = api.post("alice", "/engine-rest/task/" + taskId + "/complete",
        Map.of("variables", Map.of("reviewOutcome", Map.of("value", "APPROVE"))));
    assertThat(notApprover.status()).isEqualTo(403);

    assertThat(api.get("bob", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(api.get("bob", "/engine-rest/task?processInstanceBusinessKey=" + id).body()).hasSize(1);

    Reply denied = api.post("dave", "/api/requests/" + id + "/review", Map.of("outcome", "DENY", "comment", "not now"));
    assertThat(denied.status()).isEqualTo(200);
    assertThat(denied.body().get("status").asText()).isEqualTo("DENIED");
  }

  @Test
  void nothingAnswersWithoutSignIn() {
    for (String path : List.of("/api/requests", "/engine-rest/task", "/engine-rest/deployment", "/v3/api-docs",
        "/actuator/health", "/api/requests/anything")) {
      Reply r = api.get(null, path);
      assertThat(r.status()).as(path).isEqualTo(401);
    }
    Reply post = api.post(null, "/api/requests", request("alice", "ReadOnlyAccess", "PT1H"));
    assertThat(post.status()).isEqualTo(401);
    assertThat(post.contentType()).contains("application/problem+json");
    assertThat(api.get("alice", "/api/requests").status()).isEqualTo(200);
    assertThat(api.get("mallory", "/api/requests").status()).isEqualTo(401);
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndStartsNothing() {
    int before = api.get("erin", "/api/requests").body().size();
    Map<String, Object> bad = request("erin", "NoSuchPermissionSet", "forever");
    bad.put("target", "999999999999");
    bad.put("justification", "");
    Reply r = api.post("erin", "/api/requests", bad);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.contentType()).contains("application/problem+json");
    List<String> fields = r.body().get("errors").findValuesAsText("field");
    assertThat(fields).contains("duration", "justification", "target", "permission");

    Map<String, Object> tooLong = request("erin", "ReadOnlyAccess", "P30D");
    assertThat(api.post("erin", "/api/requests", tooLong).body().get("errors").findValuesAsText("field"))
        .containsExactly("duration");
    Map<String, Object> unknownUser = request("nobody-here", "ReadOnlyAccess", "PT1H");
    assertThat(api.post("erin", "/api/requests", unknownUser).body().get("errors").findValuesAsText("field"))
        .containsExactly("principal");
    Map<String, Object> longJustification = request("erin", "ReadOnlyAccess", "PT1H");
    longJustification.put("justification", "x".repeat(1001));
    assertThat(api.post("erin", "/api/requests", longJustification).body().get("errors").findValuesAsText("field"))
        .containsExactly("justification");

    assertThat(api.get("erin", "/api/requests").body().size()).isEqualTo(before);
  }

  @Test
  void outOfScopeAndAutoApprovedRequestsAreDecidedByPolicy() {
    Reply outOfScope = api.post("erin", "/api/requests", request("erin", "AdministratorAccess", "PT1H", "111111111111"));
    assertThat(outOfScope.status()).isEqualTo(201);
    assertThat(outOfScope.body().get("status").asText()).isEqualTo("REJECTED_OUT_OF_SCOPE");

    Reply auto = api.post("erin", "/api/requests", request("erin", "ReadOnlyAccess", "PT30M"));
    assertThat(auto.status()).isEqualTo(201);
    assertThat(auto.body().get("decision").asText()).isEqualTo("APPROVE");
    String id = auto.body().get("id").asText();
    api.awaitStatus(id, "ACTIVE");
    assertThat(assignments(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN))
        .anyMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID));

    Reply revoked = api.post("erin", "/api/requests/" + id + "/revoke", Map.of("reason", "done with the logs"));
    assertThat(revoked.status()).as(revoked.raw()).isEqualTo(200);
    assertThat(revoked.body().get("revokeRequestedBy").asText()).isEqualTo("erin");
    assertThat(revoked.body().get("revokeReason").asText()).isEqualTo("done with the logs");
    api.awaitStatus(id, "REVOKED");
    assertThat(assignments(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN))
        .noneMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID));
  }

  @Test
  void requesterStartsTheRequestInTasklistWithItsFormAndApproverSeesTheReview() {
    assertThat(api.post("admin", "/api/inventory/scan", null).status()).isEqualTo(200); // account names for the tasks
    // (Not alice: after a failed attempt Camunda delays that user's next sign-in.)
    assertThat(new WebappSession(port).login("carol", "wrong")).isEqualTo(401);
    WebappSession alice = new WebappSession(port);
    assertThat(alice.login("alice", "airlock")).isEqualTo(200);
    String engine = "/camunda/api/engine/engine/default";

    JsonNode startable = WebappSession.json(alice.get(engine
        + "/process-definition?latestVersion=true&startableInTasklist=true&startablePermissionCheck=true"));
    assertThat(startable.findValuesAsText("name")).containsExactly("Request AWS access");
    String definitionId = startable.get(0).get("id").asText();
    JsonNode startForm = WebappSession.json(alice.get(engine + "/process-definition/" + definitionId + "/deployed-start-form"));
    assertThat(startForm.get("id").asText()).isEqualTo("request-aws-access");
    assertThat(startForm.get("components").findValuesAsText("key")).contains("startAt", "breakGlass");

    // A later start from the form: approved by policy, granted only then.
    String tomorrow = Instant.now().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    var scheduled = alice.postJson(engine + "/process-definition/" + definitionId + "/submit-form",
        Map.of("variables", Map.of("system", Map.of("value", "AWS"), "target", Map.of("value", "222222222222"),
            "principal", Map.of("value", "alice"), "permission", Map.of("value", "ReadOnlyAccess"),
            "duration", Map.of("value", "PT30M"), "justification", Map.of("value", "Tomorrow's log review"),
            "startAt", Map.of("value", tomorrow), "breakGlass", Map.of("value", false, "type", "Boolean"))));
    assertThat(scheduled.statusCode()).as(scheduled.body()).isEqualTo(200);
    String scheduledId = WebappSession.json(scheduled).get("businessKey").asText();
    JsonNode later = api.get("alice", "/api/requests/" + scheduledId).body();
    assertThat(later.get("status").asText()).isEqualTo("SCHEDULED");
    assertThat(Instant.parse(later.get("startAt").asText())).isEqualTo(Instant.parse(tomorrow));
    assertThat(api.post("alice", "/api/requests/" + scheduledId + "/withdraw", null).status()).isEqualTo(200);

    // Bad input from the form: a readable message, and nothing is started.
    var refused = alice.postJson(engine + "/process-definition/" + definitionId + "/submit-form",
        Map.of("variables", Map.of("system", Map.of("value", "AWS"), "target", Map.of("value", "222222222222"),
            "principal", Map.of("value", "alice"), "permission", Map.of("value", "ReadOnlyAccess"),
            "duration", Map.of("value", "forever"), "justification", Map.of("value", "check logs"))));
    assertThat(refused.statusCode()).isGreaterThanOrEqualTo(400);
    assertThat(refused.body()).contains("duration").contains("ISO-8601");

    var started = alice.postJson(engine + "/process-definition/" + definitionId + "/submit-form",
        Map.of("variables", Map.of("system", Map.of("value", "AWS"), "target", Map.of("value", "333333333333"),
            "principal", Map.of("value", "alice"), "permission", Map.of("value", "PowerUserAccess"),
            "duration", Map.of("value", "PT1H"), "justification", Map.of("value", "Rotate staging certificates"))));
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    String requestId = WebappSession.json(started).get("businessKey").asText();
    JsonNode request = api.get("alice", "/api/requests/" + requestId).body();
    assertThat(request.get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(request.get("requester").asText()).isEqualTo("alice");

    // alice does not see the review; bob does, with its form.
    assertThat(WebappSession.json(alice.get(engine + "/task?processInstanceBusinessKey=" + requestId))).isEmpty();
    WebappSession bob = new WebappSession(port);
    assertThat(bob.login("bob", "airlock")).isEqualTo(200);
    JsonNode tasks = WebappSession.json(bob.get(engine + "/task?processInstanceBusinessKey=" + requestId));
    assertThat(tasks).hasSize(1);
    assertThat(tasks.get(0).get("name").asText())
        .isEqualTo("Review: alice · PowerUserAccess · staging (333333333333) · 1 h");
    assertThat(tasks.get(0).get("description").asText()).contains("alice asks for PowerUserAccess on staging")
        .contains("Justification: Rotate staging certificates");
    String taskId = tasks.get(0).get("id").asText();
    assertThat(WebappSession.json(bob.get(engine + "/task/" + taskId + "/deployed-form")).get("id").asText())
        .isEqualTo("review-access-request");
    var denied = bob.postJson(engine + "/task/" + taskId + "/submit-form", Map.of("variables", Map.of(
        "reviewOutcome", Map.of("value", "DENY"), "reviewComment", Map.of("value", "use the runbook"))));
    assertThat(denied.statusCode()).as(denied.body()).isIn(200, 204);
    assertThat(api.get("alice", "/api/requests/" + requestId).body().get("status").asText()).isEqualTo("DENIED");
  }

  @Test
  void theRequesterWithdrawsARequestWaitingForReviewAndNobodyElseMay() {
    Reply submitted = api.post("alice", "/api/requests", request("alice", "PowerUserAccess", "PT1H",
        DemoOrganization.STAGING_ACCOUNT_ID));
    String id = submitted.body().get("id").asText();
    assertThat(submitted.body().get("status").asText()).isEqualTo("PENDING_REVIEW");

    assertThat(api.post("erin", "/api/requests/" + id + "/withdraw", null).status()).isEqualTo(404);
    Reply byApprover = api.post("bob", "/api/requests/" + id + "/withdraw", null);
    assertThat(byApprover.status()).isEqualTo(403);
    assertThat(byApprover.body().get("detail").asText()).contains("Only the requester");

    Reply withdrawn = api.post("alice", "/api/requests/" + id + "/withdraw", Map.of("reason", "fixed it myself"));
    assertThat(withdrawn.status()).as(withdrawn.raw()).isEqualTo(200);
    assertThat(withdrawn.body().get("status").asText()).isEqualTo("CANCELLED");
    assertThat(withdrawn.body().get("reason").asText()).contains("Withdrawn by alice: fixed it myself");
    assertThat(api.get("admin", "/engine-rest/process-instance?businessKey=" + id).body()).isEmpty();
    assertThat(api.get("bob", "/engine-rest/task?processInstanceBusinessKey=" + id).body()).isEmpty();

    Reply again = api.post("alice", "/api/requests/" + id + "/withdraw", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().get("detail").asText()).contains("CANCELLED");
    assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status()).isEqualTo(409);
  }

  @Test
  void twoApproversApprovingAtOnceGrantOnce() throws Exception {
    Reply submitted = api.post("alice", "/api/requests", request("alice", "AdministratorAccess", "PT1H"));
    String id = submitted.body().get("id").asText();
    assertThat(submitted.body().get("status").asText()).isEqualTo("PENDING_REVIEW");

    List<Integer> statuses = approveAtOnce(id, "bob", "dave");
    assertThat(statuses).containsExactly(200, 409);

    api.awaitStatus(id, "ACTIVE");
    List<String> actions = audit.forRequest(id).stream().map(AuditEvent::action).toList();
    assertThat(actions).filteredOn("review.approved"::equals).hasSize(1);
    assertThat(actions).filteredOn("access.granted"::equals).hasSize(1);
    assertThat(assignments(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN))
        .filteredOn(a -> a.principalId().equals(DemoOrganization.ALICE_USER_ID)).hasSize(1);
  }

  /** The approvers post their approvals of request {@code id} at the same instant; their HTTP statuses, sorted. */
  private List<Integer> approveAtOnce(String id, String... approvers) {
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(approvers.length);
    List<java.util.concurrent.CompletableFuture<Reply>> approvals = java.util.Arrays.stream(approvers)
        .map(approver -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            together.await();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return api.post(approver, "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
        })).toList();
    return approvals.stream().map(f -> f.join().status()).sorted().toList();
  }

  @Test
  void aQuorumsLastTwoApprovalsAtOnceGrantOnce() {
    // A third eligible approver, so that two can race for the second approval.
    org.camunda.bpm.engine.identity.User henry = identity.newUser("henry");
    henry.setPassword("airlock");
    identity.saveUser(henry);
    identity.createMembership("henry", "airlock-approvers");
    try {
      Reply submitted = api.post("dave", "/api/requests", request("dave", "AdministratorAccess", "PT30M",
          DemoOrganization.PRODUCTION_ACCOUNT_ID));
      String id = submitted.body().get("id").asText();
      assertThat(submitted.body().get("approvalsRequired").asInt()).isEqualTo(2);

      // The first approval: one of two; still one short. (Two first approvals at once may both
      // count, one after the other, as two different approvers may: that race has no single
      // right answer. The last two at once must never both count.)
      assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status())
          .isEqualTo(200);
      assertThat(api.get("dave", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
      List<String> others = List.of("grace", "henry");

      // The last two at once: exactly one completes the quorum, one grant.
      assertThat(approveAtOnce(id, others.get(0), others.get(1))).containsExactly(200, 409);
      api.awaitStatus(id, "ACTIVE");
      List<String> actions = audit.forRequest(id).stream().map(AuditEvent::action).toList();
      assertThat(actions).filteredOn("review.approved"::equals).hasSize(2);
      assertThat(actions).filteredOn("access.granted"::equals).hasSize(1);
      assertThat(production(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN))
          .filteredOn(a -> a.principalId().equals(DemoOrganization.DAVE_USER_ID)).hasSize(1);

      assertThat(api.post("dave", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
      api.awaitStatus(id, "REVOKED");
      assertThat(production(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN))
          .noneMatch(a -> a.principalId().equals(DemoOrganization.DAVE_USER_ID));
    } finally {
      identity.deleteUser("henry");
    }
  }

  @Test
  void revokeAndExtendAtTheSameInstantLeaveAwsAndAirlockAgreeing() {
    for (int round = 0; round < 3; round++) {
      Reply submitted = api.post("dave", "/api/requests", request("dave", "ViewOnlyAccess", "PT20M"));
      String id = submitted.body().get("id").asText();
      api.awaitStatus(id, "ACTIVE");

      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
      java.util.function.Function<java.util.function.Supplier<Reply>, java.util.concurrent.CompletableFuture<Reply>> atOnce =
          call -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
              together.await();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return call.get();
          });
      var revoke = atOnce.apply(() -> api.post("dave", "/api/requests/" + id + "/revoke", null));
      var extend = atOnce.apply(() -> api.post("dave", "/api/requests/" + id + "/extend", Map.of("by", "PT10M",
          "justification", "Race: a little longer")));
      assertThat(revoke.join().status()).isIn(200, 409);
      Reply extended = extend.join();
      assertThat(extended.status()).isIn(201, 409);

      // Whatever the order: once everything has settled, a request is ACTIVE exactly when AWS
      // has the assignment.
      String rework = extended.status() == 201 ? extended.body().get("id").asText() : null;
      await().atMost(Duration.ofSeconds(30)).until(() -> settled(id) && (rework == null || settled(rework)));
      boolean activeSomewhere = "ACTIVE".equals(status(id)) || (rework != null && "ACTIVE".equals(status(rework)));
      assertThat(assignments(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN)
          .stream().anyMatch(a -> a.principalId().equals(DemoOrganization.DAVE_USER_ID)))
          .as("round %d: %s / %s", round, status(id), rework == null ? "-" : status(rework))
          .isEqualTo(activeSomewhere);
      for (String r : java.util.Arrays.asList(id, rework)) {
        if (r != null && "ACTIVE".equals(status(r))) {
          api.post("dave", "/api/requests/" + r + "/revoke", null);
          api.awaitStatus(r, "REVOKED");
        }
      }
      assertThat(assignments(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN))
          .noneMatch(a -> a.principalId().equals(DemoOrganization.DAVE_USER_ID));
    }
  }

  private boolean settled(String id) {
    return java.util.Set.of("ACTIVE", "REVOKED", "SUPERSEDED", "DENIED", "CANCELLED").contains(status(id));
  }

  private String status(String id) {
    return api.get("admin", "/api/requests/" + id).body().get("status").asText();
  }

  @Test
  void aReviewWaitingTooLongIsEscalatedToTheScopesEscalationGroup() {
    Reply submitted = api.post("alice", "/api/requests", request("alice", "ViewOnlyAccess", "PT30M",
        DemoOrganization.PRODUCTION_ACCOUNT_ID));
    String id = submitted.body().get("id").asText();
    assertThat(submitted.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    Reply early = api.post("admin", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
    assertThat(early.status()).isEqualTo(403);
    assertThat(early.body().get("detail").asText()).contains("Only members of airlock-approvers");

    String instance = api.get("admin", "/engine-rest/process-instance?businessKey=" + id).body().get(0).get("id").asText();
    JsonNode waiting = api.get("admin", "/engine-rest/job?timers=true&activityId=Event_ReviewWaiting&processInstanceId="
        + instance).body().get(0);
    assertThat(api.post("admin", "/engine-rest/job/" + waiting.get("id").asText() + "/execute", null).status())
        .isEqualTo(204); // four hours pass
    JsonNode escalated = api.get("alice", "/api/requests/" + id).body();
    assertThat(escalated.get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(escalated.get("approverGroups").asText()).isEqualTo("airlock-approvers,airlock-security");
    assertThat(api.get("admin", "/engine-rest/task?processInstanceBusinessKey=" + id + "&candidateGroup=airlock-security")
        .body()).hasSize(1);

    assertThat(api.post("admin", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status())
        .isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
    assertThat(production(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN))
        .anyMatch(a -> a.principalId().equals(DemoOrganization.ALICE_USER_ID));
    assertThat(api.post("alice", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");

    // The timeline tells the story from Airlock's records and the process history together.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api.get("alice", "/api/requests/" + id).body()
        .get("timeline").findValuesAsText("elementId")).contains("End_AccessRevoked"));
    JsonNode timeline = api.get("alice", "/api/requests/" + id).body().get("timeline");
    List<String> story = new java.util.ArrayList<>();
    timeline.forEach(e -> story.add(e.get("action").asText() + (e.get("details").has("elementId")
        ? " " + e.get("details").get("elementId").asText() : "")));
    assertThat(story).containsSubsequence("request.submitted", "process.taskCreated Task_ReviewRequest",
        "process.timerFired Event_ReviewWaiting", "review.escalated", "review.approved", "access.granted",
        "process.messageReceived Event_RevokeRequested", "access.revoked", "process.endReached End_AccessRevoked");
    assertThat(timeline.findValuesAsText("element")).contains("Waiting 4 hours", "Access revoked");
    List<Instant> times = new java.util.ArrayList<>();
    timeline.forEach(e -> times.add(Instant.parse(e.get("at").asText())));
    assertThat(times).isSorted();
  }

  @Test
  void aRequestNobodyReviewsExpires() {
    Reply submitted = api.post("alice", "/api/requests", request("alice", "AdministratorAccess", "PT1H",
        DemoOrganization.STAGING_ACCOUNT_ID));
    String id = submitted.body().get("id").asText();
    String instance = api.get("admin", "/engine-rest/process-instance?businessKey=" + id).body().get(0).get("id").asText();
    JsonNode timer = api.get("admin", "/engine-rest/job?timers=true&activityId=Event_ReviewOverdue&processInstanceId="
        + instance).body().get(0);
    Instant due = java.time.OffsetDateTime.parse(timer.get("dueDate").asText(),
        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")).toInstant();
    assertThat(due).isAfter(Instant.now().plus(Duration.ofHours(23)));

    // The day passes: an admin fires the timer now.
    assertThat(api.post("admin", "/engine-rest/job/" + timer.get("id").asText() + "/execute", null).status())
        .isEqualTo(204);
    JsonNode expired = api.get("alice", "/api/requests/" + id).body();
    assertThat(expired.get("status").asText()).isEqualTo("EXPIRED");
    assertThat(expired.get("reason").asText()).contains("Nobody reviewed");
    assertThat(api.get("bob", "/engine-rest/task?processInstanceBusinessKey=" + id).body()).isEmpty();
  }

  @Test
  void aDenialNeedsACommentOnEverySurface() {
    Reply submitted = api.post("erin", "/api/requests", request("erin", "AdministratorAccess", "PT1H",
        DemoOrganization.STAGING_ACCOUNT_ID));
    String id = submitted.body().get("id").asText();

    Reply viaApi = api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "DENY"));
    assertThat(viaApi.status()).isEqualTo(400);
    assertThat(viaApi.body().get("errors").findValuesAsText("field")).containsExactly("comment");
    String taskId = api.get("bob", "/engine-rest/task?processInstanceBusinessKey=" + id).body().get(0).get("id").asText();
    Reply viaEngine = api.post("bob", "/engine-rest/task/" + taskId + "/complete",
        Map.of("variables", Map.of("reviewOutcome", Map.of("value", "DENY"), "reviewComment", Map.of("value", " "))));
    assertThat(viaEngine.status()).as(viaEngine.raw()).isEqualTo(400);
    assertThat(viaEngine.raw()).contains("reviewComment");
    assertThat(api.get("erin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");

    Reply denied = api.post("bob", "/api/requests/" + id + "/review",
        Map.of("outcome", "DENY", "comment", "Use the break-glass runbook"));
    assertThat(denied.status()).isEqualTo(200);
    JsonNode seen = api.get("erin", "/api/requests/" + id).body();
    assertThat(seen.get("status").asText()).isEqualTo("DENIED");
    assertThat(seen.get("reviewComment").asText()).isEqualTo("Use the break-glass runbook");
  }

  @Test
  void aCloneIsANewRequestThatGoesThroughPolicyAgain() {
    Reply original = api.post("erin", "/api/requests", request("erin", "ViewOnlyAccess", "PT45M",
        DemoOrganization.STAGING_ACCOUNT_ID));
    String id = original.body().get("id").asText();
    api.awaitStatus(id, "ACTIVE");

    assertThat(api.post("alice", "/api/requests/" + id + "/clone", null).status()).isEqualTo(404);
    Reply clone = api.post("erin", "/api/requests/" + id + "/clone", null);
    assertThat(clone.status()).as(clone.raw()).isEqualTo(201);
    String cloneId = clone.body().get("id").asText();
    assertThat(cloneId).isNotEqualTo(id);
    assertThat(clone.body().get("requester").asText()).isEqualTo("erin");
    assertThat(clone.body().get("permission").asText()).isEqualTo("ViewOnlyAccess");
    assertThat(clone.body().get("duration").asText()).isEqualTo("PT45M");
    assertThat(clone.body().get("decision").asText()).isEqualTo("APPROVE");
    api.awaitStatus(cloneId, "ACTIVE");
    assertThat(audit.forRequest(cloneId)).extracting(AuditEvent::action).contains("request.cloned");

    // Both cover erin's assignment; ending one keeps it for the other.
    assertThat(api.post("erin", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");
    assertThat(stagingViewOnly()).anyMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID));
    assertThat(api.post("erin", "/api/requests/" + cloneId + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(cloneId, "REVOKED");
    assertThat(stagingViewOnly()).noneMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID));
  }

  @Test
  void aRequesterSavesATemplateAndFilesRequestsFromIt() {
    Map<String, Object> template = request("", "ReadOnlyAccess", "PT30M", DemoOrganization.STAGING_ACCOUNT_ID);
    template.put("name", "Morning log check");
    Reply saved = api.post("erin", "/api/templates", template);
    assertThat(saved.status()).as(saved.raw()).isEqualTo(201);
    String templateId = saved.body().get("id").asText();
    assertThat(saved.body().has("principal")).isFalse(); // empty: whoever files it, for themselves

    Map<String, Object> bad = request("", "NoSuchSet", "forever", DemoOrganization.STAGING_ACCOUNT_ID);
    bad.put("name", "Morning log check");
    Reply refused = api.post("erin", "/api/templates", bad);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().get("errors").findValuesAsText("field")).contains("name", "permission", "duration");

    assertThat(api.get("erin", "/api/templates").body().findValuesAsText("name")).containsExactly("Morning log check");
    assertThat(api.get("alice", "/api/templates").body().findValuesAsText("id")).doesNotContain(templateId);
    assertThat(api.post("alice", "/api/templates/" + templateId + "/requests", null).status()).isEqualTo(404);

    Reply filed = api.post("erin", "/api/templates/" + templateId + "/requests", null);
    assertThat(filed.status()).as(filed.raw()).isEqualTo(201);
    assertThat(filed.body().get("requester").asText()).isEqualTo("erin");
    assertThat(filed.body().get("principal").asText()).isEqualTo("erin");
    String id = filed.body().get("id").asText();
    api.awaitStatus(id, "ACTIVE");
    assertThat(SandboxSso.assignments(aws, DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN).stream()).anyMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID));
    assertThat(api.post("erin", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);

    Reply fromRequest = api.post("erin", "/api/requests/" + id + "/template", Map.of("name", "Same again"));
    assertThat(fromRequest.status()).as(fromRequest.raw()).isEqualTo(201);
    assertThat(fromRequest.body().get("principal").asText()).isEqualTo("erin");
    assertThat(api.delete("alice", "/api/templates/" + templateId).status()).isEqualTo(404);
    assertThat(api.delete("erin", "/api/templates/" + templateId).status()).isEqualTo(204);
    assertThat(api.get("erin", "/api/templates").body().findValuesAsText("name")).containsExactly("Same again");
  }

  @Test
  void anApproverEditsAPendingRequestAndSomeoneElseReviewsTheEdit() {
    Reply submitted = api.post("alice", "/api/requests", request("alice", "AdministratorAccess", "PT2H",
        DemoOrganization.STAGING_ACCOUNT_ID));
    String id = submitted.body().get("id").asText();

    assertThat(api.post("alice", "/api/requests/" + id + "/edit", Map.of("duration", "PT1H", "comment", "x")).status())
        .isEqualTo(403);
    Reply noComment = api.post("bob", "/api/requests/" + id + "/edit", Map.of("duration", "PT1H"));
    assertThat(noComment.status()).isEqualTo(400);
    assertThat(noComment.body().get("errors").findValuesAsText("field")).containsExactly("comment");

    Reply edited = api.post("bob", "/api/requests/" + id + "/edit",
        Map.of("duration", "PT1H", "comment", "An hour is enough for the migration"));
    assertThat(edited.status()).as(edited.raw()).isEqualTo(201);
    String editId = edited.body().get("id").asText();
    assertThat(edited.body().get("requester").asText()).isEqualTo("alice");
    assertThat(edited.body().get("duration").asText()).isEqualTo("PT1H");
    assertThat(edited.body().get("supersedes").asText()).isEqualTo(id);
    assertThat(edited.body().get("changedBy").asText()).isEqualTo("bob");
    assertThat(edited.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    JsonNode original = api.get("alice", "/api/requests/" + id).body();
    assertThat(original.get("status").asText()).isEqualTo("SUPERSEDED");
    assertThat(original.get("supersededBy").asText()).isEqualTo(editId);
    assertThat(api.get("admin", "/engine-rest/process-instance?businessKey=" + id).body()).isEmpty();
    assertThat(api.post("bob", "/api/requests/" + id + "/edit", Map.of("duration", "PT1H", "comment", "again"))
        .status()).isEqualTo(409);

    Reply byEditor = api.post("bob", "/api/requests/" + editId + "/review", Map.of("outcome", "APPROVE"));
    assertThat(byEditor.status()).isEqualTo(403);
    assertThat(byEditor.body().get("detail").asText()).contains("You changed request");
    assertThat(api.post("dave", "/api/requests/" + editId + "/review", Map.of("outcome", "APPROVE")).status())
        .isEqualTo(200);
    JsonNode active = api.awaitStatus(editId, "ACTIVE");
    assertThat(Duration.between(Instant.parse(active.get("grantStart").asText()),
        Instant.parse(active.get("grantEnd").asText()))).isEqualTo(Duration.ofHours(1));
    assertThat(api.post("alice", "/api/requests/" + editId + "/revoke", null).status()).isEqualTo(200);
  }

  @Test
  void anApproverEditsInTheTasklistReviewFormAndTheEditIsReviewedByAnother() {
    Reply submitted = api.post("erin", "/api/requests", request("erin", "PowerUserAccess", "PT2H"));
    String id = submitted.body().get("id").asText();
    assertThat(submitted.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    String engine = "/camunda/api/engine/engine/default";
    WebappSession bob = new WebappSession(port);
    assertThat(bob.login("bob", "airlock")).isEqualTo(200);
    String taskId = WebappSession.json(bob.get(engine + "/task?processInstanceBusinessKey=" + id)).get(0).get("id").asText();
    JsonNode form = WebappSession.json(bob.get(engine + "/task/" + taskId + "/deployed-form"));
    assertThat(form.get("components").findValuesAsText("key")).contains("editTarget", "editPermission", "editDuration");

    // Neither the requester nor an admin outside the scope's approvers may edit through the engine's REST API.
    for (String hostile : List.of("erin", "admin")) {
      Reply refused = api.post(hostile, "/engine-rest/task/" + taskId + "/complete", Map.of("variables", Map.of(
          "reviewOutcome", Map.of("value", "EDIT"), "editPermission", Map.of("value", "AdministratorAccess"),
          "reviewComment", Map.of("value", "more, please"))));
      assertThat(refused.status()).as(hostile + " " + refused.raw()).isEqualTo(403);
      assertThat(api.get("erin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    }
    assertThat(api.get("erin", "/api/requests?limit=1000").body().findValuesAsText("supersedes")).doesNotContain(id);

    // An edit needs a comment, said at the form; nothing changes.
    var noComment = bob.postJson(engine + "/task/" + taskId + "/submit-form", Map.of("variables", Map.of(
        "reviewOutcome", Map.of("value", "EDIT"), "editDuration", Map.of("value", "PT45M"))));
    assertThat(noComment.statusCode()).isGreaterThanOrEqualTo(400);
    assertThat(noComment.body()).contains("comment");
    assertThat(api.get("erin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("PENDING_REVIEW");

    var edited = bob.postJson(engine + "/task/" + taskId + "/submit-form", Map.of("variables", Map.of(
        "reviewOutcome", Map.of("value", "EDIT"), "editDuration", Map.of("value", "PT45M"),
        "reviewComment", Map.of("value", "45 minutes cover the deployment window"))));
    assertThat(edited.statusCode()).as(edited.body()).isIn(200, 204);
    JsonNode original = api.get("erin", "/api/requests/" + id).body();
    assertThat(original.get("status").asText()).isEqualTo("SUPERSEDED");
    String editId = original.get("supersededBy").asText();
    JsonNode edit = api.get("erin", "/api/requests/" + editId).body();
    assertThat(edit.get("duration").asText()).isEqualTo("PT45M");
    assertThat(edit.get("changedBy").asText()).isEqualTo("bob");
    assertThat(edit.get("requester").asText()).isEqualTo("erin");
    assertThat(edit.get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(api.get("admin", "/engine-rest/process-instance?businessKey=" + id).body()).isEmpty();
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action).contains("request.edited");

    // The editor may not approve the edit; another approver does, and AWS gets what was edited.
    String editTask = WebappSession.json(bob.get(engine + "/task?processInstanceBusinessKey=" + editId)).get(0)
        .get("id").asText();
    var byEditor = bob.postJson(engine + "/task/" + editTask + "/submit-form", Map.of("variables", Map.of(
        "reviewOutcome", Map.of("value", "APPROVE"))));
    assertThat(byEditor.statusCode()).isGreaterThanOrEqualTo(400);
    assertThat(byEditor.body()).contains("You changed request");
    assertThat(api.post("grace", "/api/requests/" + editId + "/review", Map.of("outcome", "APPROVE")).status())
        .isEqualTo(200);
    JsonNode active = api.awaitStatus(editId, "ACTIVE");
    assertThat(Duration.between(Instant.parse(active.get("grantStart").asText()),
        Instant.parse(active.get("grantEnd").asText()))).isEqualTo(Duration.ofMinutes(45));
    assertThat(assignments(DemoOrganization.POWER_USER_PERMISSION_SET_ARN))
        .anyMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID));
    assertThat(api.post("erin", "/api/requests/" + editId + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(editId, "REVOKED");
    assertThat(assignments(DemoOrganization.POWER_USER_PERMISSION_SET_ARN))
        .noneMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID));
  }

  @Test
  void extendingActiveAccessMovesItsEndOnlyWhenApprovedAndNeverLeavesAGap() {
    Reply submitted = api.post("bob", "/api/requests", request("bob", "ReadOnlyAccess", "PT20M"));
    String first = submitted.body().get("id").asText();
    JsonNode firstActive = api.awaitStatus(first, "ACTIVE");
    Instant firstStart = Instant.parse(firstActive.get("grantStart").asText());
    Instant firstEnd = Instant.parse(firstActive.get("grantEnd").asText());

    // What policy can allow: the usual steps up to the scope's eight hours from the first grant, and the rest.
    JsonNode offered = api.get("bob", "/api/requests/" + first + "/extensions").body();
    assertThat(offered.get("options").findValuesAsText("label"))
        .containsExactly("15 min", "30 min", "1 h", "2 h", "4 h", "7 h 40 min");
    assertThat(offered.get("options").get(2).get("newEnd").asText()).isEqualTo(firstEnd.plus(Duration.ofHours(1)).toString());
    assertThat(Instant.parse(offered.get("latestEnd").asText())).isEqualTo(firstStart.plus(Duration.ofHours(8)));

    // Every extension needs its own reason: the request's is not reused.
    Reply noReason = api.post("bob", "/api/requests/" + first + "/extend", Map.of("by", "PT20M"));
    assertThat(noReason.status()).as(noReason.raw()).isEqualTo(400);
    assertThat(noReason.body().get("errors").findValuesAsText("field")).containsExactly("justification");

    // 40 minutes in all: read-only outside production for up to an hour is approved at once.
    assertThat(api.post("alice", "/api/requests/" + first + "/extend", Map.of("by", "PT20M",
        "justification", "not mine")).status()).isEqualTo(404);
    Reply extended = api.post("bob", "/api/requests/" + first + "/extend", Map.of("by", "PT20M",
        "justification", "The migration needs another 20 minutes"));
    assertThat(extended.status()).as(extended.raw()).isEqualTo(201);
    String second = extended.body().get("id").asText();
    assertThat(extended.body().get("decision").asText()).isEqualTo("APPROVE");
    assertThat(extended.body().get("justification").asText()).isEqualTo("The migration needs another 20 minutes");
    // It says what it extends: live access from its end to 20 minutes later.
    JsonNode extension = extended.body().get("extension");
    assertThat(extension.get("extendsRequest").asText()).isEqualTo(first);
    assertThat(Instant.parse(extension.get("from").asText())).isEqualTo(firstEnd);
    assertThat(Instant.parse(extension.get("to").asText())).isEqualTo(firstEnd.plus(Duration.ofMinutes(20)));
    assertThat(extension.get("byText").asText()).isEqualTo("20 min");
    JsonNode secondActive = api.awaitStatus(second, "ACTIVE");
    assertThat(Instant.parse(secondActive.get("grantEnd").asText())).isEqualTo(firstEnd.plus(Duration.ofMinutes(20)));
    JsonNode superseded = api.awaitStatus(first, "SUPERSEDED");
    assertThat(superseded.get("supersededBy").asText()).isEqualTo(second);
    assertThat(assignments(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN))
        .anyMatch(a -> a.principalId().equals(DemoOrganization.BOB_USER_ID));
    assertThat(audit.forRequest(first)).filteredOn(e -> e.action().equals("access.revoked")).singleElement()
        .satisfies(e -> assertThat(e.details()).contains("keptForRequests").contains(second));

    // Past the hour in all: an approver reviews it, and the end moves only then, to what was asked.
    Reply longer = api.post("bob", "/api/requests/" + second + "/extend", Map.of("by", "PT30M",
        "justification", "Still rotating certificates"));
    String third = longer.body().get("id").asText();
    assertThat(longer.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(longer.body().get("justification").asText()).isEqualTo("Still rotating certificates");
    assertThat(api.get("bob", "/api/requests/" + second).body().get("status").asText()).isEqualTo("ACTIVE");
    // The approver reads it as an extension of live access, not as a raw remaining duration.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        api.get("dave", "/engine-rest/task?processInstanceBusinessKey=" + third).body().size() == 1);
    JsonNode review = api.get("dave", "/engine-rest/task?processInstanceBusinessKey=" + third).body().get(0);
    assertThat(review.get("name").asText())
        .startsWith("Review: extend bob · ReadOnlyAccess · sandbox (222222222222) · +30 min to ");
    assertThat(review.get("description").asText()).startsWith("bob asks to extend live access from ")
        .contains("(+30 min): ReadOnlyAccess on sandbox (222222222222) for bob.");
    assertThat(api.post("dave", "/api/requests/" + third + "/review", Map.of("outcome", "APPROVE")).status())
        .isEqualTo(200);
    JsonNode thirdActive = api.awaitStatus(third, "ACTIVE");
    assertThat(Instant.parse(thirdActive.get("grantEnd").asText())).isEqualTo(firstEnd.plus(Duration.ofMinutes(50)));
    api.awaitStatus(second, "SUPERSEDED");

    // Beyond the scope's eight hours since the first grant: refused at once, naming by and the
    // most it allows; nothing is filed and the access stays as it is.
    Reply tooLong = api.post("bob", "/api/requests/" + third + "/extend", Map.of("by", "PT8H",
        "justification", "All day"));
    assertThat(tooLong.status()).as(tooLong.raw()).isEqualTo(422);
    assertThat(tooLong.body().get("errors").findValuesAsText("field")).containsExactly("by");
    assertThat(tooLong.body().get("maximum").asText()).isEqualTo("PT6H50M");
    assertThat(tooLong.body().get("errors").get(0).get("message").asText()).contains("at most 6 h 50 min more");
    assertThat(api.get("bob", "/api/requests?mine=true").body().findValuesAsText("justification"))
        .doesNotContain("All day");
    assertThat(api.get("bob", "/api/requests/" + third).body().get("status").asText()).isEqualTo("ACTIVE");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(audit.forRequest(third))
        .filteredOn(e -> e.action().equals("refused.extend")).singleElement()
        .satisfies(e -> assertThat(e.details()).contains("PT8H", "PT6H50M")));
    assertThat(api.get("bob", "/api/requests/" + third + "/extensions").body().get("maximum").asText())
        .isEqualTo("PT6H50M");
    assertThat(api.post("bob", "/api/requests/" + first + "/extend", Map.of("by", "PT1H",
        "justification", "the old one")).status()).isEqualTo(409);
    assertThat(api.get("bob", "/api/requests/" + first + "/extensions").body().get("reason").asText())
        .isEqualTo("Only active access can be extended; this request is superseded");
    assertThat(api.post("bob", "/api/requests/" + third + "/extend", Map.of("by", "soon",
        "justification", "soon")).status()).isEqualTo(400);

    assertThat(api.post("bob", "/api/requests/" + third + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(third, "REVOKED");
    assertThat(assignments(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN))
        .noneMatch(a -> a.principalId().equals(DemoOrganization.BOB_USER_ID));
  }

  @Test
  void productionAdministratorAccessNeedsTwoDifferentApprovers() {
    Reply submitted = api.post("bob", "/api/requests", request("bob", "AdministratorAccess", "PT30M",
        DemoOrganization.PRODUCTION_ACCOUNT_ID));
    String id = submitted.body().get("id").asText();
    assertThat(submitted.body().get("scope").asText()).isEqualTo("Production administrator");
    assertThat(submitted.body().get("status").asText()).isEqualTo("PENDING_REVIEW");

    assertThat(api.post("dave", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE", "comment", "1/2"))
        .status()).isEqualTo(200);
    JsonNode half = api.get("bob", "/api/requests/" + id).body();
    assertThat(half.get("status").asText()).isEqualTo("PENDING_REVIEW");
    Reply twice = api.post("dave", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
    assertThat(twice.status()).isEqualTo(403);
    assertThat(twice.body().get("detail").asText()).contains("approved request").contains("already");
    assertThat(production(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN))
        .noneMatch(a -> a.principalId().equals(DemoOrganization.BOB_USER_ID));

    assertThat(api.post("grace", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE", "comment", "2/2"))
        .status()).isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
    assertThat(production(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN))
        .anyMatch(a -> a.principalId().equals(DemoOrganization.BOB_USER_ID));
    assertThat(audit.forRequest(id)).filteredOn(e -> e.action().equals("access.granted")).singleElement()
        .satisfies(e -> assertThat(e.details()).contains("dave").contains("grace"));
    assertThat(api.post("bob", "/api/requests/" + id + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");

    // One denial ends it, whatever the quorum.
    String denied = api.post("dave", "/api/requests", request("dave", "AdministratorAccess", "PT30M",
        DemoOrganization.PRODUCTION_ACCOUNT_ID)).body().get("id").asText();
    assertThat(api.post("grace", "/api/requests/" + denied + "/review", Map.of("outcome", "DENY", "comment", "no"))
        .status()).isEqualTo(200);
    assertThat(api.get("dave", "/api/requests/" + denied).body().get("status").asText()).isEqualTo("DENIED");
  }

  @Test
  void aScheduledRequestIsGrantedAtItsStartAndNotBefore() {
    // 7 s ahead leaves 6 s or more for the submit, the review and the look at AWS below (about
    // 1 s in CI); 5 s of access leave time to see the assignment once ACTIVE (one call).
    Map<String, Object> body = request("erin", "ReadOnlyAccess", "PT5S", DemoOrganization.PRODUCTION_ACCOUNT_ID);
    Instant startAt = Instant.now().plusSeconds(7).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    body.put("startAt", startAt.toString());
    Reply submitted = api.post("erin", "/api/requests", body);
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    // Production read-only needs a review; approved, it waits for its start.
    assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status()).isEqualTo(200);
    assertThat(api.get("erin", "/api/requests/" + id).body().get("status").asText()).isEqualTo("SCHEDULED");
    assertThat(production(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN))
        .noneMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID));

    JsonNode active = api.awaitStatus(id, "ACTIVE");
    assertThat(Instant.parse(active.get("grantStart").asText())).isAfterOrEqualTo(startAt.minusSeconds(1));
    assertThat(production(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN))
        .anyMatch(a -> a.principalId().equals(DemoOrganization.ERIN_USER_ID));
    api.awaitStatus(id, "REVOKED");

    Map<String, Object> past = request("erin", "ReadOnlyAccess", "PT1H", DemoOrganization.PRODUCTION_ACCOUNT_ID);
    past.put("startAt", "2020-01-01T00:00:00Z");
    Reply refused = api.post("erin", "/api/requests", past);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().get("errors").findValuesAsText("field")).containsExactly("startAt");
  }

  @Test
  void breakGlassIsGrantedAtOnceReviewedAfterwardsAndRevokedWhenRejected() {
    Map<String, Object> body = request("bob", "PowerUserAccess", "PT30M", DemoOrganization.PRODUCTION_ACCOUNT_ID);
    body.put("breakGlass", true);
    Reply submitted = api.post("bob", "/api/requests", body);
    String id = submitted.body().get("id").asText();
    assertThat(submitted.body().get("scope").asText()).isEqualTo("Production break-glass");
    assertThat(submitted.body().get("reason").asText()).startsWith("Break-glass");
    api.awaitStatus(id, "ACTIVE");
    assertThat(production(DemoOrganization.POWER_USER_PERMISSION_SET_ARN))
        .anyMatch(a -> a.principalId().equals(DemoOrganization.BOB_USER_ID));

    // The review after the fact: not by bob himself; grace rejects it, and it is revoked at once.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        api.get("grace", "/engine-rest/task?processInstanceBusinessKey=" + id).body().size() == 1);
    JsonNode task = api.get("grace", "/engine-rest/task?processInstanceBusinessKey=" + id).body().get(0);
    assertThat(task.get("name").asText()).startsWith("Break-glass review: bob · PowerUserAccess · ")
        .endsWith("(444444444444) · 30 min");
    assertThat(task.get("priority").asInt()).isEqualTo(90); // first in Tasklist
    Reply byBob = api.post("bob", "/engine-rest/task/" + task.get("id").asText() + "/complete",
        Map.of("variables", Map.of("reviewOutcome", Map.of("value", "APPROVE"))));
    assertThat(byBob.status()).isEqualTo(403);
    Reply rejected = api.post("grace", "/engine-rest/task/" + task.get("id").asText() + "/complete",
        Map.of("variables", Map.of("reviewOutcome", Map.of("value", "DENY"),
            "reviewComment", Map.of("value", "No incident on record"))));
    assertThat(rejected.status()).as(rejected.raw()).isEqualTo(204);
    JsonNode revoked = api.awaitStatus(id, "REVOKED");
    assertThat(revoked.get("revokeRequestedBy").asText()).isEqualTo("grace");
    assertThat(production(DemoOrganization.POWER_USER_PERMISSION_SET_ARN))
        .noneMatch(a -> a.principalId().equals(DemoOrganization.BOB_USER_ID));
    assertThat(audit.forRequest(id)).extracting(AuditEvent::action)
        .contains("breakglass.granted", "breakglass.rejected", "access.revoked");

    // Where the scope does not allow it, break-glass is an ordinary request for review.
    Map<String, Object> elsewhere = request("erin", "PowerUserAccess", "PT30M", DemoOrganization.STAGING_ACCOUNT_ID);
    elsewhere.put("breakGlass", true);
    Reply ordinary = api.post("erin", "/api/requests", elsewhere);
    assertThat(ordinary.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(ordinary.body().get("reason").asText()).contains("Break-glass is not allowed");
  }

  @Test
  void reworkNarrowsThePermissionWithoutAGap() {
    // Narrower is what Airlock can show (ReworkBounds): anything is within AdministratorAccess.
    Reply submitted = api.post("dave", "/api/requests", request("dave", "AdministratorAccess", "PT1H",
        DemoOrganization.STAGING_ACCOUNT_ID));
    String wide = submitted.body().get("id").asText();
    assertThat(api.post("bob", "/api/requests/" + wide + "/review", Map.of("outcome", "APPROVE")).status()).isEqualTo(200);
    api.awaitStatus(wide, "ACTIVE");
    await().atMost(java.time.Duration.ofSeconds(30)).until(() -> api.get("admin", "/api/inventory/permission-sets")
        .body().findValuesAsText("name").contains("AdministratorAccess"));

    Reply reworked = api.post("dave", "/api/requests/" + wide + "/rework",
        Map.of("duration", "PT30M", "permission", "ReadOnlyAccess", "justification", "Only need to read now"));
    assertThat(reworked.status()).as(reworked.raw()).isEqualTo(201);
    String narrow = reworked.body().get("id").asText();
    assertThat(reworked.body().get("permission").asText()).isEqualTo("ReadOnlyAccess");
    api.awaitStatus(narrow, "ACTIVE");
    api.awaitStatus(wide, "SUPERSEDED");
    List<AccountAssignment> administrator = SandboxSso.assignments(aws, DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN);
    List<AccountAssignment> readOnly = SandboxSso.assignments(aws, DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN);
    assertThat(administrator).noneMatch(a -> a.principalId().equals(DemoOrganization.DAVE_USER_ID));
    assertThat(readOnly).anyMatch(a -> a.principalId().equals(DemoOrganization.DAVE_USER_ID));
    // The narrower set was in place before the wider one went.
    List<AuditEvent> narrowGrant = audit.forRequest(narrow).stream().filter(e -> e.action().equals("access.granted")).toList();
    List<AuditEvent> wideRevoke = audit.forRequest(wide).stream().filter(e -> e.action().equals("access.revoked")).toList();
    assertThat(narrowGrant.get(0).seq()).isLessThan(wideRevoke.get(0).seq());
    assertThat(api.post("dave", "/api/requests/" + narrow + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(narrow, "REVOKED");
  }

  @Test
  void craftedRequestsAreClonedTemplatedAndReworkedWithTheirCraftParameters() {
    Map<String, Object> body = request("erin", null, "PT40M", DemoOrganization.PRODUCTION_ACCOUNT_ID);
    body.remove("permission");
    body.put("craft", Map.of("template", "S3_READ_ONLY", "buckets", List.of("airlock-lifecycle-logs")));
    Reply submitted = api.post("erin", "/api/requests", body);
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    String policy = submitted.body().get("craftPolicy").asText();
    assertThat(policy).contains("arn:aws:s3:::airlock-lifecycle-logs");
    assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status()).isEqualTo(200);
    String arn = api.awaitStatus(id, "ACTIVE").get("permissionSetArn").asText();

    // A clone asks for the same least-privilege policy again, and is reviewed again.
    Reply clone = api.post("erin", "/api/requests/" + id + "/clone", null);
    assertThat(clone.status()).as(clone.raw()).isEqualTo(201);
    assertThat(clone.body().get("permission").asText()).isEqualTo("craft:S3_READ_ONLY");
    assertThat(clone.body().get("craftPolicy").asText()).isEqualTo(policy);
    assertThat(clone.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(api.post("erin", "/api/requests/" + clone.body().get("id").asText() + "/withdraw", null).status())
        .isEqualTo(200);

    // A template keeps the craft parameters, and files the same policy.
    Reply template = api.post("erin", "/api/requests/" + id + "/template", Map.of("name", "Read the lifecycle logs"));
    assertThat(template.status()).as(template.raw()).isEqualTo(201);
    assertThat(template.body().get("craft").get("template").asText()).isEqualTo("S3_READ_ONLY");
    assertThat(template.body().get("craft").get("buckets").get(0).asText()).isEqualTo("airlock-lifecycle-logs");
    Reply filed = api.post("erin", "/api/templates/" + template.body().get("id").asText() + "/requests", null);
    assertThat(filed.status()).as(filed.raw()).isEqualTo(201);
    assertThat(filed.body().get("craftPolicy").asText()).isEqualTo(policy);
    assertThat(api.post("erin", "/api/requests/" + filed.body().get("id").asText() + "/withdraw", null).status())
        .isEqualTo(200);

    // A rework of the crafted access gets its own crafted set; the old one goes once the new one is granted.
    Reply rework = api.post("erin", "/api/requests/" + id + "/rework", Map.of("duration", "PT15M"));
    assertThat(rework.status()).as(rework.raw()).isEqualTo(201);
    String reworkId = rework.body().get("id").asText();
    assertThat(rework.body().get("craftPolicy").asText()).isEqualTo(policy);
    assertThat(sandbox.state().hasAssignment(DemoOrganization.PRODUCTION_ACCOUNT_ID, arn, "USER",
        DemoOrganization.ERIN_USER_ID)).isTrue(); // unchanged until the rework is approved
    assertThat(api.post("grace", "/api/requests/" + reworkId + "/review", Map.of("outcome", "APPROVE")).status())
        .isEqualTo(200);
    String reworkArn = api.awaitStatus(reworkId, "ACTIVE").get("permissionSetArn").asText();
    assertThat(reworkArn).isNotEqualTo(arn);
    api.awaitStatus(id, "SUPERSEDED");
    assertThat(sandbox.state().hasAssignment(DemoOrganization.PRODUCTION_ACCOUNT_ID, reworkArn, "USER",
        DemoOrganization.ERIN_USER_ID)).isTrue();
    assertThat(sandbox.state().permissionSets()).noneMatch(p -> p.arn().equals(arn));

    assertThat(api.post("erin", "/api/requests/" + reworkId + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(reworkId, "REVOKED");
    assertThat(sandbox.state().permissionSets()).noneMatch(p -> p.arn().equals(reworkArn));
  }

  @Test
  void auditorsSearchDownloadAndVerifyTheAuditLog() {
    String id = api.post("erin", "/api/requests", request("erin", "AdministratorAccess", "PT1H")).body().get("id").asText();

    assertThat(api.get("erin", "/api/audit?requestId=" + id).status()).isEqualTo(403);
    assertThat(api.get("bob", "/api/audit/verify").status()).isEqualTo(403);

    JsonNode page = api.get("carol", "/api/audit?requestId=" + id).body();
    assertThat(page.get("events").findValuesAsText("action")).startsWith("request.submitted")
        .contains("policy.decided", "request.status");
    assertThat(page.get("events").findValuesAsText("requestId")).containsOnly(id);
    assertThat(api.get("carol", "/api/audit?requestId=" + id + "&action=request.submitted&actor=erin").body()
        .get("events")).hasSize(1);
    assertThat(api.get("carol", "/api/audit?account=" + DemoOrganization.SANDBOX_ACCOUNT_ID + "&requestId=" + id)
        .body().get("events").size()).isEqualTo(page.get("events").size());

    // Paged by cursor: two at a time, the same entries in the same order.
    List<String> paged = new java.util.ArrayList<>();
    long after = 0;
    for (int i = 0; i < 20; i++) {
      JsonNode p = api.get("carol", "/api/audit?requestId=" + id + "&limit=2&after=" + after).body();
      paged.addAll(p.get("events").findValuesAsText("action"));
      if (p.get("next") == null || p.get("next").isNull()) {
        break;
      }
      after = p.get("next").asLong();
    }
    assertThat(paged).isEqualTo(page.get("events").findValuesAsText("action"));

    Reply jsonl = api.get("carol", "/api/audit?format=jsonl&requestId=" + id);
    assertThat(jsonl.contentType()).contains("application/x-ndjson");
    assertThat(jsonl.raw().lines()).hasSize(page.get("events").size()).allMatch(l -> l.startsWith("{\"seq\""));
    Reply csv = api.get("carol", "/api/audit?format=csv&requestId=" + id);
    assertThat(csv.contentType()).contains("text/csv");
    assertThat(csv.raw().lines().findFirst()).contains("seq,occurredAt,actor,action,requestId,details,hash");
    assertThat(csv.raw().lines()).hasSize(page.get("events").size() + 1);

    Reply bad = api.get("carol", "/api/audit?from=yesterday&limit=5000");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("from", "limit");
    JsonNode verified = api.get("carol", "/api/audit/verify").body();
    assertThat(verified.get("intact").asBoolean()).isTrue();
    assertThat(verified.get("entriesChecked").asLong()).isGreaterThan(page.get("events").size());
  }

  private List<AccountAssignment> production(String permissionSetArn) {
    return SandboxSso.assignments(aws, DemoOrganization.PRODUCTION_ACCOUNT_ID, permissionSetArn);
  }

  private List<AccountAssignment> stagingViewOnly() {
    return SandboxSso.assignments(aws, DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN);
  }

  private List<AccountAssignment> assignments() {
    return assignments(DemoOrganization.POWER_USER_PERMISSION_SET_ARN);
  }

  private List<AccountAssignment> assignments(String permissionSetArn) {
    return SandboxSso.assignments(aws, DemoOrganization.SANDBOX_ACCOUNT_ID, permissionSetArn);
  }

  private static Map<String, Object> request(String principal, String permission, String duration) {
    return request(principal, permission, duration, DemoOrganization.SANDBOX_ACCOUNT_ID);
  }

  private static Map<String, Object> request(String principal, String permission, String duration, String target) {
    return People.request(target, principal, permission, duration, "Investigate incident INC-42 in the sandbox account");
  }
}
