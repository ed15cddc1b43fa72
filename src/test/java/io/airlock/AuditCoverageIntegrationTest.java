package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.WebappSession;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.Job;
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
 * The audit rows an auditor expects beyond requests and decisions, on PostgreSQL with the
 * emulator over HTTP: every AWS call with AWS's request id and outcome (and a failing audit
 * insert does not fail a call made outside a transaction), incidents created and resolved,
 * sign-ins of approvers and admins to the webapps (not of requesters).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.inventory.scheduled=false"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditCoverageIntegrationTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired JdbcTemplate jdbc;
  @Autowired RuntimeService runtime;
  @Autowired ManagementService management;
  @Autowired IdentityService identity;

  ApiClient api;

  @BeforeAll
  void clients() {
    api = new ApiClient(port);
  }

  @Test
  void aFailingGrantIsAnIncidentWithItsAwsCallsAndAnOperatorsRetryResolvesIt() throws Exception {
    sandbox.faults().startOutage("CreateAccountAssignment", "InternalServerException", 500);
    String id;
    try {
      Reply submitted = api.post("alice", "/api/requests", Map.of("system", "AWS", "target",
          DemoOrganization.STAGING_ACCOUNT_ID, "principal", "alice", "permission", "ViewOnlyAccess", "duration", "PT1H",
          "justification", "Incident audit test"));
      assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
      id = submitted.body().get("id").asText();
      String processInstance = runtime.createProcessInstanceQuery().processInstanceBusinessKey(id).singleResult().getId();

      // The first attempt fails (after the SDK's retries); skip the one-minute wait between job retries.
      Job job = await().atMost(Duration.ofSeconds(60)).until(() -> management.createJobQuery()
          .processInstanceId(processInstance).singleResult(), j -> j != null && j.getRetries() < 5);
      management.setJobRetries(job.getId(), 1);
      management.setJobDuedate(job.getId(), new Date());
      await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM audit_event WHERE request_id = ? "
          + "AND action = 'incident.created'", id) == 1);
      JsonNode created = details("SELECT details FROM audit_event WHERE request_id = ? AND action = 'incident.created'", id);
      assertThat(created.get("incidentType").asText()).isEqualTo("failedJob");
      assertThat(created.get("activityId").asText()).isEqualTo("Task_GrantAccess");
      assertThat(created.get("processInstanceId").asText()).isEqualTo(processInstance);
      assertThat(created.get("configuration").asText()).isEqualTo(job.getId());
      assertThat(created.get("message").asText()).isNotBlank();
      assertThat(runtime.createIncidentQuery().processInstanceId(processInstance).count()).isEqualTo(1);

      // Each failed call is on record with AWS's request id and error, though its step rolled back.
      List<JsonNode> failed = calls("CreateAccountAssignment", "FAILED");
      assertThat(failed).isNotEmpty().allSatisfy(d -> {
        assertThat(d.get("service").asText()).isEqualTo("SsoAdmin");
        assertThat(d.get("errorCode").asText()).isEqualTo("InternalServerException");
        assertThat(d.get("httpStatus").asInt()).isEqualTo(500);
        assertThat(d.get("awsRequestId").asText()).matches("[0-9a-f-]{36}");
      });

      sandbox.faults().endOutage("CreateAccountAssignment");
      identity.setAuthentication("admin", List.of("camunda-admin"));
      try {
        management.setJobRetries(job.getId(), 1); // the operator's retry in Cockpit
      } finally {
        identity.clearAuthentication();
      }
      management.setJobDuedate(job.getId(), new Date()); // not a minute later, as the retry cycle would
    } finally {
      sandbox.faults().endOutage("CreateAccountAssignment");
    }
    api.awaitStatus(id, "ACTIVE");
    List<Map<String, Object>> resolved = jdbc.queryForList("SELECT actor, details FROM audit_event WHERE request_id = ? "
        + "AND action = 'incident.resolved'", id);
    assertThat(resolved).isNotEmpty().allSatisfy(r -> {
      assertThat(r.get("actor")).isEqualTo("admin");
      assertThat(json((String) r.get("details")).get("resolution").asText()).isEqualTo("RESOLVED");
    });

    // The successful grant: its calls with AWS's request ids, written with the step's change.
    assertThat(calls("CreateAccountAssignment", "OK")).singleElement().satisfies(d -> {
      assertThat(d.get("httpStatus").asInt()).isEqualTo(200);
      assertThat(d.get("awsRequestId").asText()).matches("[0-9a-f-]{36}");
    });
    assertThat(calls("DescribeAccountAssignmentCreationStatus", "OK")).isNotEmpty();
    long grantedSeq = count("SELECT seq FROM audit_event WHERE request_id = ? AND action = 'access.granted'", id);
    long callSeq = jdbc.queryForObject("SELECT max(seq) FROM audit_event WHERE action = 'aws.call' "
        + "AND details LIKE '%CreateAccountAssignment%' AND details LIKE '%\"OK\"%'", Long.class);
    // written at the commit of the grant's transaction, right after the change it served
    assertThat(callSeq).isGreaterThan(grantedSeq);
    assertThat(api.get("carol", "/api/audit/verify").body().get("intact").asBoolean()).isTrue();
  }

  @Test
  void aCallOutsideATransactionSucceedsEvenWhenItsAuditRowCannotBeWritten() {
    jdbc.execute("""
        CREATE FUNCTION refuse_aws_call_rows() RETURNS trigger AS $$
        BEGIN
          IF NEW.action = 'aws.call' THEN
            RAISE EXCEPTION 'audit storage refused the entry';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql""");
    jdbc.execute("CREATE TRIGGER refuse_aws_call_rows BEFORE INSERT ON audit_event "
        + "FOR EACH ROW EXECUTE FUNCTION refuse_aws_call_rows()");
    try {
      long before = count("SELECT count(*) FROM audit_event WHERE action = 'inventory.scanned'");
      Reply scan = api.post("dave", "/api/inventory/scan", null);
      assertThat(scan.status()).as(scan.raw()).isEqualTo(200);
      assertThat(count("SELECT count(*) FROM audit_event WHERE action = 'inventory.scanned'")).isEqualTo(before + 1);
    } finally {
      jdbc.execute("DROP TRIGGER refuse_aws_call_rows ON audit_event");
      jdbc.execute("DROP FUNCTION refuse_aws_call_rows()");
    }
    // Without the trigger a scan's calls are on record again.
    long calls = count("SELECT count(*) FROM audit_event WHERE action = 'aws.call' AND details LIKE '%ListAccounts%'");
    assertThat(api.post("dave", "/api/inventory/scan", null).status()).isEqualTo(200);
    assertThat(count("SELECT count(*) FROM audit_event WHERE action = 'aws.call' AND details LIKE '%ListAccounts%'"))
        .isGreaterThan(calls);
  }

  @Test
  void signInsOfApproversAndAdminsToTheWebappsAreOnRecordNotThoseOfRequesters() throws Exception {
    assertThat(new WebappSession(port).login("bob", "airlock", "tasklist")).isEqualTo(200);
    assertThat(new WebappSession(port).login("admin", "airlock", "cockpit")).isEqualTo(200);
    assertThat(new WebappSession(port).login("alice", "airlock", "tasklist")).isEqualTo(200);
    // a failed sign-in is not one (and Camunda then delays that user's next sign-ins: use someone else)
    assertThat(new WebappSession(port).login("grace", "wrong-password", "tasklist")).isNotEqualTo(200);

    List<Map<String, Object>> rows = jdbc.queryForList("SELECT actor, details FROM audit_event WHERE action = 'signin' "
        + "ORDER BY seq");
    assertThat(rows).extracting(r -> r.get("actor")).containsExactly("bob", "admin");
    JsonNode bob = JSON.readTree((String) rows.get(0).get("details"));
    assertThat(bob.get("via").asText()).isEqualTo("webapp");
    assertThat(bob.get("app").asText()).isEqualTo("tasklist");
    assertThat(bob.get("groups").toString()).contains("airlock-approvers");
    JsonNode admin = JSON.readTree((String) rows.get(1).get("details"));
    assertThat(admin.get("app").asText()).isEqualTo("cockpit");
    assertThat(admin.get("groups").toString()).contains("camunda-admin");
    // API calls with credentials are not sign-ins
    assertThat(api.get("bob", "/api/requests").status()).isEqualTo(200);
    assertThat(count("SELECT count(*) FROM audit_event WHERE action = 'signin'")).isEqualTo(2);
  }

  private List<JsonNode> calls(String operation, String outcome) {
    return jdbc.queryForList("SELECT details FROM audit_event WHERE action = 'aws.call' ORDER BY seq", String.class)
        .stream().map(this::json).filter(d -> operation.equals(d.path("operation").asText())
            && outcome.equals(d.path("outcome").asText())).toList();
  }

  private JsonNode details(String sql, Object... args) throws Exception {
    return JSON.readTree(jdbc.queryForObject(sql, String.class, args));
  }

  private JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private long count(String sql, Object... args) {
    return jdbc.queryForObject(sql, Long.class, args);
  }
}
