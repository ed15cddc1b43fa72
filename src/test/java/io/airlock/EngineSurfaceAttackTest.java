package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;

/**
 * The attacks of the security issue, played over HTTP against the whole application on
 * PostgreSQL with the AWS emulator: a requester, an approver and an admin drive the engine's
 * own surfaces (engine REST API, Tasklist's API) around Airlock's API. Each test asserts what
 * a security reviewer would check: the request in Airlock's table, the assignments in (sandbox)
 * AWS, and the refusal in the audit log. Each test files its own requests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.request.min-duration=PT2S",
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "airlock.reconciler.interval=PT1S",
    "airlock.reconciler.grace=PT2S",
    "airlock.inventory.initial-delay=PT0S",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineSurfaceAttackTest {

  static final String ENGINE_REST = "/engine-rest";
  static final String START = ENGINE_REST + "/process-definition/key/access-request/start";
  static final String SANDBOX = DemoOrganization.SANDBOX_ACCOUNT_ID;
  static final String STAGING = DemoOrganization.STAGING_ACCOUNT_ID;
  static final String PRODUCTION = DemoOrganization.PRODUCTION_ACCOUNT_ID;

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired JdbcTemplate jdbc;
  @Autowired io.micrometer.core.instrument.MeterRegistry meters;

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

  // ---- starting around the start event ------------------------------------------------------

  @Test
  void requesterStartingAtTheGrantTaskGrantsNothing() {
    String victim = submit("alice", "alice", "AdministratorAccess", "PT1H", SANDBOX).get("id").asText();
    long mark = auditHead();
    for (boolean skipListeners : List.of(false, true)) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("businessKey", victim);
      body.put("variables", vars("permission", "AdministratorAccess", "requester", "bob"));
      body.put("startInstructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_GrantAccess")));
      body.put("skipCustomListeners", skipListeners);
      Reply r = api.post("alice", START, body);
      assertThat(r.status()).as(r.raw()).isEqualTo(403);
      assertThat(r.raw()).contains("Access requested");
    }
    // Tasklist's engine API, signed in through the webapp: the same refusal.
    WebappSession tasklist = new WebappSession(port);
    assertThat(tasklist.login("alice", "airlock")).isEqualTo(200);
    var viaTasklist = tasklist.postJson("/camunda/api/engine/engine/default/process-definition/key/access-request/start",
        Map.of("businessKey", victim, "startInstructions",
            List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_GrantAccess"))));
    assertThat(viaTasklist.statusCode()).as(viaTasklist.body()).isGreaterThanOrEqualTo(400);

    assertThat(status(victim)).isEqualTo("PENDING_REVIEW");
    assertThat(instancesOf(victim)).hasSize(1);
    assertThat(hasAssignment(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID)).isFalse();
    assertThat(refusalsSince(mark, "alice", "refused.start")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void requesterCannotEndSomebodyElsesAccess() {
    String erins = submit("erin", "erin", "ReadOnlyAccess", "PT30M", SANDBOX).get("id").asText();
    api.awaitStatus(erins, "ACTIVE");
    long mark = auditHead();

    Reply atRevoke = api.post("alice", START, Map.of("businessKey", erins,
        "startInstructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_RevokeAccess"))));
    assertThat(atRevoke.status()).as(atRevoke.raw()).isEqualTo(403);
    Reply message = api.post("alice", ENGINE_REST + "/message", Map.of("messageName", "RevokeRequested",
        "businessKey", erins));
    assertThat(message.status()).as(message.raw()).isIn(403, 404);
    Reply viaApi = api.post("alice", "/api/requests/" + erins + "/revoke", null);
    assertThat(viaApi.status()).as(viaApi.raw()).isEqualTo(404); // alice may not even see it

    assertThat(status(erins)).isEqualTo("ACTIVE");
    assertThat(hasAssignment(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID)).isTrue();
    assertThat(refusalsSince(mark, "alice", "refused.start")).isEqualTo(1);

    // Even an admin who correlates the message by hand ends nothing early: revoke needs the
    // clock or a recorded request (POST /api/requests/{id}/revoke).
    Reply adminMessage = api.post("admin", ENGINE_REST + "/message", Map.of("messageName", "RevokeRequested",
        "businessKey", erins));
    assertThat(adminMessage.status()).as(adminMessage.raw()).isEqualTo(403);
    assertThat(status(erins)).isEqualTo("ACTIVE");
    assertThat(refusalsSince(mark, "admin", "refused.revoke")).isEqualTo(1);

    assertThat(api.post("erin", "/api/requests/" + erins + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(erins, "REVOKED");
    assertThat(hasAssignment(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID)).isFalse();
  }

  @Test
  void onlyThePrincipalEndsOrExtendsAccessFromTheTaskYourAccess() {
    String id = submit("erin", "erin", "ReadOnlyAccess", "PT30M", SANDBOX).get("id").asText();
    JsonNode active = api.awaitStatus(id, "ACTIVE");
    Instant grantEnd = Instant.parse(active.get("grantEnd").asText());
    JsonNode task = await().atMost(Duration.ofSeconds(10)).until(() -> accessTask(id), t -> t != null);
    String taskId = task.get("id").asText();
    assertThat(task.get("assignee").asText()).isEqualTo("erin");
    assertThat(task.get("name").asText()).startsWith("Your access: ReadOnlyAccess · sandbox (222222222222) · ends ");
    assertThat(Instant.parse(task.get("due").asText().replace("+0000", "Z"))).isEqualTo(grantEnd.truncatedTo(
        java.time.temporal.ChronoUnit.MILLIS));
    // The form offers only what policy can allow: the steps up to the scope's eight hours from the
    // first grant (7 h 30 min left after these 30 minutes), each with its new end.
    // Read as Tasklist reads a Camunda Form's variables (its select parses Json values).
    JsonNode form = api.get("erin", ENGINE_REST + "/task/" + taskId + "/form-variables?deserializeValues=false").body();
    assertThat(form.path("extendChoices").path("type").asText()).isEqualTo("Json");
    JsonNode choices = parse(form.path("extendChoices").path("value").asText());
    assertThat(choices.findValuesAsText("value")).as(form.toString()).containsExactly("PT15M", "PT30M", "PT1H", "PT2H", "PT4H", "PT7H30M");
    assertThat(choices.get(0).get("label").asText()).startsWith("15 min · until ");
    assertThat(choices.get(5).get("label").asText()).startsWith("7 h 30 min, the most policy allows · until ");
    assertThat(form.path("extendLimit").path("value").asText()).startsWith("Up to 7 h 30 min more, until ");
    long mark = auditHead();
    Map<String, Object> endNow = Map.of("variables", vars("accessAction", "END_NOW", "accessReason", "not mine"));

    // Someone else: a requester and an approver of the scope see no such task; an admin, who may
    // do anything on the engine, is refused by the guard.
    for (String other : List.of("alice", "bob")) {
      assertThat(api.post(other, ENGINE_REST + "/task/" + taskId + "/complete", endNow).status()).as(other)
          .isIn(403, 404);
      assertThat(api.post(other, ENGINE_REST + "/task/" + taskId + "/claim", Map.of("userId", other)).status())
          .as(other).isIn(403, 404);
    }
    WebappSession tasklist = new WebappSession(port);
    assertThat(tasklist.login("bob", "airlock")).isEqualTo(200);
    assertThat(tasklist.postJson("/camunda/api/engine/engine/default/task/" + taskId + "/submit-form", endNow)
        .statusCode()).isGreaterThanOrEqualTo(400);
    Reply adminCompletes = api.post("admin", ENGINE_REST + "/task/" + taskId + "/complete", endNow);
    assertThat(adminCompletes.status()).as(adminCompletes.raw()).isEqualTo(403);
    assertThat(adminCompletes.raw()).contains("only its principal (erin)");
    for (String path : List.of("/assignee", "/delegate")) {
      Reply reassigned = api.post("admin", ENGINE_REST + "/task/" + taskId + path, Map.of("userId", "admin"));
      assertThat(reassigned.status()).as(path + " " + reassigned.raw()).isEqualTo(403);
    }
    Reply unclaimed = api.post("erin", ENGINE_REST + "/task/" + taskId + "/unclaim", null);
    assertThat(unclaimed.status()).as(unclaimed.raw()).isEqualTo(403);
    assertThat(accessTask(id).get("assignee").asText()).isEqualTo("erin");
    assertThat(refusalsSince(mark, "admin", "refused.accessTask")).isEqualTo(1);
    assertThat(refusalsSince(mark, "admin", "refused.assign")).isEqualTo(2);

    // The principal: an unknown choice is a 400 naming it; forged variables sent with "more
    // time" neither move the end nor reach AWS.
    Reply keep = api.post("erin", ENGINE_REST + "/task/" + taskId + "/complete",
        Map.of("variables", vars("accessAction", "KEEP_FOREVER")));
    assertThat(keep.status()).as(keep.raw()).isEqualTo(400);
    assertThat(keep.raw()).contains("accessAction");
    // More than policy can allow, or no reason of its own: refused at the field, nothing filed.
    Reply tooMuch = api.post("erin", ENGINE_REST + "/task/" + taskId + "/complete", Map.of("variables",
        vars("accessAction", "EXTEND", "extendBy", "PT8H", "accessReason", "all day")));
    assertThat(tooMuch.status()).as(tooMuch.raw()).isIn(400, 422);
    assertThat(tooMuch.raw()).contains("extendBy", "at most 7 h 30 min more");
    Reply noReason = api.post("erin", ENGINE_REST + "/task/" + taskId + "/complete", Map.of("variables",
        vars("accessAction", "EXTEND", "extendBy", "PT1H")));
    assertThat(noReason.status()).as(noReason.raw()).isIn(400, 422);
    assertThat(noReason.raw()).contains("accessReason");
    assertThat(api.get("erin", "/api/requests").body().findValuesAsText("supersedes")).doesNotContain(id);
    Map<String, Object> forged = new LinkedHashMap<>(vars("accessAction", "EXTEND", "extendBy", "PT1H",
        "accessReason", "longer", "permission", "AdministratorAccess"));
    forged.put("grantEnd", Map.of("value", "2099-01-01T00:00:00.000+0000", "type", "Date"));
    Reply more = api.post("erin", ENGINE_REST + "/task/" + taskId + "/complete", Map.of("variables", forged));
    assertThat(more.status()).as(more.raw()).isEqualTo(204);
    assertThat(status(id)).isEqualTo("ACTIVE");
    JsonNode rework = api.get("erin", "/api/requests").body().findParents("supersedes").stream()
        .filter(r -> id.equals(r.path("supersedes").asText())).findFirst().orElseThrow();
    assertThat(rework.get("permission").asText()).isEqualTo("ReadOnlyAccess");
    assertThat(rework.get("status").asText()).isEqualTo("PENDING_REVIEW"); // 1 h 30 min of read-only needs a review
    JsonNode timer = api.get("admin", ENGINE_REST + "/job?processInstanceId=" + instancesOf(id).get(0) + "&timers=true")
        .body().get(0);
    assertThat(Instant.parse(timer.get("dueDate").asText().replace("+0000", "Z")))
        .isEqualTo(grantEnd.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    assertThat(api.get("admin", ENGINE_REST + "/process-instance/" + instancesOf(id).get(0) + "/variables/permission")
        .body().get("value").asText()).isEqualTo("ReadOnlyAccess");
    assertThat(accessTask(id).get("assignee").asText()).isEqualTo("erin");
    assertThat(hasAssignment(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID)).isFalse();

    // End now, as the principal: revoked in Airlock and in AWS, recorded as hers.
    Reply ended = api.post("erin", ENGINE_REST + "/task/" + accessTask(id).get("id").asText() + "/complete",
        Map.of("variables", vars("accessAction", "END_NOW", "accessReason", "done early")));
    assertThat(ended.status()).as(ended.raw()).isEqualTo(204);
    JsonNode revoked = api.awaitStatus(id, "REVOKED");
    assertThat(revoked.get("revokeRequestedBy").asText()).isEqualTo("erin");
    assertThat(hasAssignment(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID)).isFalse();
    assertThat(actions(id)).contains("revoke.requested", "access.revoked");
    assertThat(api.post("erin", "/api/requests/" + rework.get("id").asText() + "/withdraw", null).status()).isEqualTo(200);
  }

  @Test
  void adminRestartAtTheGrantTaskIsRefused() {
    JsonNode denied = submit("alice", "alice", "ReadOnlyAccess", "PT10H", STAGING); // longer than the scope: DENIED
    assertThat(denied.get("status").asText()).isEqualTo("DENIED");
    String id = denied.get("id").asText();
    JsonNode historic = api.get("admin", ENGINE_REST + "/history/process-instance?processInstanceBusinessKey=" + id).body();
    String definitionId = historic.get(0).get("processDefinitionId").asText();
    String instanceId = historic.get(0).get("id").asText();

    Reply restart = api.post("admin", ENGINE_REST + "/process-definition/" + definitionId + "/restart", Map.of(
        "processInstanceIds", List.of(instanceId),
        "instructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_GrantAccess")),
        "initialVariables", true, "skipCustomListeners", true));
    assertThat(restart.status()).as(restart.raw()).isEqualTo(403);
    assertThat(status(id)).isEqualTo("DENIED");
    assertThat(actions(id)).doesNotContain("access.grant-sending", "access.granted");
    assertThat(api.get("admin", "/api/requests/" + id).body().path("grantStart").isMissingNode())
        .as("no grant start recorded for a refused grant").isTrue();
    assertThat(hasAssignment(STAGING, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID))
        .isFalse();
  }

  // ---- identity from authentication only ----------------------------------------------------

  @Test
  void forgedRequesterVariableAndBusinessKeyAreIgnored() {
    String existing = submit("erin", "erin", "PowerUserAccess", "PT1H", SANDBOX).get("id").asText();

    // A plain start through the engine REST API, with a forged requester, groups and business key.
    Reply started = api.post("alice", START, Map.of("businessKey", existing, "variables", vars(
        "system", "AWS", "target", PRODUCTION, "principal", "alice", "permission", "AdministratorAccess",
        "duration", "PT30M", "justification", "forged", "requester", "bob",
        "requesterGroups", "[\"airlock-approvers\"]")));
    assertThat(started.status()).as(started.raw()).isEqualTo(200);
    String id = started.body().get("businessKey").asText();
    assertThat(id).isNotEqualTo(existing);
    JsonNode request = api.get("admin", "/api/requests/" + id).body();
    assertThat(request.get("requester").asText()).isEqualTo("alice");
    // alice is no approver: production write access is out of her scope, whatever she sent.
    assertThat(request.get("status").asText()).isEqualTo("REJECTED_OUT_OF_SCOPE");
    assertThat(api.get("admin", "/api/requests/" + existing).body().get("requester").asText()).isEqualTo("erin");

    // Tasklist's start form, with a forged requester field.
    WebappSession tasklist = new WebappSession(port);
    assertThat(tasklist.login("alice", "airlock")).isEqualTo(200);
    String engine = "/camunda/api/engine/engine/default";
    String definitionId = WebappSession.json(tasklist.get(engine + "/process-definition/key/access-request")).get("id")
        .asText();
    var viaForm = tasklist.postJson(engine + "/process-definition/" + definitionId + "/submit-form",
        Map.of("variables", vars("system", "AWS", "target", SANDBOX, "principal", "", "permission", "PowerUserAccess",
            "duration", "PT1H", "justification", "Tasklist", "requester", "bob")));
    assertThat(viaForm.statusCode()).as(viaForm.body()).isEqualTo(200);
    String formId = WebappSession.json(viaForm).get("businessKey").asText();
    JsonNode fromForm = api.get("admin", "/api/requests/" + formId).body();
    assertThat(fromForm.get("requester").asText()).isEqualTo("alice");
    assertThat(fromForm.get("principal").asText()).isEqualTo("alice"); // empty principal: yourself
    assertThat(fromForm.get("status").asText()).isEqualTo("PENDING_REVIEW");
  }

  // ---- four eyes --------------------------------------------------------------------------

  @Test
  void approverCannotApproveAccessHeWouldReceive() {
    // Read-only anywhere allows asking for someone else; two hours needs a review.
    JsonNode forBob = submit("alice", "bob", "ReadOnlyAccess", "PT2H", SANDBOX);
    assertThat(forBob.get("status").asText()).isEqualTo("PENDING_REVIEW");
    String id = forBob.get("id").asText();
    long mark = auditHead();

    Reply viaApi = api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
    assertThat(viaApi.status()).isEqualTo(403);
    assertThat(viaApi.body().get("detail").asText()).contains("grants access to you");
    String taskId = api.get("bob", ENGINE_REST + "/task?processInstanceBusinessKey=" + id).body().get(0).get("id").asText();
    Reply viaEngine = api.post("bob", ENGINE_REST + "/task/" + taskId + "/complete",
        Map.of("variables", vars("reviewOutcome", "APPROVE")));
    assertThat(viaEngine.status()).as(viaEngine.raw()).isEqualTo(403);
    WebappSession tasklist = new WebappSession(port);
    assertThat(tasklist.login("bob", "airlock")).isEqualTo(200);
    var viaForm = tasklist.postJson("/camunda/api/engine/engine/default/task/" + taskId + "/submit-form",
        Map.of("variables", vars("reviewOutcome", "APPROVE")));
    assertThat(viaForm.statusCode()).isGreaterThanOrEqualTo(400);
    assertThat(viaForm.body()).contains("grants access to you");

    assertThat(status(id)).isEqualTo("PENDING_REVIEW");
    assertThat(refusalsSince(mark, "bob", "refused.review")).isGreaterThanOrEqualTo(3);

    // Someone else approves: granted, to bob.
    assertThat(api.post("dave", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status()).isEqualTo(200);
    api.awaitStatus(id, "ACTIVE");
    assertThat(hasAssignment(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.BOB_USER_ID)).isTrue();

    // Scopes that do not allow it: asking for someone else is out of scope.
    JsonNode powerForBob = submit("alice", "bob", "PowerUserAccess", "PT1H", SANDBOX);
    assertThat(powerForBob.get("status").asText()).isEqualTo("REJECTED_OUT_OF_SCOPE");
    assertThat(powerForBob.get("reason").asText()).contains("only for yourself");
  }

  // ---- what is reviewed is what is granted --------------------------------------------------

  @Test
  void aVariableChangedBehindTheReviewIsNeverGranted() {
    JsonNode request = submit("alice", "alice", "ReadOnlyAccess", "PT3H", SANDBOX);
    String id = request.get("id").asText();
    assertThat(request.get("status").asText()).isEqualTo("PENDING_REVIEW");
    String instance = instancesOf(id).get(0);
    long mark = auditHead();

    // An admin (who may change variables) swaps the permission the form shows.
    Reply changed = api.put("admin", ENGINE_REST + "/process-instance/" + instance + "/variables/permission",
        Map.of("value", "AdministratorAccess", "type", "String"));
    assertThat(changed.status()).as(changed.raw()).isEqualTo(204);
    Reply approve = api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE"));
    assertThat(approve.status()).as(approve.raw()).isEqualTo(403);
    assertThat(approve.body().get("detail").asText()).contains("changed outside Airlock").contains("permission");

    // An approver who slips a variable into the completion is refused the same way.
    Reply restored = api.put("admin", ENGINE_REST + "/process-instance/" + instance + "/variables/permission",
        Map.of("value", "ReadOnlyAccess", "type", "String"));
    assertThat(restored.status()).isEqualTo(204);
    String taskId = api.get("bob", ENGINE_REST + "/task?processInstanceBusinessKey=" + id).body().get(0).get("id").asText();
    Reply slipped = api.post("bob", ENGINE_REST + "/task/" + taskId + "/complete",
        Map.of("variables", vars("reviewOutcome", "APPROVE", "duration", "PT12H")));
    assertThat(slipped.status()).as(slipped.raw()).isEqualTo(403);

    assertThat(status(id)).isEqualTo("PENDING_REVIEW");
    assertThat(refusalsSince(mark, "bob", "refused.review")).isEqualTo(2);
    assertThat(hasAssignment(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID)).isFalse();

    // With what the form shows intact, the approval goes through and grants what was asked for.
    assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "APPROVE")).status()).isEqualTo(200);
    assertThat(api.awaitStatus(id, "ACTIVE").get("permission").asText()).isEqualTo("ReadOnlyAccess");
  }

  @Test
  void modifyingAnInstancePastItsReviewGrantsNothing() {
    JsonNode request = submit("erin", "erin", "AdministratorAccess", "PT1H", SANDBOX);
    String id = request.get("id").asText();
    String instance = instancesOf(id).get(0);
    long mark = auditHead();

    Reply modified = api.post("admin", ENGINE_REST + "/process-instance/" + instance + "/modification", Map.of(
        "skipCustomListeners", true,
        "instructions", List.of(
            Map.of("type", "cancel", "activityId", "Task_ReviewRequest"),
            Map.of("type", "startBeforeActivity", "activityId", "Task_GrantAccess"))));
    assertThat(modified.status()).as(modified.raw()).isEqualTo(204);

    // The grant job runs and is refused: no approval is recorded.
    await().atMost(Duration.ofSeconds(20)).until(() -> refusalsSince(mark, null, "refused.grant") >= 1);
    assertThat(status(id)).isEqualTo("PENDING_REVIEW");
    assertThat(hasAssignment(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID)).isFalse();
    JsonNode jobs = api.get("admin", ENGINE_REST + "/job?processInstanceId=" + instance).body();
    assertThat(jobs.get(0).get("exceptionMessage").asText()).contains("Refused to grant").contains("not GRANTING");
  }

  @Test
  void aDeployedModelCannotCallAirlocksInternalsAroundTheDelegates() {
    String id = submit("erin", "erin", "PowerUserAccess", "PT1H", STAGING).get("id").asText();
    String bpmn = """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
            xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Sneaky"
            targetNamespace="https://airlock.io/test">
          <bpmn:process id="sneaky" isExecutable="true" camunda:historyTimeToLive="P1D">
            <bpmn:startEvent id="Start" />
            <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Call" />
            <bpmn:serviceTask id="Call" camunda:expression="${accessLifecycle.recordRevokeRequest('%s', 'mallory', 'x')}" />
            <bpmn:sequenceFlow id="F2" sourceRef="Call" targetRef="End" />
            <bpmn:endEvent id="End" />
          </bpmn:process>
        </bpmn:definitions>
        """.formatted(id);
    // Only policy authors deploy (not even an admin), and a policy author's model may not name
    // Airlock's internals: refused at deploy, naming the element and the expression.
    Reply byAdmin = api.postFile("admin", ENGINE_REST + "/deployment/create", Map.of("deployment-name", "sneaky"),
        "sneaky.bpmn", bpmn);
    assertThat(byAdmin.status()).as(byAdmin.raw()).isEqualTo(403);
    Reply byAuthor = api.postFile("pat", ENGINE_REST + "/deployment/create", Map.of("deployment-name", "sneaky"),
        "sneaky.bpmn", bpmn);
    assertThat(byAuthor.status()).as(byAuthor.raw()).isEqualTo(400);
    assertThat(byAuthor.body().get("message").asText())
        .contains("sneaky.bpmn: serviceTask 'Call'", "accessLifecycle.recordRevokeRequest", "is not allowed")
        .contains("process 'sneaky'");
    assertThat(api.get("admin", ENGINE_REST + "/deployment?name=sneaky").body()).isEmpty();
    assertThat(status(id)).isEqualTo("PENDING_REVIEW");
    assertThat(actions(id)).doesNotContain("revoke.requested");
  }

  // ---- refusals in Airlock's words ----------------------------------------------------------

  /**
   * Every refusal of Airlock's rules on an engine surface a person or script reaches (Tasklist's
   * start and task forms, /engine-rest's start, submit-form, complete, bpmnError,
   * bpmnEscalation, job execute and retries) is a 4xx with Airlock's own sentence: no
   * "ENGINE-", no "Cannot instantiate process definition", no class name; and the log has one
   * warning line for it, no stack trace.
   */
  @Test
  void everyRefusalOnAnEngineSurfaceIsAClientErrorInAirlocksWordsAndOneLogLine() {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
        .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
        new ch.qos.logback.core.read.ListAppender<>();
    log.start();
    root.addAppender(log);
    try {
      String engine = "/camunda/api/engine/engine/default";
      WebappSession alice = new WebappSession(port);
      assertThat(alice.login("alice", "airlock")).isEqualTo(200);
      String definitionId = api.get("alice", ENGINE_REST + "/process-definition/key/access-request").body().get("id")
          .asText();
      Map<String, Object> mallory = Map.of("variables", vars("system", "AWS", "target", SANDBOX, "principal", "mallory",
          "permission", "ReadOnlyAccess", "duration", "PT1H", "justification", "Words test"));
      Map<String, Object> blank = Map.of("variables", vars("system", "AWS", "target", SANDBOX, "principal", "",
          "permission", "ReadOnlyAccess", "duration", "PT1H", "justification", " "));
      String unknown = "principal: no IAM Identity Center user named 'mallory'";

      // The start form in Tasklist, and the same start through /engine-rest.
      var startForm = alice.postJson(engine + "/process-definition/" + definitionId + "/submit-form", mallory);
      refusal("Tasklist start form", startForm.statusCode(), startForm.body(), 400, unknown);
      var blankForm = alice.postJson(engine + "/process-definition/" + definitionId + "/submit-form", blank);
      refusal("Tasklist start form, blank justification", blankForm.statusCode(), blankForm.body(), 400, "justification");
      Reply restForm = api.post("alice", ENGINE_REST + "/process-definition/" + definitionId + "/submit-form", mallory);
      refusal("engine-rest submit-form", restForm.status(), restForm.raw(), 400, unknown);
      Reply restStart = api.post("alice", START, mallory);
      refusal("engine-rest start", restStart.status(), restStart.raw(), 400, unknown);

      // A review: deny without a comment, by every way a task is completed.
      String id = submit("alice", "alice", "ReadOnlyAccess", "PT3H", SANDBOX).get("id").asText();
      String taskId = api.get("bob", ENGINE_REST + "/task?processInstanceBusinessKey=" + id).body().get(0).get("id")
          .asText();
      Map<String, Object> deny = Map.of("variables", vars("reviewOutcome", "DENY"));
      String why = "reviewComment: is required to deny";
      Reply complete = api.post("bob", ENGINE_REST + "/task/" + taskId + "/complete", deny);
      refusal("engine-rest complete", complete.status(), complete.raw(), 400, why);
      Reply submitForm = api.post("bob", ENGINE_REST + "/task/" + taskId + "/submit-form", deny);
      refusal("engine-rest task submit-form", submitForm.status(), submitForm.raw(), 400, why);
      WebappSession bob = new WebappSession(port);
      assertThat(bob.login("bob", "airlock")).isEqualTo(200);
      var taskForm = bob.postJson(engine + "/task/" + taskId + "/submit-form", deny);
      refusal("Tasklist task form", taskForm.statusCode(), taskForm.body(), 400, why);
      Reply error = api.post("bob", ENGINE_REST + "/task/" + taskId + "/bpmnError", Map.of("errorCode", "Error_NotInScope"));
      refusal("bpmnError", error.status(), error.raw(), 400, "ends only through its form");
      Reply escalation = api.post("bob", ENGINE_REST + "/task/" + taskId + "/bpmnEscalation",
          Map.of("escalationCode", "Escalation_Review"));
      refusal("bpmnEscalation", escalation.status(), escalation.raw(), 400, "takes no BPMN escalation");
      await().atMost(Duration.ofSeconds(5)).until(() -> actions(id).containsAll(
          List.of("refused.bpmnError", "refused.bpmnEscalation")));
      var tasklistError = bob.postJson(engine + "/task/" + taskId + "/bpmnError", Map.of("errorCode", "Error_NotInScope"));
      refusal("Tasklist's bpmnError", tasklistError.statusCode(), tasklistError.body(), 400, "ends only through its form");
      assertThat(status(id)).isEqualTo("PENDING_REVIEW");

      // A grant job with no approval behind it: executed by hand, refused in words.
      String instance = instancesOf(id).get(0);
      Reply modified = api.post("admin", ENGINE_REST + "/process-instance/" + instance + "/modification", Map.of(
          "skipCustomListeners", true, "instructions", List.of(Map.of("type", "cancel", "activityId", "Task_ReviewRequest"),
              Map.of("type", "startBeforeActivity", "activityId", "Task_GrantAccess"))));
      assertThat(modified.status()).as(modified.raw()).isEqualTo(204);
      JsonNode job = await().atMost(Duration.ofSeconds(20)).until(() -> api.get("admin", ENGINE_REST
          + "/job?processInstanceId=" + instance).body().get(0), j -> j != null && !j.path("exceptionMessage").isNull()
          && !j.path("exceptionMessage").isMissingNode());
      Reply executed = api.post("admin", ENGINE_REST + "/job/" + job.get("id").asText() + "/execute", null);
      refusal("job execute", executed.status(), executed.raw(), 403, "Refused to grant");
      Reply gone = api.post("admin", ENGINE_REST + "/job/no-such-job/execute", null);
      refusal("execute an unknown job", gone.status(), gone.raw(), 404, "There is no job no-such-job");
      Reply retries = api.put("admin", ENGINE_REST + "/job/no-such-job/retries", Map.of("retries", 1));
      refusal("retries of an unknown job", retries.status(), retries.raw(), 404, "There is no job no-such-job");
      assertThat(status(id)).isEqualTo("PENDING_REVIEW");
      assertThat(actions(id)).doesNotContain("access.grant-sending", "access.granted"); // alice's other tests hold access
    } finally {
      root.detachAppender(log);
    }
    // One warning line a refusal, no stack trace, no engine error in the log.
    List<ch.qos.logback.classic.spi.ILoggingEvent> lines = List.copyOf(log.list);
    assertThat(lines).filteredOn(e -> e.getLoggerName().equals("io.airlock.refused"))
        .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.contains("no IAM Identity Center user named 'mallory'"))
        .anyMatch(m -> m.contains("is required to deny"))
        .allMatch(m -> !m.contains("\n"));
    assertThat(lines).filteredOn(e -> e.getThrowableProxy() != null || e.getLevel() == ch.qos.logback.classic.Level.ERROR)
        .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
        .noneMatch(m -> m.contains("mallory") || m.contains("justification") || m.contains("required to deny")
            || m.contains("ENGINE-") || m.contains("Refused"));
  }

  /** A refusal as a person sees it: the status, Airlock's sentence, no engine words. */
  private static void refusal(String surface, int status, String body, int expected, String sentence) {
    assertThat(status).as(surface + ": " + body).isEqualTo(expected);
    assertThat(body).as(surface).contains(sentence)
        .doesNotContain("ENGINE-", "Cannot instantiate", "Cannot submit", "Exception:", "io.airlock", "\tat ");
  }

  // ---- only plain values cross the engine's surfaces ----------------------------------------

  /** The value: an Object naming a Java class, in the JSON form the engine REST API takes. */
  private static Map<String, Object> objectValue() {
    return Map.of("type", "Object", "value", "\"/etc/passwd\"", "valueInfo", Map.of("objectTypeName", "java.io.File",
        "serializationDataFormat", "application/json"));
  }

  private static Map<String, Object> withEvil(Map<String, Object> variables, Map<String, Object> evil) {
    Map<String, Object> all = new LinkedHashMap<>(variables);
    all.put("evil", evil);
    return all;
  }

  /**
   * Object, File and Bytes values sent by a person are refused on every engine surface that
   * takes variables (start, submit-form, complete, variable updates on instances, executions and
   * tasks, modification, message correlation, binary uploads): 400 naming the variable, in
   * Airlock's words, nothing stored, audited. Airlock's own Object variable (the requester's
   * groups) is still stored, and read back through the deserialization allow-list.
   */
  @Test
  void onlyPlainValuesCrossTheEngineSurfaces() {
    long mark = auditHead();
    String engine = "/camunda/api/engine/engine/default";
    String definitionId = api.get("alice", ENGINE_REST + "/process-definition/key/access-request").body().get("id")
        .asText();
    Map<String, Object> request = vars("system", "AWS", "target", SANDBOX, "principal", "", "permission",
        "ReadOnlyAccess", "duration", "PT3H", "justification", "Plain values test");
    int before = jdbc.queryForObject("SELECT COUNT(*) FROM access_request", Integer.class);
    List<Map<String, Object>> evils = List.of(objectValue(),
        Map.of("type", "File", "value", "aGVsbG8=", "valueInfo", Map.of("filename", "passwd")),
        Map.of("type", "Bytes", "value", "aGVsbG8="),
        Map.of("type", "Object", "value", "[]", "valueInfo", Map.of("objectTypeName", "java.util.ArrayList",
            "serializationDataFormat", "application/json")),
        // Transient: never stored, but a delegate could read it.
        Map.of("type", "Object", "value", "\"/etc/passwd\"", "valueInfo", Map.of("objectTypeName", "java.io.File",
            "serializationDataFormat", "application/json", "transient", true)));

    // Starts: the call, each non-plain type, the start form on both APIs.
    for (Map<String, Object> evil : evils) {
      Reply started = api.post("alice", START, Map.of("variables", withEvil(request, evil)));
      refusal("start with " + evil.get("type"), started.status(), started.raw(), 400, "evil: a value of type");
    }
    Reply form = api.post("alice", ENGINE_REST + "/process-definition/" + definitionId + "/submit-form",
        Map.of("variables", withEvil(request, objectValue())));
    refusal("engine-rest start form", form.status(), form.raw(), 400, "evil: a value of type");
    WebappSession alice = new WebappSession(port);
    assertThat(alice.login("alice", "airlock")).isEqualTo(200);
    var tasklistStart = alice.postJson(engine + "/process-definition/" + definitionId + "/submit-form",
        Map.of("variables", withEvil(request, objectValue())));
    refusal("Tasklist start form", tasklistStart.statusCode(), tasklistStart.body(), 400, "evil: a value of type");
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM access_request", Integer.class)).isEqualTo(before);

    // A request waiting for review: its task, its instance, its execution.
    String id = submit("alice", "alice", "ReadOnlyAccess", "PT3H", SANDBOX).get("id").asText();
    String instance = instancesOf(id).get(0);
    String taskId = api.get("bob", ENGINE_REST + "/task?processInstanceBusinessKey=" + id).body().get(0).get("id")
        .asText();
    Map<String, Object> approve = withEvil(vars("reviewOutcome", "APPROVE"), objectValue());
    Reply complete = api.post("bob", ENGINE_REST + "/task/" + taskId + "/complete", Map.of("variables", approve));
    refusal("complete", complete.status(), complete.raw(), 400, "evil: a value of type");
    Reply taskForm = api.post("bob", ENGINE_REST + "/task/" + taskId + "/submit-form", Map.of("variables", approve));
    refusal("task submit-form", taskForm.status(), taskForm.raw(), 400, "evil: a value of type");
    WebappSession bob = new WebappSession(port);
    assertThat(bob.login("bob", "airlock")).isEqualTo(200);
    var tasklistTask = bob.postJson(engine + "/task/" + taskId + "/submit-form", Map.of("variables", approve));
    refusal("Tasklist task form", tasklistTask.statusCode(), tasklistTask.body(), 400, "evil: a value of type");
    for (String path : List.of("/process-instance/" + instance + "/variables/evil",
        "/execution/" + instance + "/localVariables/evil", "/task/" + taskId + "/variables/evil",
        "/task/" + taskId + "/localVariables/evil")) {
      Reply put = api.put("admin", ENGINE_REST + path, objectValue());
      refusal("PUT " + path, put.status(), put.raw(), 400, "evil: a value of type");
    }
    for (String path : List.of("/process-instance/" + instance + "/variables", "/execution/" + instance
        + "/localVariables", "/task/" + taskId + "/variables", "/task/" + taskId + "/localVariables")) {
      Reply post = api.post("admin", ENGINE_REST + path, Map.of("modifications", Map.of("evil", objectValue())));
      refusal("POST " + path, post.status(), post.raw(), 400, "evil: a value of type");
    }
    Reply upload = api.postFile("admin", ENGINE_REST + "/process-instance/" + instance + "/variables/evil/data",
        Map.of("valueType", "Bytes"), "data", "hello");
    refusal("binary upload", upload.status(), upload.raw(), 400, "evil: a Bytes, File or Object value is refused");
    Reply modified = api.post("admin", ENGINE_REST + "/process-instance/" + instance + "/modification", Map.of(
        "instructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_ReviewRequest",
            "variables", Map.of("evil", objectValue())))));
    refusal("modification", modified.status(), modified.raw(), 400, "evil: a value of type");
    // Message correlation: as variables of the message, and as correlation keys.
    Reply message = api.post("admin", ENGINE_REST + "/message", Map.of("messageName", "RequestWithdrawn",
        "businessKey", id, "processVariables", Map.of("evil", objectValue())));
    refusal("message variables", message.status(), message.raw(), 400, "evil: a value of type");
    Reply keys = api.post("admin", ENGINE_REST + "/message", Map.of("messageName", "RequestWithdrawn",
        "correlationKeys", Map.of("evil", objectValue())));
    refusal("message correlation keys", keys.status(), keys.raw(), 400, "evil: a value of type");

    // Nothing stored or changed; each refusal audited.
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM act_ru_variable WHERE name_ = 'evil'", Integer.class)).isZero();
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM act_hi_varinst WHERE name_ = 'evil'", Integer.class)).isZero();
    assertThat(status(id)).isEqualTo("PENDING_REVIEW");
    assertThat(api.get("bob", ENGINE_REST + "/task?processInstanceBusinessKey=" + id).body()).hasSize(1);
    assertThat(refusalsSince(mark, "alice", "refused.variable")).isEqualTo(7);
    assertThat(refusalsSince(mark, "bob", "refused.variable")).isEqualTo(3);
    assertThat(refusalsSince(mark, "admin", "refused.variable")).isEqualTo(12);

    // Airlock's own Object variable is there, and reads back through the allow-list.
    assertThat(jdbc.queryForObject("SELECT type_ FROM act_ru_variable WHERE proc_inst_id_ = ? AND name_ = 'requesterGroups'",
        String.class, instance)).isEqualTo("spin://application/json");
    Reply groups = api.get("admin", ENGINE_REST + "/process-instance/" + instance + "/variables/requesterGroups");
    assertThat(groups.status()).as(groups.raw()).isEqualTo(200);
    assertThat(groups.body().get("value").isArray()).as(groups.raw()).isTrue();
    // And with the values it shows intact, the review still goes through.
    assertThat(api.post("bob", "/api/requests/" + id + "/review", Map.of("outcome", "DENY", "comment", "test over"))
        .status()).isEqualTo(200);
    assertThat(status(id)).isEqualTo("DENIED");
  }

  // ---- the expiry cannot be moved -----------------------------------------------------------

  /**
   * Nobody, admin included, moves, stops or suspends the expiry timer of an access through any
   * job, job definition, instance, definition or batch operation: 403 in Airlock's words, audited,
   * the timer where the grant put it. Raising retries (an operator's repair) still works.
   */
  @Test
  void nobodyMovesAnExpiry() {
    String id = submit("erin", "erin", "ReadOnlyAccess", "PT30M", STAGING).get("id").asText();
    JsonNode active = api.awaitStatus(id, "ACTIVE");
    Instant grantEnd = Instant.parse(active.get("grantEnd").asText()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    String instance = instancesOf(id).get(0);
    JsonNode timer = await().atMost(Duration.ofSeconds(10)).until(() -> api.get("admin", ENGINE_REST
        + "/job?processInstanceId=" + instance + "&timers=true").body().get(0), j -> j != null);
    String timerId = timer.get("id").asText();
    String jobDefinitionId = timer.get("jobDefinitionId").asText();
    String definitionId = timer.get("processDefinitionId").asText();
    int retries = timer.get("retries").asInt();
    long mark = auditHead();

    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
        .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
        new ch.qos.logback.core.read.ListAppender<>();
    log.start();
    root.addAppender(log);
    List<Reply> refused = new java.util.ArrayList<>();
    refused.add(api.put("admin", ENGINE_REST + "/job/" + timerId + "/duedate", Map.of("duedate",
        "2099-01-01T00:00:00.000+0000")));
    // An operator may retry jobs (RETRY_JOB), so the engine lets dave set retries: Airlock does not.
    refused.add(api.put("dave", ENGINE_REST + "/job/" + timerId + "/retries", Map.of("retries", 0)));
    refused.add(api.post("admin", ENGINE_REST + "/job/" + timerId + "/duedate/recalculate", null));
    refused.add(api.put("admin", ENGINE_REST + "/job/" + timerId + "/retries", Map.of("retries", 0)));
    refused.add(api.put("admin", ENGINE_REST + "/job/" + timerId + "/suspended", Map.of("suspended", true)));
    refused.add(api.put("admin", ENGINE_REST + "/job/suspended", Map.of("processInstanceId", instance, "suspended", true)));
    refused.add(api.put("admin", ENGINE_REST + "/job-definition/" + jobDefinitionId + "/suspended",
        Map.of("suspended", true, "includeJobs", true)));
    refused.add(api.put("admin", ENGINE_REST + "/job-definition/suspended",
        Map.of("processDefinitionKey", "access-request", "suspended", true)));
    refused.add(api.put("admin", ENGINE_REST + "/job-definition/" + jobDefinitionId + "/retries", Map.of("retries", 0)));
    refused.add(api.put("admin", ENGINE_REST + "/process-instance/" + instance + "/suspended", Map.of("suspended", true)));
    refused.add(api.put("admin", ENGINE_REST + "/process-instance/suspended",
        Map.of("processDefinitionKey", "access-request", "suspended", true)));
    refused.add(api.post("admin", ENGINE_REST + "/process-instance/suspended-async",
        Map.of("processInstanceIds", List.of(instance), "suspended", true)));
    refused.add(api.put("admin", ENGINE_REST + "/process-definition/" + definitionId + "/suspended",
        Map.of("suspended", true, "includeProcessInstances", true)));
    refused.add(api.put("admin", ENGINE_REST + "/process-definition/key/access-request/suspended",
        Map.of("suspended", true, "includeProcessInstances", false)));
    refused.add(api.post("admin", ENGINE_REST + "/job/retries", Map.of("jobIds", List.of(timerId), "retries", 0)));
    root.detachAppender(log);
    // One warning line a refusal, in Airlock's words; no error, no stack trace.
    List<ch.qos.logback.classic.spi.ILoggingEvent> lines = List.copyOf(log.list);
    assertThat(lines).filteredOn(e -> e.getLoggerName().equals("io.airlock.refused")
        && e.getFormattedMessage().contains("ForbiddenActionException")).hasSize(refused.size());
    assertThat(lines).filteredOn(e -> e.getThrowableProxy() != null || e.getLevel() == ch.qos.logback.classic.Level.ERROR)
        .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
        .noneMatch(m -> m.contains("ENGINE-") || m.contains("expiry") || m.contains("Refused") || m.contains("suspend"));
    for (Reply r : refused) {
      assertThat(r.status()).as(r.raw()).isEqualTo(403);
      assertThat(r.raw()).doesNotContain("ENGINE-", "Exception:", "io.airlock", "\tat ");
    }
    assertThat(refused.get(0).raw()).contains("cannot be changed, by anybody");
    assertThat(refused.get(1).raw()).contains("keep running");
    assertThat(refused.get(3).raw()).contains("keep running");
    assertThat(refused.get(4).raw()).contains("cannot be suspended");

    // The timer is where the grant put it, active, with its retries; nothing is suspended.
    JsonNode after = api.get("admin", ENGINE_REST + "/job/" + timerId).body();
    assertThat(Instant.parse(after.get("dueDate").asText().replace("+0000", "Z"))).isEqualTo(grantEnd);
    assertThat(after.get("suspended").asBoolean()).isFalse();
    assertThat(after.get("retries").asInt()).isEqualTo(retries);
    assertThat(api.get("admin", ENGINE_REST + "/job-definition/" + jobDefinitionId).body().get("suspended").asBoolean())
        .isFalse();
    assertThat(api.get("admin", ENGINE_REST + "/process-instance/" + instance).body().get("suspended").asBoolean())
        .isFalse();
    assertThat(api.get("admin", ENGINE_REST + "/process-definition/" + definitionId).body().get("suspended").asBoolean())
        .isFalse();
    assertThat(api.get("admin", ENGINE_REST + "/batch").body().findValuesAsText("type"))
        .doesNotContain("instance-update-suspension-state", "set-job-retries");
    assertThat(refusalsSince(mark, "admin", "refused.expiry")).isEqualTo(refused.size() - 1);
    assertThat(refusalsSince(mark, "dave", "refused.expiry")).isEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM audit_event WHERE seq > ? AND action = 'refused.expiry' "
        + "AND request_id = ?", Integer.class, mark, id)).isGreaterThanOrEqualTo(5);

    // Raising retries is how an operator repairs a failed revoke: it stays allowed.
    Reply raised = api.put("dave", ENGINE_REST + "/job/" + timerId + "/retries", Map.of("retries", retries + 1));
    assertThat(raised.status()).as(raised.raw()).isEqualTo(204);
    assertThat(api.get("admin", ENGINE_REST + "/job/" + timerId).body().get("retries").asInt()).isEqualTo(retries + 1);

    assertThat(hasAssignment(STAGING, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID))
        .isTrue();
    assertThat(api.post("erin", "/api/requests/" + id + "/revoke", Map.of("reason", "done")).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");
    assertThat(hasAssignment(STAGING, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID))
        .isFalse();
  }

  // ---- a rework never widens ------------------------------------------------------------------

  /**
   * The widening: AdministratorAccess asked for as a rework of auto-approved
   * ReadOnlyAccess is a 422 naming the permission and the way to ask for it (a new request);
   * nothing is filed, nothing reaches AWS, the refusal is audited. The same permission set is a
   * rework as before.
   */
  @Test
  void aReworkNeverWidens() {
    JsonNode request = submit("alice", "alice", "ReadOnlyAccess", "PT30M", SANDBOX);
    String id = request.get("id").asText();
    api.awaitStatus(id, "ACTIVE");
    await().atMost(Duration.ofSeconds(30)).until(() -> api.get("admin", "/api/inventory/permission-sets").body()
        .findValuesAsText("name").contains("ReadOnlyAccess"));
    long mark = auditHead();

    for (String wider : List.of("AdministratorAccess", "PowerUserAccess", "ViewOnlyAccess")) {
      Reply reworked = api.post("alice", "/api/requests/" + id + "/rework", Map.of("duration", "PT20M",
          "permission", wider, "justification", "Need more"));
      assertThat(reworked.status()).as(reworked.raw()).isEqualTo(422);
      assertThat(reworked.body().get("errors").get(0).get("field").asText()).isEqualTo("permission");
      assertThat(reworked.body().get("detail").asText()).contains("wider than this access", "as a new request");
      assertThat(reworked.body().get("newRequest").asText())
          .isEqualTo("/requests/new?target=" + SANDBOX + "&permission=" + wider);
    }
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM access_request WHERE supersedes = ?", Integer.class, id))
        .isZero();
    assertThat(refusalsSince(mark, "alice", "refused.rework")).isEqualTo(3);
    assertThat(status(id)).isEqualTo("ACTIVE");
    assertThat(hasAssignment(DemoOrganization.ADMINISTRATOR_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID)).isFalse();

    // The same permission set is within the original: filed, through policy as any rework.
    Reply same = api.post("alice", "/api/requests/" + id + "/rework", Map.of("duration", "PT20M",
        "permission", "ReadOnlyAccess", "justification", "A little less"));
    assertThat(same.status()).as(same.raw()).isEqualTo(201);
    assertThat(same.body().get("permission").asText()).isEqualTo("ReadOnlyAccess");
    String rework = same.body().get("id").asText();
    api.awaitStatus(rework, "ACTIVE");
    api.awaitStatus(id, "SUPERSEDED");
    assertThat(api.post("alice", "/api/requests/" + rework + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(rework, "REVOKED");
  }

  /**
   * A rework whose review took long ends at the latest at the scope's maximum counted from the
   * first grant, not its duration after its own approval: the grant's end, and the expiry timer,
   * are capped.
   */
  @Test
  void aReworkApprovedLateEndsAtTheMaximumFromTheFirstGrant() {
    String id = submit("erin", "erin", "ReadOnlyAccess", "PT30M", SANDBOX).get("id").asText();
    api.awaitStatus(id, "ACTIVE");
    Reply reworked = api.post("erin", "/api/requests/" + id + "/rework", Map.of("duration", "PT3H",
        "justification", "Longer look"));
    assertThat(reworked.status()).as(reworked.raw()).isEqualTo(201);
    String rework = reworked.body().get("id").asText();
    assertThat(reworked.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    long max = jdbc.queryForObject("SELECT max_duration_minutes FROM access_request WHERE id = ?", Long.class, rework);
    // As if the first grant had been 7 h before the approval (a long chain, a slow review): the
    // scope's maximum leaves less than the 3 h asked for.
    Instant chainStart = Instant.now().minus(Duration.ofMinutes(max)).plus(Duration.ofHours(1));
    jdbc.update("UPDATE access_request SET chain_start = ? WHERE id = ?", java.sql.Timestamp.from(chainStart), rework);

    assertThat(api.post("bob", "/api/requests/" + rework + "/review", Map.of("outcome", "APPROVE")).status())
        .isEqualTo(200);
    JsonNode active = api.awaitStatus(rework, "ACTIVE");
    Instant latest = chainStart.plus(Duration.ofMinutes(max)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Instant grantEnd = Instant.parse(active.get("grantEnd").asText()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    assertThat(grantEnd).isBetween(latest.minusMillis(1), latest.plusMillis(1));
    assertThat(grantEnd).isBefore(Instant.now().plus(Duration.ofMinutes(61)));
    JsonNode timer = await().atMost(Duration.ofSeconds(10)).until(() -> timers(rework).stream().findFirst()
        .orElse(null), j -> j != null);
    assertThat(Instant.parse(timer.get("dueDate").asText().replace("+0000", "Z"))).isEqualTo(grantEnd);
    assertThat(api.post("erin", "/api/requests/" + rework + "/revoke", null).status()).isEqualTo(200);
    api.awaitStatus(rework, "REVOKED");
  }

  /**
   * Two extensions filed against the same live access, each for all the scope's maximum leaves,
   * both approved: neither ends after the first grant's start plus the maximum, and neither
   * does their expiry timer.
   */
  @Test
  void twoExtensionsTogetherNeverPassTheMaximumFromTheFirstGrant() {
    String id = submit("erin", "erin", "ReadOnlyAccess", "PT30M", SANDBOX).get("id").asText();
    JsonNode active = api.awaitStatus(id, "ACTIVE");
    Instant firstGrant = Instant.parse(active.get("grantStart").asText());
    long max = jdbc.queryForObject("SELECT max_duration_minutes FROM access_request WHERE id = ?", Long.class, id);
    Instant latest = firstGrant.plus(Duration.ofMinutes(max));
    String rest = api.get("erin", "/api/requests/" + id + "/extensions").body().get("maximum").asText();
    List<String> extensions = new java.util.ArrayList<>();
    for (String why : List.of("First extension", "Second extension, filed before the first was decided")) {
      Reply extended = api.post("erin", "/api/requests/" + id + "/extend", Map.of("by", rest, "justification", why));
      assertThat(extended.status()).as(extended.raw()).isEqualTo(201);
      extensions.add(extended.body().get("id").asText());
    }
    for (String extension : extensions) {
      assertThat(api.post("bob", "/api/requests/" + extension + "/review", Map.of("outcome", "APPROVE")).status())
          .isEqualTo(200);
      JsonNode granted = api.awaitStatus(extension, "ACTIVE");
      assertThat(Instant.parse(granted.get("grantEnd").asText())).isBeforeOrEqualTo(latest);
      JsonNode timer = await().atMost(Duration.ofSeconds(10)).until(() -> timers(extension).stream().findFirst()
          .orElse(null), j -> j != null);
      assertThat(Instant.parse(timer.get("dueDate").asText().replace("+0000", "Z")))
          .isBeforeOrEqualTo(latest.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusMillis(1));
    }
    api.awaitStatus(id, "SUPERSEDED");
    for (String extension : extensions) {
      assertThat(api.post("erin", "/api/requests/" + extension + "/revoke", null).status()).isEqualTo(200);
      api.awaitStatus(extension, "REVOKED");
    }
    assertThat(hasAssignment(DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID)).isFalse();
  }

  // ---- every grant ends -------------------------------------------------------------------

  @Test
  void cancellingAnInstanceThatHoldsAccessRevokesIt() {
    String id = submit("erin", "erin", "ViewOnlyAccess", "PT30M", SANDBOX).get("id").asText();
    api.awaitStatus(id, "ACTIVE");
    assertThat(hasAssignment(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID)).isTrue();
    String instance = instancesOf(id).get(0);

    Reply deleted = api.delete("admin", ENGINE_REST + "/process-instance/" + instance + "?skipCustomListeners=true");
    assertThat(deleted.status()).as(deleted.raw()).isEqualTo(204);

    api.awaitStatus(id, "REVOKED");
    assertThat(hasAssignment(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID)).isFalse();
    assertThat(actions(id)).containsSubsequence("request.process-ended", "request.adopted", "access.revoked");

    // Cancelling a request that waits for review ends it CANCELLED.
    String pending = submit("erin", "erin", "PowerUserAccess", "PT1H", SANDBOX).get("id").asText();
    assertThat(api.delete("admin", ENGINE_REST + "/process-instance/" + instancesOf(pending).get(0)).status())
        .isEqualTo(204);
    assertThat(status(pending)).isEqualTo("CANCELLED");
  }

  /**
   * The expiry timer's priority (100) puts it in the job executor's revoke lane: a requester or
   * an approver cannot lower it (nor raise a grant's into the lane) through /engine-rest.
   */
  @Test
  void noRequesterOrApproverChangesAJobsPriority() {
    String id = submit("erin", "erin", "ReadOnlyAccess", "PT30M", STAGING).get("id").asText();
    api.awaitStatus(id, "ACTIVE");
    String instance = instancesOf(id).get(0);
    JsonNode timer = api.get("admin", ENGINE_REST + "/job?processInstanceId=" + instance + "&timers=true").body().get(0);
    for (String user : List.of("erin", "alice", "bob")) {
      Reply lowered = api.put(user, ENGINE_REST + "/job/" + timer.get("id").asText() + "/priority",
          Map.of("priority", 0));
      assertThat(lowered.status()).as(user + ": " + lowered.raw()).isIn(403, 404);
    }
    assertThat(api.get("admin", ENGINE_REST + "/job/" + timer.get("id").asText()).body().get("priority").asLong())
        .isEqualTo(100);
    assertThat(api.post("erin", "/api/requests/" + id + "/revoke", Map.of("reason", "done")).status()).isEqualTo(200);
    api.awaitStatus(id, "REVOKED");
  }

  @Test
  void reconcilerRevokesAccessWhoseProcessVanishedOrWhoseTimerWasMoved() {
    // A process lost behind Airlock's back (no listener ran): the reconciler notices.
    String lost = submit("alice", "alice", "ViewOnlyAccess", "PT30M", SANDBOX).get("id").asText();
    api.awaitStatus(lost, "ACTIVE");
    jdbc.update("UPDATE access_request SET process_instance_id = 'vanished' WHERE id = ?", lost);
    api.awaitStatus(lost, "REVOKED");
    assertThat(hasAssignment(DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID)).isFalse();
    assertThat(actions(lost)).contains("request.adopted");

    // A timer moved far ahead: revoked once the end plus the grace period has passed.
    // Long enough that the timer is still there when the test reads it on a busy machine.
    String moved = submit("erin", "erin", "ReadOnlyAccess", "PT8S", STAGING).get("id").asText();
    JsonNode active = api.awaitStatus(moved, "ACTIVE");
    String instance = jdbc.queryForObject("SELECT process_instance_id FROM access_request WHERE id = ?", String.class,
        moved);
    JsonNode timer = api.get("admin", ENGINE_REST + "/job?processInstanceId=" + instance + "&timers=true").body().get(0);
    // Nobody moves it through the engine (nobodyMovesAnExpiry); whoever can write the database can.
    assertThat(jdbc.update("UPDATE act_ru_job SET duedate_ = TIMESTAMP '2099-01-01 00:00:00' WHERE id_ = ?",
        timer.get("id").asText())).isEqualTo(1);
    JsonNode revoked = api.awaitStatus(moved, "REVOKED");
    assertThat(Instant.parse(revoked.get("revokedAt").asText()))
        .isAfter(Instant.parse(active.get("grantEnd").asText()).plusSeconds(2));
    assertThat(hasAssignment(STAGING, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID))
        .isFalse();
    assertThat(jdbc.queryForObject("SELECT actor FROM audit_event WHERE request_id = ? AND action = 'access.revoked'",
        String.class, moved)).isEqualTo("airlock:reconciler");
    await().atMost(Duration.ofSeconds(10)).until(() -> instancesOf(moved).isEmpty());
    assertThat(meters.counter("airlock.reconciler.revocations", "reason", "process-gone").count()).isGreaterThanOrEqualTo(1);
    assertThat(meters.counter("airlock.reconciler.revocations", "reason", "overdue").count()).isGreaterThanOrEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------

  private JsonNode submit(String user, String principal, String permission, String duration, String target) {
    Reply reply = api.post(user, "/api/requests",
        People.request(target, principal, permission, duration, "Security test " + permission + " for " + principal));
    assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
    return reply.body();
  }

  private static JsonNode parse(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  private static Map<String, Object> vars(String... nameValue) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      m.put(nameValue[i], Map.of("value", nameValue[i + 1], "type", "String"));
    }
    return m;
  }

  /** The open task "Your access" of a request, read as admin, or null. */
  private JsonNode accessTask(String id) {
    JsonNode tasks = api.get("admin", ENGINE_REST + "/task?processInstanceBusinessKey=" + id
        + "&taskDefinitionKey=Task_ManageAccess").body();
    return tasks.isEmpty() ? null : tasks.get(0);
  }

  /** The timer jobs of a request's running instances, read as admin. */
  private List<JsonNode> timers(String id) {
    List<JsonNode> jobs = new java.util.ArrayList<>();
    for (String instance : instancesOf(id)) {
      api.get("admin", ENGINE_REST + "/job?processInstanceId=" + instance + "&timers=true").body().forEach(jobs::add);
    }
    return jobs;
  }

  private String status(String id) {
    return jdbc.queryForObject("SELECT status FROM access_request WHERE id = ?", String.class, id);
  }

  private List<String> instancesOf(String id) {
    return api.get("admin", ENGINE_REST + "/process-instance?businessKey=" + id).body().findValuesAsText("id");
  }

  private List<String> actions(String id) {
    return jdbc.queryForList("SELECT action FROM audit_event WHERE request_id = ? ORDER BY seq", String.class, id);
  }

  private long auditHead() {
    return jdbc.queryForObject("SELECT last_seq FROM audit_chain WHERE id = 1", Long.class);
  }

  private int refusalsSince(long seq, String actor, String action) {
    return actor == null
        ? jdbc.queryForObject("SELECT COUNT(*) FROM audit_event WHERE seq > ? AND action = ?", Integer.class, seq, action)
        : jdbc.queryForObject("SELECT COUNT(*) FROM audit_event WHERE seq > ? AND action = ? AND actor = ?",
            Integer.class, seq, action, actor);
  }

  private boolean hasAssignment(String permissionSetArn, String principalId) {
    return hasAssignment(SANDBOX, permissionSetArn, principalId);
  }

  private boolean hasAssignment(String account, String permissionSetArn, String principalId) {
    return SandboxSso.assignments(aws, account, permissionSetArn).stream().anyMatch(a -> a.principalId().equals(principalId));
  }
}
