package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.CloudTrailService;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
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

/**
 * Session activity as an auditor reads it, on PostgreSQL with the emulator's CloudTrail over
 * HTTP: after a grant is revoked Airlock reads the principal's events in the account from the
 * grant's start to the revoke plus the after-end margin (5 s here instead of an hour), through the
 * reader role of that account; events before the grant, after the window, of other users, in
 * other accounts are not the grant's activity.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.aws.sandbox.demo-activity=false",
    "airlock.inventory.scheduled=false",
    "airlock.activity.after-end=PT5S",
    "airlock.activity.delivery-delay=PT0S",
    "airlock.activity.interval=PT1S"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionActivityIntegrationTest {

  static final String ACCOUNT = DemoOrganization.SANDBOX_ACCOUNT_ID;

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired JdbcTemplate jdbc;
  @Autowired TaskService tasks;

  ApiClient api;

  @BeforeAll
  void clients() {
    api = new ApiClient(port);
  }

  @AfterAll
  void clear() {
    sandbox.cloudTrail().clear();
  }

  @Test
  void afterTheRevokeTheActivityIsExactlyThePrincipalsEventsInTheWindowOfTheAccount() {
    Reply submitted = api.post("erin", "/api/requests", Map.of("system", "AWS", "target", ACCOUNT,
        "principal", "erin", "permission", "ReadOnlyAccess", "duration", "PT1H",
        "justification", "Session activity test"));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    Instant grantStart = Instant.parse(api.awaitStatus(id, "ACTIVE").get("grantStart").asText());

    // While the grant runs nothing is fetched on its own (only break-glass grants are).
    JsonNode before = api.get("erin", "/api/requests/" + id + "/activity").body();
    assertThat(before.hasNonNull("summary")).as(before.toString()).isFalse();
    assertThat(before.get("text").asText()).startsWith("Not fetched yet");

    CloudTrailService ct = sandbox.cloudTrail();
    List<String> expected = new ArrayList<>();
    expected.add(seed(ACCOUNT, "erin", "ListBuckets", true, grantStart.plusMillis(100)).eventId());
    expected.add(seed(ACCOUNT, "erin", "PutObject", false, grantStart.plusMillis(200)).eventId());
    seed(ACCOUNT, "erin", "GetObject", true, grantStart.minusSeconds(600));                 // before the grant
    seed(ACCOUNT, "alice", "DeleteBucket", false, grantStart.plusMillis(150));              // another user
    seed(DemoOrganization.STAGING_ACCOUNT_ID, "erin", "ListBuckets", true, grantStart.plusMillis(150)); // elsewhere

    Reply revoked = api.post("erin", "/api/requests/" + id + "/revoke", Map.of("reason", "done"));
    assertThat(revoked.status()).as(revoked.raw()).isEqualTo(200);
    Instant revokedAt = Instant.parse(api.awaitStatus(id, "REVOKED").get("revokedAt").asText());
    // The session outlives the revoke: an event a second later is the grant's, six seconds later not.
    expected.add(seed(ACCOUNT, "erin", "DescribeInstances", true, revokedAt.plusSeconds(1)).eventId());
    seed(ACCOUNT, "erin", "TerminateInstances", false, revokedAt.plusSeconds(6));

    // The schedule fetches after the end until the window has closed: then it is complete.
    JsonNode[] activity = new JsonNode[1];
    await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
      activity[0] = api.get("carol", "/api/requests/" + id + "/activity").body();
      assertThat(activity[0].path("summary").path("complete").asBoolean()).as(activity[0].toString()).isTrue();
    });
    JsonNode summary = activity[0].get("summary");
    assertThat(summary.get("fetchedBy").asText()).isEqualTo("airlock:activity");
    assertThat(summary.get("accountId").asText()).isEqualTo(ACCOUNT);
    assertThat(summary.get("username").asText()).isEqualTo("erin");
    assertThat(summary.get("windowStart").asText()).isEqualTo(grantStart.toString());
    assertThat(Instant.parse(summary.get("windowEnd").asText())).isEqualTo(revokedAt.plusSeconds(5));
    assertThat(summary.get("eventCount").asInt()).isEqualTo(3);
    assertThat(activity[0].get("events").findValuesAsText("eventId")).containsExactlyElementsOf(expected);
    assertThat(activity[0].get("events").findValuesAsText("eventName"))
        .containsExactly("ListBuckets", "PutObject", "DescribeInstances");
    assertThat(activity[0].get("text").asText()).contains("3 events", "1 change", "s3:PutObject");

    // The reader role of the account was assumed, with the external id, for the lookups.
    assertThat(ct.lookups()).isNotEmpty().allSatisfy(l -> {
      assertThat(l.accountId()).isEqualTo(ACCOUNT);
      assertThat(l.throttled()).isFalse();
    });

    // On demand, by an auditor: the same events, and one audit row per fetch.
    Reply fetched = api.post("carol", "/api/requests/" + id + "/activity", null);
    assertThat(fetched.status()).as(fetched.raw()).isEqualTo(200);
    assertThat(fetched.body().get("summary").get("fetchedBy").asText()).isEqualTo("carol");
    assertThat(fetched.body().get("events").findValuesAsText("eventId")).containsExactlyElementsOf(expected);
    Map<String, Object> row = jdbc.queryForMap("SELECT actor, details FROM audit_event WHERE request_id = ? "
        + "AND action = 'activity.fetched' ORDER BY seq DESC LIMIT 1", id);
    assertThat(row.get("actor")).isEqualTo("carol");
    assertThat((String) row.get("details")).contains("\"events\":3", "\"account\":\"" + ACCOUNT + "\"",
        "\"principal\":\"erin\"");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_event WHERE request_id = ? AND action = "
        + "'activity.fetched' AND actor = 'airlock:activity'", Long.class, id)).isPositive();

    // The requester reads it; the requester may not spend the quota; a stranger does not see it.
    assertThat(api.get("erin", "/api/requests/" + id + "/activity").body().get("events")).hasSize(3);
    Reply refused = api.post("erin", "/api/requests/" + id + "/activity", null);
    assertThat(refused.status()).as(refused.raw()).isEqualTo(403);
    assertThat(api.get("alice", "/api/requests/" + id + "/activity").status()).isEqualTo(404);
    assertThat(api.get(null, "/api/requests/" + id + "/activity").status()).isEqualTo(401);
    await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject("SELECT count(*) FROM audit_event "
        + "WHERE request_id = ? AND action = 'refused.activity-fetch' AND actor = 'erin'", Long.class, id) == 1);
  }

  @Test
  void theBreakGlassReviewShowsWhatWasDoneWithTheAccessSoFar() {
    Reply submitted = api.post("bob", "/api/requests", Map.of("system", "AWS", "target",
        DemoOrganization.PRODUCTION_ACCOUNT_ID, "principal", "bob", "permission", "PowerUserAccess", "duration", "PT30M",
        "justification", "Incident 42: orders are failing", "breakGlass", true));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    Instant grantStart = Instant.parse(api.awaitStatus(id, "ACTIVE").get("grantStart").asText());
    seed(DemoOrganization.PRODUCTION_ACCOUNT_ID, "bob", "DescribeInstances", true, grantStart.plusMillis(100));
    seed(DemoOrganization.PRODUCTION_ACCOUNT_ID, "bob", "TerminateInstances", false, grantStart.plusMillis(200));

    // The schedule reads an active break-glass grant's activity; the reviewer sees it in the task
    // (its description, as Tasklist shows it, and its variable sessionActivity).
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      // (the principal's "Your access" task is open beside it)
      Task task = tasks.createTaskQuery().processInstanceBusinessKey(id)
          .taskDefinitionKey("Task_ReviewBreakGlass").singleResult();
      assertThat(task).isNotNull();
      assertThat(task.getTaskDefinitionKey()).isEqualTo("Task_ReviewBreakGlass");
      assertThat(task.getDescription()).startsWith("bob asks for PowerUserAccess")
          .contains("Session activity: Session activity of bob in " + DemoOrganization.PRODUCTION_ACCOUNT_ID)
          .contains("2 events, 1 change", "ec2:TerminateInstances");
      assertThat((String) tasks.getVariableLocal(task.getId(), "sessionActivity")).contains("2 events, 1 change");
    });
  }

  @Test
  void aRequestNotGrantedHasNoActivityToFetch() {
    Reply submitted = api.post("alice", "/api/requests", Map.of("system", "AWS", "target",
        DemoOrganization.PRODUCTION_ACCOUNT_ID, "principal", "alice", "permission", "AdministratorAccess",
        "duration", "PT1H", "justification", "Needs review"));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    Reply fetched = api.post("carol", "/api/requests/" + id + "/activity", null);
    assertThat(fetched.status()).as(fetched.raw()).isEqualTo(409);
  }

  /**
   * In a cluster every node schedules the pass; ShedLock lets one run it at a time. While another
   * node holds the pass's lock this node fetches nothing, and picks the work up once it is free.
   */
  @Test
  void whileAnotherNodeHoldsTheActivityPassThisNodeLeavesItAlone() {
    String lockedBy = "SELECT locked_by FROM shedlock WHERE name = 'airlock-activity' AND lock_until > now()";
    // Held by "node-2" for an hour; seen intact 1.5 s later, so no pass of this node that began
    // before could have released it on finishing.
    await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(1500))
        .until(() -> {
          if (jdbc.queryForList(lockedBy, String.class).equals(List.of("node-2"))) {
            return true;
          }
          jdbc.update("INSERT INTO shedlock (name, lock_until, locked_at, locked_by) VALUES ('airlock-activity', "
              + "now() + interval '1 hour', now(), 'node-2') ON CONFLICT (name) DO UPDATE SET "
              + "lock_until = EXCLUDED.lock_until, locked_at = EXCLUDED.locked_at, locked_by = EXCLUDED.locked_by");
          return false;
        });
    try {
      Reply submitted = api.post("alice", "/api/requests", Map.of("system", "AWS", "target", ACCOUNT,
          "principal", "alice", "permission", "ReadOnlyAccess", "duration", "PT1H",
          "justification", "Session activity lock test"));
      assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
      String id = submitted.body().get("id").asText();
      api.awaitStatus(id, "ACTIVE");
      assertThat(api.post("alice", "/api/requests/" + id + "/revoke", Map.of("reason", "done")).status()).isEqualTo(200);
      api.awaitStatus(id, "REVOKED");

      // Due now, but the pass is another node's: three turns of this node's schedule fetch nothing.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
          !api.get("carol", "/api/requests/" + id + "/activity").body().hasNonNull("summary"));

      // Released as ShedLock does (the row stays: a node that has seen it only updates it).
      jdbc.update("UPDATE shedlock SET lock_until = now() WHERE name = 'airlock-activity'");
      await().atMost(Duration.ofSeconds(30)).until(() ->
          api.get("carol", "/api/requests/" + id + "/activity").body().hasNonNull("summary"));
    } finally {
      jdbc.update("UPDATE shedlock SET lock_until = now() WHERE name = 'airlock-activity' AND locked_by = 'node-2'");
    }
  }

  private CloudTrailService.Event seed(String account, String user, String name, boolean readOnly, Instant at) {
    CloudTrailService.Event e = CloudTrailService.ssoEvent(account, user, "ReadOnlyAccess",
        name.endsWith("Instances") ? "ec2.amazonaws.com" : "s3.amazonaws.com", name, readOnly, at);
    sandbox.cloudTrail().record(account, "us-east-1", e);
    return e;
  }
}
