package io.airlock;

import static io.airlock.EngineAuthorizationMatrixTest.Expect.ALLOWED;
import static io.airlock.EngineAuthorizationMatrixTest.Expect.HIDDEN;
import static io.airlock.EngineAuthorizationMatrixTest.Expect.NO_EFFECT;
import static io.airlock.EngineAuthorizationMatrixTest.Expect.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Least privilege on the Camunda engine, role by role, tried over the engine REST API the way
 * someone holding that role would: every operation as a user in exactly one of Airlock's groups.
 * A refused operation answers 403 and leaves the engine as it was (instance, tokens, variables,
 * tasks, jobs, subscriptions, deployments, authorizations, users); an allowed one really happens.
 * Reads are not refused by the engine but filtered: HIDDEN means 200 with nothing in it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000",
    // A batch's monitor job looks again after this many seconds (Camunda: 30); the batch
    // operations below wait for their batch to be gone.
    "camunda.bpm.generic-properties.properties.batchPollTime=1"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineAuthorizationMatrixTest {

  enum Role {
    REQUESTER("airlock-requesters"), APPROVER("airlock-approvers"), OPERATOR("airlock-operators"),
    AUDITOR("airlock-auditors"), POLICY_AUTHOR("airlock-policy-authors"), ADMIN("camunda-admin");

    final String group;

    Role(String group) {
      this.group = group;
    }

    /** A user in this group only (ApiClient signs in with the password {@code airlock}). */
    String user() {
      return "matrix-" + name().toLowerCase();
    }
  }

  /**
   * ALLOWED: it happens. REFUSED: 403 and nothing changed. HIDDEN: the role cannot even see
   * it, so a read is filtered to nothing (200, empty) and a call on one resource answers 404
   * (the REST layer looks it up first), nothing changed.
   * NO_EFFECT: the engine's authorization lets it through, something else refuses it (an error
   * other than 403) and nothing changed.
   */
  enum Expect { ALLOWED, REFUSED, HIDDEN, NO_EFFECT }

  /** What an operation acts on: a request waiting for review, one with active access, one finished. */
  enum Kind { PENDING, ACTIVE, FINISHED, ENGINE }

  record Fixture(String requestId, String instanceId, String definitionId, String taskId, String jobId) {}

  /**
   * One column of the matrix. {@code mutates}: an allowed call changes its fixture, so it gets a
   * fresh one and the shared fixtures stay as the refused cells expect them.
   */
  record Op(String name, Kind kind, boolean mutates, Map<Role, Expect> expect,
      BiFunction<String, Fixture, Reply> call, BiConsumer<Role, Fixture> worked) {
    @Override
    public String toString() {
      return name;
    }
  }

  @LocalServerPort int port;
  @Autowired ProcessEngine engine;
  @Autowired List<ProcessEnginePlugin> plugins;

  ApiClient api;
  Fixture pending;
  Fixture active;
  Fixture finished;

  @BeforeAll
  void usersAndFixtures() {
    api = new ApiClient(port);
    for (Role role : Role.values()) {
      Reply created = api.post("admin", "/engine-rest/user/create", Map.of(
          "profile", Map.of("id", role.user(), "firstName", "Matrix", "lastName", role.name(),
              "email", role.user() + "@example.com"),
          "credentials", Map.of("password", "airlock")));
      assertThat(created.status()).as(created.raw()).isEqualTo(204);
      // Into Airlock's group as Airlock itself: an admin's membership change through the engine
      // REST API is refused (GroupMembershipGuard; MembershipChangeIntegrationTest).
      engine.getIdentityService().createMembership(role.user(), role.group);
    }
    pending = pending();
    active = active();
    finished = finished();
  }

  // ---------------------------------------------------------------- the matrix

  List<Op> operations() {
    List<Op> ops = new ArrayList<>();
    ops.add(new Op("start instance", Kind.ENGINE, true, only(Role.REQUESTER, Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/process-definition/key/access-request/start",
            Map.of("variables", startVariables())),
        (role, f) -> { }));
    // Drift reconciliation on demand: operators and admins only; requesters and approvers cannot
    // even see the definition.
    Map<Role, Expect> reconcilers = only(Role.OPERATOR, Role.ADMIN);
    reconcilers.put(Role.REQUESTER, HIDDEN);
    reconcilers.put(Role.APPROVER, HIDDEN);
    ops.add(new Op("start drift reconciliation", Kind.ENGINE, true, reconcilers,
        (user, f) -> api.post(user, "/engine-rest/process-definition/key/inventory-scan/start", Map.of()),
        (role, f) -> assertThat(admin("/engine-rest/history/process-instance/count?processDefinitionKey=inventory-scan"
            + "&startedBy=" + role.user()).get("count").asInt()).isEqualTo(1)));
    // ... and only at its start event: a run started at its summary would record counts it never made.
    Map<Role, Expect> hiddenFromRequesters = none();
    hiddenFromRequesters.put(Role.REQUESTER, HIDDEN);
    hiddenFromRequesters.put(Role.APPROVER, HIDDEN);
    ops.add(new Op("start drift reconciliation at its summary", Kind.ENGINE, false, hiddenFromRequesters,
        (user, f) -> api.post(user, "/engine-rest/process-definition/key/inventory-scan/start", Map.of(
            "variables", Map.of("orphansRevoked", Map.of("value", 99, "type", "Integer")),
            "startInstructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_RecordSummary")))),
        (role, f) -> { }));
    // CREATE_INSTANCE also allows starting anywhere in the model: an instruction to an activity
    // that does not exist shows the authorization answer without starting anything. (That a
    // start at "Grant access in AWS" grants nothing is the domain's rule, not the engine's.)
    ops.add(new Op("start with startInstructions", Kind.ENGINE, false, only(Role.REQUESTER, Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/process-definition/key/access-request/start", Map.of(
            "variables", startVariables(),
            "startInstructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Activity_Missing")))),
        (role, f) -> { }));
    ops.add(new Op("modify instance", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/process-instance/" + f.instanceId() + "/modification",
            Map.of("instructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_ReviewRequest")))),
        (role, f) -> assertThat(admin("/engine-rest/task?processInstanceId=" + f.instanceId())).hasSize(2)));
    ops.add(new Op("restart instance", Kind.FINISHED, false, only(Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/process-definition/" + f.definitionId() + "/restart", Map.of(
            "processInstanceIds", List.of(f.instanceId()),
            "instructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Activity_Missing")))),
        (role, f) -> { }));
    ops.add(new Op("migrate instance", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/migration/execute", Map.of(
            "migrationPlan", Map.of("sourceProcessDefinitionId", f.definitionId(),
                "targetProcessDefinitionId", f.definitionId(),
                "instructions", List.of(Map.of("sourceActivityIds", List.of("Task_ReviewRequest"),
                    "targetActivityIds", List.of("Task_ReviewRequest")))),
            "processInstanceIds", List.of(f.instanceId()))),
        (role, f) -> assertThat(admin("/engine-rest/history/user-operation?operationType=Migrate&userId="
            + role.user())).isNotEmpty()));
    ops.add(new Op("delete instance", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.delete(user, "/engine-rest/process-instance/" + f.instanceId()),
        (role, f) -> assertThat(api.get("admin", "/engine-rest/process-instance/" + f.instanceId()).status())
            .isEqualTo(404)));
    ops.add(new Op("suspend instance", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.put(user, "/engine-rest/process-instance/" + f.instanceId() + "/suspended",
            Map.of("suspended", true)),
        (role, f) -> assertThat(admin("/engine-rest/process-instance/" + f.instanceId()).get("suspended").asBoolean())
            .isTrue()));
    ops.add(new Op("set process variable", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.put(user, "/engine-rest/process-instance/" + f.instanceId() + "/variables/permission",
            Map.of("value", "AdministratorAccess", "type", "String")),
        (role, f) -> assertThat(variable(f, "permission")).isEqualTo("AdministratorAccess")));
    ops.add(new Op("modify process variables", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/process-instance/" + f.instanceId() + "/variables",
            Map.of("modifications", Map.of("target", Map.of("value", "444444444444", "type", "String")))),
        (role, f) -> assertThat(variable(f, "target")).isEqualTo("444444444444")));
    // The engine lets only an admin correlate; Airlock then refuses the revoke too: nobody asked
    // for it through Airlock (POST /api/requests/{id}/revoke) and the access has not ended yet.
    ops.add(new Op("correlate RevokeRequested", Kind.ACTIVE, true, none(),
        (user, f) -> api.post(user, "/engine-rest/message",
            Map.of("messageName", "RevokeRequested", "businessKey", f.requestId())),
        (role, f) -> assertThat(admin("/engine-rest/event-subscription?processInstanceId=" + f.instanceId()
            + "&eventName=RevokeRequested")).isEmpty()));
    ops.add(new Op("set task variables", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/task/" + f.taskId() + "/variables",
            Map.of("modifications", Map.of("reviewOutcome", Map.of("value", "APPROVE", "type", "String")))),
        (role, f) -> assertThat(variable(f, "reviewOutcome")).isEqualTo("APPROVE")));
    ops.add(new Op("set task local variable", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.put(user, "/engine-rest/task/" + f.taskId() + "/localVariables/reviewOutcome",
            Map.of("value", "APPROVE", "type", "String")),
        (role, f) -> assertThat(admin("/engine-rest/task/" + f.taskId() + "/localVariables")
            .path("reviewOutcome").path("value").asText()).isEqualTo("APPROVE")));
    ops.add(new Op("claim review task", Kind.PENDING, true, only(Role.APPROVER, Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/task/" + f.taskId() + "/claim", Map.of("userId", user)),
        (role, f) -> assertThat(task(f).path("assignee").asText()).isEqualTo(role.user())));
    ops.add(new Op("set assignee of review task", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/task/" + f.taskId() + "/assignee", Map.of("userId", "bob")),
        (role, f) -> assertThat(task(f).path("assignee").asText()).isEqualTo("bob")));
    ops.add(new Op("delegate review task", Kind.PENDING, true, only(Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/task/" + f.taskId() + "/delegate", Map.of("userId", "bob")),
        (role, f) -> assertThat(task(f).path("delegationState").asText()).isEqualTo("PENDING")));
    Map<Role, Expect> updaters = only(Role.ADMIN);
    updaters.put(Role.REQUESTER, HIDDEN);
    updaters.put(Role.POLICY_AUTHOR, HIDDEN);
    ops.add(new Op("update review task", Kind.PENDING, true, updaters,
        (user, f) -> api.put(user, "/engine-rest/task/" + f.taskId(), Map.of("name", "Renamed", "priority", 99)),
        (role, f) -> assertThat(task(f).path("name").asText()).isEqualTo("Renamed")));
    // TASK_WORK covers resolve (ResolveTaskCmd is a CompleteTaskCmd): an approver may "resolve"
    // a task nobody delegated, and the variables sent with it are written to the process.
    ops.add(new Op("resolve review task (with variables)", Kind.PENDING, true, only(Role.APPROVER, Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/task/" + f.taskId() + "/resolve",
            Map.of("variables", Map.of("reviewComment", Map.of("value", "resolved", "type", "String")))),
        (role, f) -> {
          assertThat(task(f).path("delegationState").asText()).isEqualTo("RESOLVED");
          assertThat(variable(f, "reviewComment")).isEqualTo("resolved");
        }));
    // TASK_WORK covers throwing a BPMN error from the task too; with no boundary event on the
    // review task the engine would end the instance, unless enableExceptionsAfterUnhandledBpmnError.
    Map<Role, Expect> taskWorkers = none();
    taskWorkers.put(Role.APPROVER, NO_EFFECT);
    taskWorkers.put(Role.ADMIN, NO_EFFECT);
    ops.add(new Op("throw BPMN error from review task", Kind.PENDING, false, taskWorkers,
        (user, f) -> api.post(user, "/engine-rest/task/" + f.taskId() + "/bpmnError",
            Map.of("errorCode", "SKIP_REVIEW")),
        (role, f) -> { }));
    // The review guard, not an authorization, stops an admin who is not in the candidate groups.
    ops.add(new Op("complete review task", Kind.PENDING, true, only(Role.APPROVER),
        (user, f) -> api.post(user, "/engine-rest/task/" + f.taskId() + "/complete",
            Map.of("variables", Map.of("reviewOutcome", Map.of("value", "DENY", "type", "String"),
                "reviewComment", Map.of("value", "matrix: denied", "type", "String")))),
        (role, f) -> assertThat(admin("/engine-rest/task?processInstanceId=" + f.instanceId())).isEmpty()));
    ops.add(new Op("set job retries", Kind.ACTIVE, false, only(Role.OPERATOR, Role.ADMIN),
        (user, f) -> api.put(user, "/engine-rest/job/" + f.jobId() + "/retries", Map.of("retries", 2)),
        (role, f) -> assertThat(admin("/engine-rest/job/" + f.jobId()).get("retries").asInt()).isEqualTo(2)));
    ops.add(new Op("set job retries as a batch", Kind.ACTIVE, false, only(Role.OPERATOR, Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/job/retries", Map.of("jobIds", List.of(f.jobId()), "retries", 4)),
        (role, f) -> await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          assertThat(admin("/engine-rest/job/" + f.jobId()).get("retries").asInt()).isEqualTo(4);
          assertThat(admin("/engine-rest/batch/count").get("count").asInt()).isZero();
        })));
    // The engine lets an admin; Airlock refuses everybody: the expiry cannot be moved (ExpiryGuard).
    ops.add(new Op("set job due date", Kind.ACTIVE, false, none(),
        (user, f) -> api.put(user, "/engine-rest/job/" + f.jobId() + "/duedate",
            Map.of("duedate", "2099-01-01T00:00:00.000+0000")),
        (role, f) -> assertThat(admin("/engine-rest/job/" + f.jobId()).get("dueDate").asText()).startsWith("2099")));
    ops.add(new Op("read process instances", Kind.PENDING, false, readers(),
        (user, f) -> api.get(user, "/engine-rest/process-instance?businessKey=" + f.requestId()),
        (role, f) -> { }));
    ops.add(new Op("read history", Kind.PENDING, false, readers(),
        (user, f) -> api.get(user, "/engine-rest/history/process-instance?processInstanceBusinessKey=" + f.requestId()),
        (role, f) -> { }));
    Map<Role, Expect> decisionReaders = readers();
    decisionReaders.put(Role.POLICY_AUTHOR, ALLOWED);
    ops.add(new Op("read decision definitions", Kind.ENGINE, false, decisionReaders,
        (user, f) -> api.get(user, "/engine-rest/decision-definition?key=access-scopes"),
        (role, f) -> { }));
    ops.add(new Op("read decision history", Kind.ENGINE, false, readers(),
        (user, f) -> api.get(user, "/engine-rest/history/decision-instance?decisionDefinitionKey=access-scopes"),
        (role, f) -> { }));
    Map<Role, Expect> taskReaders = readers();
    taskReaders.put(Role.APPROVER, ALLOWED);
    ops.add(new Op("read review task", Kind.PENDING, false, taskReaders,
        (user, f) -> api.get(user, "/engine-rest/task?processInstanceBusinessKey=" + f.requestId()),
        (role, f) -> { }));
    // Only policy authors deploy; an admin is refused too (Airlock's deployment guard, not an
    // authorization: the engine lets admins do everything).
    ops.add(new Op("deploy a model", Kind.ENGINE, true, only(Role.POLICY_AUTHOR),
        (user, f) -> api.postFile(user, "/engine-rest/deployment/create",
            Map.of("deployment-name", "matrix-" + user), "matrix.dmn", trivialDmn(user)),
        (role, f) -> {
          assertThat(admin("/engine-rest/deployment?name=matrix-" + role.user())).hasSize(1);
          // The deployment is a proposal whose review opens once a job has simulated it: wait for
          // it, so its task (and the task's grants) do not appear during a later cell's count.
          org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
              admin("/engine-rest/job?processDefinitionKey=policy-proposal&messages=true").isEmpty());
        }));
    // Nobody deletes a deployment by hand, admins included (Airlock's deployment guard: it would
    // put an older policy in force). Policy authors see deployments (READ) but may not delete them.
    Map<Role, Expect> deploymentDeleters = none();
    deploymentDeleters.put(Role.REQUESTER, HIDDEN);
    deploymentDeleters.put(Role.APPROVER, HIDDEN);
    ops.add(new Op("delete Airlock's deployment", Kind.PENDING, false, deploymentDeleters,
        (user, f) -> api.delete(user, "/engine-rest/deployment/"
            + admin("/engine-rest/process-definition/" + f.definitionId()).get("deploymentId").asText()),
        (role, f) -> { }));
    ops.add(new Op("create an authorization", Kind.ENGINE, true, only(Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/authorization/create", Map.of("type", 1, "permissions", List.of("ALL"),
            "userId", user, "resourceType", 8, "resourceId", "*")),
        (role, f) -> assertThat(admin("/engine-rest/authorization?userIdIn=" + role.user() + "&resourceType=8"))
            .hasSize(1)));
    ops.add(new Op("create a user", Kind.ENGINE, true, only(Role.ADMIN),
        (user, f) -> api.post(user, "/engine-rest/user/create", Map.of(
            "profile", Map.of("id", "created-by-" + user), "credentials", Map.of("password", "Secret-123"))),
        (role, f) -> assertThat(admin("/engine-rest/user?id=created-by-" + role.user())).hasSize(1)));
    return ops;
  }

  Stream<Arguments> cells() {
    return operations().stream().flatMap(op -> Stream.of(Role.values()).map(role -> Arguments.of(role, op)));
  }

  @Order(1)
  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cells")
  void everyRoleMayDoExactlyItsPartOnTheEngine(Role role, Op op) {
    Expect expect = op.expect().getOrDefault(role, REFUSED);
    Fixture f = expect == ALLOWED && op.mutates() ? fresh(op.kind()) : shared(op.kind());
    Map<String, JsonNode> before = snapshot(f, role.user());

    Reply reply = op.call().apply(role.user(), f);

    switch (expect) {
      case REFUSED -> {
        assertThat(reply.status()).as("%s %s: %s", role, op, reply.raw()).isEqualTo(403);
        assertThat(snapshot(f, role.user())).as("%s %s changed nothing", role, op).isEqualTo(before);
      }
      case NO_EFFECT -> {
        assertThat(reply.status()).as("%s %s: %s", role, op, reply.raw()).isGreaterThanOrEqualTo(400).isNotIn(401, 403);
        assertThat(snapshot(f, role.user())).as("%s %s changed nothing", role, op).isEqualTo(before);
      }
      case HIDDEN -> {
        assertThat(reply.status()).as("%s %s: %s", role, op, reply.raw()).isIn(200, 404);
        if (reply.status() == 200) {
          assertThat(reply.body()).as("%s sees nothing of %s", role, op).isEmpty();
        }
        assertThat(snapshot(f, role.user())).as("%s %s changed nothing", role, op).isEqualTo(before);
      }
      case ALLOWED -> {
        assertThat(reply.status()).as("%s %s: %s", role, op, reply.raw()).isNotIn(401, 403);
        if (reply.raw().contains("Activity_Missing")) {
          // authorized; the engine then refused the instruction to a missing activity
          assertThat(reply.status()).isIn(400, 500);
        } else {
          assertThat(reply.status()).as("%s %s: %s", role, op, reply.raw()).isBetween(200, 204);
          if (reply.body() != null && reply.body().isArray()) {
            assertThat(reply.body()).as("%s sees %s", role, op).isNotEmpty();
          }
        }
        op.worked().accept(role, f);
      }
    }
  }

  // ---------------------------------------------------------------- the grants themselves

  @Order(2)
  @Test
  void eachGroupHasExactlyItsAuthorizations() {
    assertThat(grants("airlock-requesters")).containsExactlyInAnyOrder(
        "GROUP airlock-requesters [READ]",
        "APPLICATION tasklist [ACCESS]",
        "FILTER 'My active access' [READ]",
        "FILTER 'Assigned to me' [READ]",
        "FILTER 'All tasks' [READ]",
        "PROCESS_DEFINITION access-request [CREATE_INSTANCE, READ]",
        "PROCESS_INSTANCE * [CREATE]");
    assertThat(grants("airlock-approvers")).containsExactlyInAnyOrder(
        "GROUP airlock-approvers [READ]",
        "APPLICATION tasklist [ACCESS]",
        "FILTER 'Reviews waiting for me' [READ]",
        "FILTER 'Break-glass reviews' [READ]",
        "FILTER 'My active access' [READ]",
        "FILTER 'Assigned to me' [READ]",
        "FILTER 'All tasks' [READ]",
        "PROCESS_DEFINITION access-request [READ]");
    List<String> readers = List.of(
        "APPLICATION cockpit [ACCESS]",
        "DECISION_DEFINITION * [READ, READ_HISTORY]",
        "DECISION_REQUIREMENTS_DEFINITION * [READ]",
        "DEPLOYMENT * [READ]",
        "PROCESS_INSTANCE * [READ]",
        "TASK * [READ]",
        "HISTORIC_PROCESS_INSTANCE * [READ]",
        "HISTORIC_TASK * [READ]",
        "OPERATION_LOG_CATEGORY * [READ]");
    List<String> auditors = new ArrayList<>(readers);
    auditors.add("PROCESS_DEFINITION * [READ, READ_HISTORY, READ_INSTANCE, READ_TASK]");
    auditors.add("BATCH * [READ, READ_HISTORY]");
    auditors.add("GROUP airlock-auditors [READ]");
    assertThat(grants("airlock-auditors")).containsExactlyInAnyOrderElementsOf(auditors);
    List<String> operators = new ArrayList<>(readers);
    operators.remove("PROCESS_INSTANCE * [READ]");
    operators.add("PROCESS_INSTANCE * [CREATE, READ, RETRY_JOB]");
    operators.add("APPLICATION tasklist [ACCESS]");
    operators.add("PROCESS_DEFINITION inventory-scan [CREATE_INSTANCE, READ]");
    operators.add("PROCESS_DEFINITION * [READ, READ_HISTORY, READ_INSTANCE, READ_TASK, RETRY_JOB]");
    operators.add("BATCH * [CREATE_BATCH_SET_JOB_RETRIES, READ, READ_HISTORY]");
    operators.add("GROUP airlock-operators [READ]");
    assertThat(grants("airlock-operators")).containsExactlyInAnyOrderElementsOf(operators);
    assertThat(grants("airlock-policy-authors")).containsExactlyInAnyOrder(
        "GROUP airlock-policy-authors [READ]",
        "DEPLOYMENT * [CREATE, READ]",
        "PROCESS_DEFINITION * [READ]",
        "DECISION_DEFINITION * [READ]",
        "DECISION_REQUIREMENTS_DEFINITION * [READ]");
    assertThat(grants("camunda-admin")).filteredOn(g -> !g.startsWith("GROUP camunda-admin "))
        .allMatch(g -> g.endsWith(" * [ALL]")).hasSize(org.camunda.bpm.engine.authorization.Resources.values().length);
  }

  /**
   * A restart on a database an older Airlock wrote: wider grants than wanted, a grant on a
   * resource no longer wanted, and a review task whose candidates got UPDATE. One run of the
   * plugin puts back exactly the wanted set; a second changes nothing.
   */
  @Order(3)
  @Test
  void startOnAnOlderDatabaseRemovesWhatIsNoLongerWanted() {
    JsonNode operatorInstances = admin("/engine-rest/authorization?groupIdIn=airlock-operators&resourceType=8").get(0);
    assertThat(api.put("admin", "/engine-rest/authorization/" + operatorInstances.get("id").asText(), Map.of(
        "permissions", List.of("ALL"), "groupId", "airlock-operators", "resourceType", 8, "resourceId", "*"))
        .status()).isEqualTo(204);
    assertThat(api.post("admin", "/engine-rest/authorization/create", Map.of("type", 1, "permissions", List.of("ALL"),
        "groupId", "airlock-approvers", "resourceType", 6, "resourceId", "old-process")).status()).isEqualTo(200);
    Fixture f = pending();
    JsonNode taskGrant = admin("/engine-rest/authorization?groupIdIn=airlock-approvers&resourceType=7&resourceId="
        + f.taskId()).get(0);
    assertThat(taskGrant.get("permissions")).extracting(JsonNode::asText).containsExactlyInAnyOrder("READ", "TASK_WORK");
    assertThat(api.put("admin", "/engine-rest/authorization/" + taskGrant.get("id").asText(), Map.of(
        "permissions", List.of("READ", "UPDATE"), "groupId", "airlock-approvers", "resourceType", 7,
        "resourceId", f.taskId())).status()).isEqualTo(204);
    assertThat(api.post(Role.OPERATOR.user(), "/engine-rest/process-instance/" + f.instanceId() + "/variables",
        Map.of("modifications", Map.of("target", Map.of("value", "444444444444")))).status()).isEqualTo(204);

    groupAuthorizations().postProcessEngineBuild(engine);

    assertThat(grants("airlock-operators")).contains("PROCESS_INSTANCE * [CREATE, READ, RETRY_JOB]");
    assertThat(grants("airlock-approvers")).noneMatch(g -> g.contains("old-process"));
    assertThat(admin("/engine-rest/authorization/" + taskGrant.get("id").asText()).get("permissions"))
        .extracting(JsonNode::asText).containsExactlyInAnyOrder("READ", "TASK_WORK");
    Reply refused = api.post(Role.OPERATOR.user(), "/engine-rest/process-instance/" + f.instanceId() + "/variables",
        Map.of("modifications", Map.of("target", Map.of("value", "333333333333"))));
    assertThat(refused.status()).isEqualTo(403);
    Reply taskVariables = api.post(Role.APPROVER.user(), "/engine-rest/task/" + f.taskId() + "/variables",
        Map.of("modifications", Map.of("reviewOutcome", Map.of("value", "APPROVE"))));
    assertThat(taskVariables.status()).isEqualTo(403);

    List<String> all = allGrants();
    groupAuthorizations().postProcessEngineBuild(engine);
    assertThat(allGrants()).isEqualTo(all);
  }

  /**
   * Roles add up: dave (operator and requester) has READ_HISTORY and CREATE_INSTANCE, which is
   * what a restart checks, so he may restart a finished instance (at any activity) though
   * neither role alone may.
   */
  @Order(4)
  @Test
  void aUserInOperatorsAndRequestersMayRestart() {
    Reply restart = api.post("dave", "/engine-rest/process-definition/" + finished.definitionId() + "/restart", Map.of(
        "processInstanceIds", List.of(finished.instanceId()),
        "instructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Activity_Missing"))));
    assertThat(restart.status()).as(restart.raw()).isNotIn(401, 403);
    assertThat(restart.raw()).contains("Activity_Missing");
  }

  // ---------------------------------------------------------------- fixtures

  private Fixture shared(Kind kind) {
    return switch (kind) {
      case PENDING -> pending;
      case ACTIVE -> active;
      case FINISHED -> finished;
      case ENGINE -> null;
    };
  }

  private Fixture fresh(Kind kind) {
    return switch (kind) {
      case PENDING -> pending();
      case ACTIVE -> active();
      case FINISHED -> finished();
      case ENGINE -> null;
    };
  }

  /** A request of alice's waiting at the review task (through Airlock's API, as a user would). */
  private Fixture pending() {
    Reply submitted = api.post("alice", "/api/requests", Map.of("system", "AWS", "target", "222222222222",
        "principal", "alice", "permission", "PowerUserAccess", "duration", "PT1H", "justification", "matrix test"));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    JsonNode[] task = new JsonNode[1];
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode tasks = admin("/engine-rest/task?processInstanceBusinessKey=" + id);
      assertThat(tasks).hasSize(1);
      task[0] = tasks.get(0);
    });
    return new Fixture(id, task[0].get("processInstanceId").asText(), task[0].get("processDefinitionId").asText(),
        task[0].get("id").asText(), null);
  }

  /** A request approved by bob, with access active in (sandbox) AWS: waiting at its end timer. */
  private Fixture active() {
    Fixture p = pending();
    Reply approved = api.post("bob", "/api/requests/" + p.requestId() + "/review", Map.of("outcome", "APPROVE"));
    assertThat(approved.status()).as(approved.raw()).isEqualTo(200);
    JsonNode[] job = new JsonNode[1];
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode jobs = admin("/engine-rest/job?processInstanceId=" + p.instanceId() + "&timers=true");
      assertThat(jobs).hasSize(1);
      assertThat(admin("/engine-rest/event-subscription?processInstanceId=" + p.instanceId()
          + "&eventName=RevokeRequested")).hasSize(1);
      job[0] = jobs.get(0);
    });
    return new Fixture(p.requestId(), p.instanceId(), p.definitionId(), null, job[0].get("id").asText());
  }

  /** A request that policy rejected at once: an instance that has ended. */
  private Fixture finished() {
    Reply submitted = api.post("erin", "/api/requests", Map.of("system", "AWS", "target", "111111111111",
        "principal", "erin", "permission", "AdministratorAccess", "duration", "PT1H", "justification", "matrix test"));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    JsonNode[] hpi = new JsonNode[1];
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode list = admin("/engine-rest/history/process-instance?finished=true&processInstanceBusinessKey=" + id);
      assertThat(list).hasSize(1);
      hpi[0] = list.get(0);
    });
    return new Fixture(id, hpi[0].get("id").asText(), hpi[0].get("processDefinitionId").asText(), null, null);
  }

  /** What a refused call must leave as it was, read as admin. */
  private Map<String, JsonNode> snapshot(Fixture f, String user) {
    Map<String, JsonNode> s = new LinkedHashMap<>();
    for (String count : List.of("deployment", "authorization", "user", "batch")) {
      s.put(count, admin("/engine-rest/" + count + "/count"));
    }
    s.put("started by " + user, admin("/engine-rest/history/process-instance/count?startedBy=" + user));
    if (f != null) {
      String pi = f.instanceId();
      for (String path : List.of("/process-instance/" + pi, "/process-instance/" + pi + "/activity-instances",
          "/process-instance/" + pi + "/variables", "/task?processInstanceId=" + pi, "/job?processInstanceId=" + pi,
          "/event-subscription?processInstanceId=" + pi, "/history/process-instance/" + pi)) {
        s.put(path, api.get("admin", "/engine-rest" + path).body());
      }
      if (f.taskId() != null) {
        s.put("task variables", admin("/engine-rest/task/" + f.taskId() + "/localVariables"));
      }
    }
    return s;
  }

  // ---------------------------------------------------------------- helpers

  private JsonNode admin(String path) {
    Reply r = api.get("admin", path);
    assertThat(r.status()).as(path + ": " + r.raw()).isEqualTo(200);
    return r.body();
  }

  private JsonNode task(Fixture f) {
    return admin("/engine-rest/task/" + f.taskId());
  }

  private String variable(Fixture f, String name) {
    return admin("/engine-rest/process-instance/" + f.instanceId() + "/variables/" + name).get("value").asText();
  }

  /** Each grant of the group as "RESOURCE id [PERMISSIONS]", the engine's per-task grants left out. */
  private Set<String> grants(String group) {
    Set<String> grants = new TreeSet<>();
    for (JsonNode a : admin("/engine-rest/authorization?groupIdIn=" + group)) {
      int type = a.get("resourceType").asInt();
      String id = a.get("resourceId").asText();
      if ((type == 7 || type == 20) && !id.equals("*")) {
        continue;
      }
      if (type == 5 && !id.equals("*")) {
        id = "'" + admin("/engine-rest/filter/" + id).get("name").asText() + "'"; // Tasklist's filters by name
      }
      Set<String> permissions = new TreeSet<>();
      a.get("permissions").forEach(p -> permissions.add(p.asText()));
      grants.add(resourceName(type) + " " + id + " " + permissions);
    }
    return grants;
  }

  private List<String> allGrants() {
    List<String> all = new ArrayList<>();
    for (JsonNode a : admin("/engine-rest/authorization?sortBy=resourceType&sortOrder=asc")) {
      all.add(a.get("id").asText() + " " + a.get("permissions"));
    }
    all.sort(null);
    return all;
  }

  private static String resourceName(int type) {
    for (org.camunda.bpm.engine.authorization.Resources r : org.camunda.bpm.engine.authorization.Resources.values()) {
      if (r.resourceType() == type) {
        return r.name();
      }
    }
    return String.valueOf(type);
  }

  private ProcessEnginePlugin groupAuthorizations() {
    return plugins.stream().filter(p -> p.getClass().getSimpleName().equals("GroupAuthorizations"))
        .findFirst().orElseThrow();
  }

  private static Map<String, Object> startVariables() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("system", Map.of("value", "AWS"));
    v.put("target", Map.of("value", "222222222222"));
    v.put("principal", Map.of("value", "alice"));
    v.put("permission", Map.of("value", "PowerUserAccess"));
    v.put("duration", Map.of("value", "PT1H"));
    v.put("justification", Map.of("value", "matrix test, engine start"));
    return v;
  }

  private static Map<Role, Expect> only(Role... allowed) {
    Map<Role, Expect> m = new EnumMap<>(Role.class);
    for (Role r : allowed) {
      m.put(r, ALLOWED);
    }
    return m;
  }

  private static Map<Role, Expect> none() {
    return new EnumMap<>(Role.class);
  }

  /** Reads: allowed for operators, auditors and admins; filtered to nothing for the others. */
  private static Map<Role, Expect> readers() {
    Map<Role, Expect> m = only(Role.OPERATOR, Role.AUDITOR, Role.ADMIN);
    m.put(Role.REQUESTER, HIDDEN);
    m.put(Role.APPROVER, HIDDEN);
    m.put(Role.POLICY_AUTHOR, HIDDEN);
    return m;
  }

  /** A decision table a policy author could deploy: FEEL only, history time to live set. */
  private static String trivialDmn(String user) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
            xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="Definitions_Matrix" name="Matrix"
            namespace="https://airlock.io/test">
          <decision id="%s" name="Matrix" camunda:historyTimeToLive="P1D">
            <decisionTable id="DecisionTable_Matrix">
              <input id="Input_X" label="X"><inputExpression id="InputExpression_X" typeRef="string"><text>x</text></inputExpression></input>
              <output id="Output_Y" label="Y" name="y" typeRef="string" />
              <rule id="Rule_Any"><description>Any x.</description>
                <inputEntry id="UnaryTests_Any"><text>-</text></inputEntry>
                <outputEntry id="LiteralExpression_Any"><text>"y"</text></outputEntry>
              </rule>
            </decisionTable>
          </decision>
        </definitions>
        """.formatted("matrix-" + user);
  }
}
