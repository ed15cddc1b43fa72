package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.IdentityLink;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
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
 * Separation of duties and nobody granting themselves Airlock's powers, tried over HTTP on
 * PostgreSQL as the demo roles (issue 24, point 2):
 * <ul>
 *   <li>an administrator's changes to Airlock's groups through the engine REST API (Camunda
 *       Admin's API alike) are refused in Airlock's words naming the way to ask, audited, and
 *       change nothing: self-addition, sock puppets, removing the security group's member,
 *       deleting or creating Airlock's groups, deleting or resetting the password of a member;
 *   <li>the way to ask, {@code POST /api/memberships}, changes a membership only after a second
 *       person (security group or another admin, neither the asker nor the user) approved it in
 *       the review task; a denial, a self-review and a process pushed past its review change
 *       nothing; every step is in the audit log;
 *   <li>the README's <i>Separation of duties</i> table: each row's claims against the running app.
 * </ul>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "airlock.inventory.scheduled=false",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeparationOfDutiesIntegrationTest {

  static final String AUTHORS = "airlock-policy-authors";
  static final String APPROVERS = "airlock-approvers";
  static final String SECURITY = "airlock-security";

  @LocalServerPort int port;
  @Autowired IdentityService identity;
  @Autowired TaskService tasks;
  @Autowired JdbcTemplate jdbc;

  ApiClient api;

  @BeforeAll
  void client() {
    api = new ApiClient(port);
  }

  /** What a test added through an approved change goes again, so every test starts from the demo's groups. */
  @AfterEach
  void demoGroups() {
    for (String group : List.of(AUTHORS, APPROVERS)) {
      if (member("admin", group)) {
        identity.deleteMembership("admin", group);
      }
    }
  }

  // --- Refused on the engine's surfaces ---------------------------------------------------------

  @Test
  void anAdminsSelfAdditionToAirlocksGroupsIsRefusedNamingTheWayToAskAndAudited() {
    long refusalsBefore = count("refused.membership");

    Reply selfAdded = api.put("admin", "/engine-rest/group/" + AUTHORS + "/members/admin", null);
    assertThat(selfAdded.status()).as(selfAdded.raw()).isEqualTo(403);
    assertThat(selfAdded.raw()).contains("changes only with a second person", "POST /api/memberships",
        "airlock-security").doesNotContain("ENGINE-", "Exception:", "org.camunda");
    assertThat(member("admin", AUTHORS)).isFalse();
    assertThat(api.put("admin", "/engine-rest/group/" + APPROVERS + "/members/admin", null).status()).isEqualTo(403);
    assertThat(member("admin", APPROVERS)).isFalse();

    // A sock puppet: creating a user is an admin's, putting it in Airlock's groups is not.
    Reply puppet = api.post("admin", "/engine-rest/user/create", Map.of("profile", Map.of("id", "puppet",
        "firstName", "Sock", "lastName", "Puppet", "email", "puppet@example.com"),
        "credentials", Map.of("password", "airlock")));
    assertThat(puppet.status()).as(puppet.raw()).isEqualTo(204);
    assertThat(api.put("admin", "/engine-rest/group/" + APPROVERS + "/members/puppet", null).status()).isEqualTo(403);
    assertThat(member("puppet", APPROVERS)).isFalse();
    assertThat(api.put("admin", "/engine-rest/user/puppet/profile", Map.of("id", "puppet", "firstName", "Still",
        "lastName", "Nobody", "email", "puppet@example.com")).status()).as("a user in no group is the admin's")
        .isEqualTo(204);

    // Taking the second person away, or the groups themselves.
    assertThat(api.delete("admin", "/engine-rest/group/" + SECURITY + "/members/dave").status()).isEqualTo(403);
    assertThat(member("dave", SECURITY)).isTrue();
    assertThat(api.delete("admin", "/engine-rest/group/" + APPROVERS).status()).isEqualTo(403);
    assertThat(identity.createGroupQuery().groupId(APPROVERS).count()).isOne();
    Reply created = api.post("admin", "/engine-rest/group/create", Map.of("id", "airlock-monitoring", "name", "mine",
        "type", "WORKFLOW"));
    assertThat(created.status()).as(created.raw()).isEqualTo(403);
    assertThat(identity.createGroupQuery().groupId("airlock-monitoring").groupName("mine").count()).isZero();
    Reply renamed = api.put("admin", "/engine-rest/group/airlock-auditors", Map.of("id", "airlock-auditors",
        "name", "Everybody", "type", "WORKFLOW"));
    assertThat(renamed.status()).as(renamed.raw()).isEqualTo(403);
    assertThat(identity.createGroupQuery().groupId("airlock-auditors").singleResult().getName())
        .isNotEqualTo("Everybody");
    // Deleting a member (their memberships go with them), or taking over one by resetting their password.
    assertThat(api.delete("admin", "/engine-rest/user/bob").status()).isEqualTo(403);
    assertThat(identity.createUserQuery().userId("bob").count()).isOne();
    Reply reset = api.put("admin", "/engine-rest/user/bob/credentials", Map.of("password", "Taken-over-1",
        "authenticatedUserPassword", "airlock"));
    assertThat(reset.status()).as(reset.raw()).isEqualTo(403);
    assertThat(identity.checkPassword("bob", "airlock")).isTrue();
    // Every refusal is on record, with who tried what.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(count("refused.membership")).isGreaterThanOrEqualTo(refusalsBefore + 9));
    String detail = jdbc.queryForObject("SELECT details FROM audit_event WHERE action = 'refused.membership' "
        + "AND actor = 'admin' AND details LIKE '%" + AUTHORS + "%' ORDER BY seq LIMIT 1", String.class);
    assertThat(detail).contains("\"change\":\"add\"", "\"user\":\"admin\"", "\"group\":\"" + AUTHORS + "\"");
  }

  // --- The way to ask: reviewed by a second person ------------------------------------------------

  @Test
  void aMembershipChangeIsAppliedOnlyAfterASecondPersonApprovedIt() {
    Reply bad = api.post("admin", "/api/memberships", Map.of("user", "nobody", "group", "airlock-everything",
        "change", "MAYBE", "reason", ""));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("user", "group", "change",
        "reason");

    Reply asked = api.post("admin", "/api/memberships", Map.of("user", "admin", "group", AUTHORS, "change", "ADD",
        "reason", "I want to fix the auto-approval table myself"));
    assertThat(asked.status()).as(asked.raw()).isEqualTo(201);
    String id = asked.body().get("id").asText();
    assertThat(asked.body().get("status").asText()).isEqualTo("PENDING_REVIEW");
    assertThat(member("admin", AUTHORS)).isFalse();
    assertThat(api.post("admin", "/api/memberships", Map.of("user", "admin", "group", AUTHORS, "change", "ADD",
        "reason", "again")).status()).as("one change of a membership at a time").isEqualTo(409);

    Task review = reviewTask(id);
    assertThat(review.getName()).isEqualTo("Review group membership change");
    assertThat(tasks.getIdentityLinksForTask(review.getId())).extracting(IdentityLink::getGroupId)
        .contains(SECURITY, "camunda-admin");

    // The asker (and the user concerned) cannot approve it, through the engine REST API or otherwise.
    Reply selfApproved = api.post("admin", "/engine-rest/task/" + review.getId() + "/complete",
        Map.of("variables", Map.of("membershipOutcome", Map.of("value", "APPROVE"))));
    assertThat(selfApproved.status()).as(selfApproved.raw()).isEqualTo(403);
    assertThat(selfApproved.raw()).contains("nobody reviews a membership change they asked for")
        .doesNotContain("ENGINE-");
    // Somebody outside the security group and the admins cannot either.
    assertThat(api.post("bob", "/engine-rest/task/" + review.getId() + "/complete",
        Map.of("variables", Map.of("membershipOutcome", Map.of("value", "APPROVE")))).status()).isIn(403, 404);
    assertThat(member("admin", AUTHORS)).isFalse();
    assertThat(status(id)).isEqualTo("PENDING_REVIEW");

    // dave (security) approves: Airlock changes it, as itself.
    Reply approved = api.post("dave", "/engine-rest/task/" + review.getId() + "/complete",
        Map.of("variables", Map.of("membershipOutcome", Map.of("value", "APPROVE"),
            "membershipComment", Map.of("value", "agreed with the security team"))));
    assertThat(approved.status()).as(approved.raw()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(20)).until(() -> member("admin", AUTHORS));
    assertThat(status(id)).isEqualTo("CHANGED");
    assertThat(api.get("admin", "/api/memberships/" + id).body().get("decidedBy").asText()).isEqualTo("dave");
    assertThat(actions(id)).containsSubsequence("membership.requested", "refused.membership-review",
        "membership.approved", "membership.changed");
    assertThat(actor(id, "membership.approved")).isEqualTo("dave");
    assertThat(actor(id, "membership.requested")).isEqualTo("admin");
  }

  @Test
  void aDeniedChangeAndAProcessPushedPastItsReviewChangeNothing() {
    String denied = api.post("dave", "/api/memberships", Map.of("user", "admin", "group", APPROVERS, "change", "ADD",
        "reason", "cover the weekend")).body().get("id").asText();
    Reply deny = api.post("admin", "/engine-rest/task/" + reviewTask(denied).getId() + "/complete",
        Map.of("variables", Map.of("membershipOutcome", Map.of("value", "DENY"))));
    assertThat(deny.status()).as("nobody decides their own membership").isEqualTo(403);
    // Another member of the security group decides it (made a member by Airlock itself here).
    if (identity.createUserQuery().userId("sam").count() == 0) {
      var sam = identity.newUser("sam");
      sam.setPassword("airlock");
      identity.saveUser(sam);
      identity.createMembership("sam", SECURITY);
    }
    Reply denial = api.post("sam", "/engine-rest/task/" + reviewTask(denied).getId() + "/complete",
        Map.of("variables", Map.of("membershipOutcome", Map.of("value", "DENY"))));
    assertThat(denial.status()).as(denial.raw()).isEqualTo(204);
    assertThat(status(denied)).isEqualTo("DENIED");
    assertThat(actions(denied)).contains("membership.denied").doesNotContain("membership.changed");
    assertThat(member("admin", APPROVERS)).isFalse();

    // An admin moves a pending change's process past its review, straight to the change step: the
    // change's row has no approval, so nothing changes (and it is on record).
    String pushed = api.post("admin", "/api/memberships", Map.of("user", "admin", "group", APPROVERS, "change", "ADD",
        "reason", "again")).body().get("id").asText();
    String instance = jdbc.queryForObject("SELECT process_instance_id FROM membership_change WHERE id = ?",
        String.class, pushed);
    Reply modified = api.post("admin", "/engine-rest/process-instance/" + instance + "/modification", Map.of(
        "instructions", List.of(Map.of("type", "startBeforeActivity", "activityId", "Task_ChangeGroupMembership"))));
    assertThat(modified.status()).as(modified.raw()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(20)).until(() -> actions(pushed).contains("refused.membership-change"));
    assertThat(member("admin", APPROVERS)).isFalse();
    assertThat(status(pushed)).isEqualTo("PENDING_REVIEW");
  }

  // --- The README's table, row by row -------------------------------------------------------------

  @Test
  void theReadmesSeparationOfDutiesTableHoldsInTheRunningApp() throws IOException {
    Map<String, Runnable> checks = new LinkedHashMap<>();
    checks.put("requester", () -> {
      // bob asks for himself; he is an approver too, but not of his own request.
      String own = submit("bob");
      Reply review = api.post("bob", "/api/requests/" + own + "/review", Map.of("outcome", "APPROVE"));
      assertThat(review.status()).as(review.raw()).isEqualTo(403);
      assertThat(requestStatus(own)).isEqualTo("PENDING_REVIEW");
    });
    checks.put("approver", () -> {
      String alices = submit("alice");
      assertThat(deploy("bob")).isEqualTo(403);
      assertThat(api.put("bob", "/engine-rest/group/" + AUTHORS + "/members/bob", null).status()).isEqualTo(403);
      assertThat(member("bob", AUTHORS)).isFalse();
      assertThat(api.post("bob", "/api/requests/" + alices + "/review", Map.of("outcome", "APPROVE")).status())
          .isEqualTo(200);
    });
    checks.put("policy author", () -> {
      String alices = submit("alice");
      // Not even shown to pat: 404, as for anybody who may not read it.
      assertThat(api.post("pat", "/api/requests/" + alices + "/review", Map.of("outcome", "APPROVE")).status())
          .isIn(403, 404);
      assertThat(requestStatus(alices)).isEqualTo("PENDING_REVIEW");
      assertThat(deploy("pat")).isEqualTo(200);
    });
    checks.put("policy approver", () -> {
      assertThat(deploy("quinn")).isEqualTo(403);
      // pat's proposal (the policy author's row deployed it): its review opens once simulated
      long[] id = new long[1];
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        com.fasterxml.jackson.databind.JsonNode newest = api.get("quinn", "/api/policies/proposals").body().get(0);
        assertThat(newest.get("author").asText()).isEqualTo("pat");
        assertThat(newest.hasNonNull("simulation")).as("simulated").isTrue();
        id[0] = newest.get("id").asLong();
      });
      String review = "/api/policies/proposals/" + id[0] + "/review";
      assertThat(api.post("pat", review, Map.of("decision", "APPROVE")).status()).isEqualTo(403);
      assertThat(api.post("admin", review, Map.of("decision", "APPROVE")).status()).isEqualTo(403);
      assertThat(api.post("bob", review, Map.of("decision", "APPROVE")).status()).isEqualTo(403);
      Reply rejected = api.post("quinn", review, Map.of("decision", "REJECT", "comment", "a test model"));
      assertThat(rejected.status()).as(rejected.raw()).isEqualTo(200);
      assertThat(rejected.body().get("status").asText()).isEqualTo("REJECTED");
    });
    checks.put("operator", () -> {
      assertThat(deploy("dave")).isEqualTo(403);
      assertThat(api.get("dave", "/api/audit").status()).isEqualTo(403);
    });
    checks.put("auditor", () -> {
      assertThat(api.get("carol", "/api/audit").status()).isEqualTo(200);
      Reply submitted = api.post("carol", "/api/requests", request("carol"));
      assertThat(submitted.status()).isEqualTo(403);
    });
    checks.put("administrator", () -> {
      String alices = submit("alice");
      assertThat(api.post("admin", "/api/requests/" + alices + "/review", Map.of("outcome", "APPROVE")).status())
          .isEqualTo(403);
      assertThat(requestStatus(alices)).isEqualTo("PENDING_REVIEW");
      assertThat(deploy("admin")).isEqualTo(403);
      assertThat(api.put("admin", "/engine-rest/group/" + APPROVERS + "/members/admin", null).status()).isEqualTo(403);
      assertThat(member("admin", APPROVERS)).isFalse();
    });
    checks.put("security", () -> {
      String own = api.post("dave", "/api/memberships", Map.of("user", "dave", "group", "airlock-auditors",
          "change", "ADD", "reason", "read the log myself")).body().get("id").asText();
      assertThat(api.post("dave", "/engine-rest/task/" + reviewTask(own).getId() + "/complete",
          Map.of("variables", Map.of("membershipOutcome", Map.of("value", "APPROVE")))).status()).isEqualTo(403);
      assertThat(member("dave", "airlock-auditors")).isFalse();
    });
    checks.put("monitoring", () -> {
      if (identity.createUserQuery().userId("scraper").count() == 0) {
        var scraper = identity.newUser("scraper");
        scraper.setPassword("airlock");
        identity.saveUser(scraper);
        if (identity.createGroupQuery().groupId("airlock-monitoring").count() == 0) {
          var group = identity.newGroup("airlock-monitoring");
          group.setName("Airlock monitoring");
          identity.saveGroup(group);
        }
        identity.createMembership("scraper", "airlock-monitoring");
      }
      assertThat(api.get("scraper", "/actuator/prometheus").status()).isEqualTo(200);
      assertThat(api.get("scraper", "/api/requests").status()).isEqualTo(403);
      assertThat(api.get("scraper", "/engine-rest/task").status()).isEqualTo(403);
    });

    List<String> rows = separationOfDutiesRows();
    assertThat(rows).as("every power in the README has its check, and every check its row")
        .containsExactlyInAnyOrderElementsOf(checks.keySet());
    List<String> failed = new ArrayList<>();
    for (String row : rows) {
      try {
        checks.get(row).run();
      } catch (AssertionError e) {
        failed.add(row + ": " + e.getMessage());
      }
    }
    assertThat(failed).as("rows of the README's table that the running app contradicts").isEmpty();
  }

  /** The first cell of each row of the README's table under "## Separation of duties", without markup. */
  static List<String> separationOfDutiesRows() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("README.md"));
    int start = lines.indexOf("## Separation of duties");
    assertThat(start).as("README has a section 'Separation of duties'").isNotNegative();
    List<String> rows = new ArrayList<>();
    boolean inTable = false;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (line.startsWith("|")) {
        if (line.startsWith("|---") || line.startsWith("| power ")) {
          inTable = true;
          continue;
        }
        if (inTable) {
          rows.add(line.split("\\|")[1].replace("*", "").trim());
        }
      }
    }
    return rows;
  }

  // ------------------------------------------------------------------------------ helpers

  private int deploy(String user) {
    String dmn = """
        <?xml version="1.0" encoding="UTF-8"?>
        <definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
            xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="Definitions_Duties" name="Duties"
            namespace="https://airlock.io/test">
          <decision id="duties-%s" name="Duties" camunda:historyTimeToLive="P1D">
            <decisionTable id="DecisionTable_Duties">
              <input id="Input_X" label="X"><inputExpression id="InputExpression_X" typeRef="string"><text>x</text></inputExpression></input>
              <output id="Output_Y" label="Y" name="y" typeRef="string" />
              <rule id="Rule_Any"><description>Any x.</description>
                <inputEntry id="UnaryTests_Any"><text>-</text></inputEntry>
                <outputEntry id="LiteralExpression_Any"><text>"y"</text></outputEntry>
              </rule>
            </decisionTable>
          </decision>
        </definitions>
        """.formatted(user);
    return api.postFile(user, "/engine-rest/deployment/create", Map.of("deployment-name", "duties-" + user),
        "duties.dmn", dmn).status();
  }

  private static Map<String, Object> request(String user) {
    return Map.of("system", "AWS", "target", "333333333333", "principal", user, "permission", "PowerUserAccess",
        "duration", "PT30M", "justification", "Separation of duties check");
  }

  private String submit(String user) {
    Reply submitted = api.post(user, "/api/requests", request(user));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> "PENDING_REVIEW".equals(requestStatus(id)));
    return id;
  }

  private String requestStatus(String id) {
    return jdbc.queryForObject("SELECT status FROM access_request WHERE id = ?", String.class, id);
  }

  private Task reviewTask(String changeId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> tasks.createTaskQuery().processInstanceBusinessKey(changeId)
        .count() == 1);
    return tasks.createTaskQuery().processInstanceBusinessKey(changeId).singleResult();
  }

  private boolean member(String user, String group) {
    return identity.createUserQuery().userId(user).memberOfGroup(group).count() > 0;
  }

  private long count(String action) {
    return jdbc.queryForObject("SELECT COUNT(*) FROM audit_event WHERE action = ?", Long.class, action);
  }

  private String status(String changeId) {
    return jdbc.queryForObject("SELECT status FROM membership_change WHERE id = ?", String.class, changeId);
  }

  private List<String> actions(String changeId) {
    return jdbc.queryForList("SELECT action FROM audit_event WHERE details LIKE ? ORDER BY seq", String.class,
        "%\"id\":\"" + changeId + "\"%");
  }

  private String actor(String changeId, String action) {
    return jdbc.queryForObject("SELECT actor FROM audit_event WHERE action = ? AND details LIKE ? ORDER BY seq "
        + "LIMIT 1", String.class, action, "%\"id\":\"" + changeId + "\"%");
  }
}
