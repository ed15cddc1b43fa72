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
 * sign-ins of approvers and admins to the webapps (not of requesters). And the audit log watching
 * itself: an entry changed, deleted, or the tail cut back with the head reset is found by the
 * scheduled check, without anyone calling verify.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.inventory.scheduled=false",
    // the first check (in full) at once; the test runs the later ones itself
    "airlock.audit.verify.initial-delay=PT0S",
    "airlock.audit.verify.interval=PT1H"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.springframework.test.context.event.RecordApplicationEvents
class AuditCoverageIntegrationTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired JdbcTemplate jdbc;
  @Autowired RuntimeService runtime;
  @Autowired ManagementService management;
  @Autowired IdentityService identity;

  @Autowired io.airlock.audit.AuditLog auditLog;
  @Autowired io.airlock.audit.AuditWatch watch;
  @Autowired io.micrometer.core.instrument.MeterRegistry meters;
  @Autowired org.springframework.transaction.PlatformTransactionManager transactions;
  @Autowired @org.springframework.beans.factory.annotation.Qualifier("auditChainHealthIndicator")
  org.springframework.boot.actuate.health.HealthIndicator chainHealth;
  @Autowired @org.springframework.beans.factory.annotation.Qualifier("auditShippingHealthIndicator")
  org.springframework.boot.actuate.health.HealthIndicator shippingHealth;

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

  @Test
  void theAuditLogFindsAChangedADeletedAndACutBackEntryByItself(
      @Autowired org.springframework.test.context.event.ApplicationEvents events) {
    // It checked in full at start, without anyone asking.
    await().atMost(Duration.ofSeconds(60)).until(() -> watch.finding() != null);
    assertThat(watch.finding().full()).isTrue();
    assertThat(gauge("airlock.audit.chain.intact")).isEqualTo(1.0);
    for (int i = 0; i < 3; i++) {
      auditLog.recordOwn("watch-test", "test.entry", null, Map.of("n", i));
    }
    assertThat(watch.verifyNew().intact()).isTrue();
    List<Long> mine = jdbc.queryForList("SELECT seq FROM audit_event WHERE actor = 'watch-test' ORDER BY seq",
        Long.class);

    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
        .getLogger(io.airlock.audit.AuditWatch.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      // An entry changed in the database: found by the full check (the daily one).
      long changed = mine.get(0);
      assertFoundAndRepaired(changed, "entry " + changed + " was changed after it was written", lines, events, () -> {
        jdbc.update("UPDATE audit_event SET details = '{\"n\":7}' WHERE seq = ?", changed);
        return watch.verifyAll();
      });
      // An entry deleted.
      long deleted = mine.get(1);
      assertFoundAndRepaired(deleted, "entry " + deleted + " is missing", lines, events, () -> {
        jdbc.update("DELETE FROM audit_event WHERE seq = ?", deleted);
        return watch.verifyAll();
      });
      // The tail cut back and the chain head reset to match: the chain alone verifies, but the
      // last entry verified is gone; found by the next check of the new entries.
      long verified = watch.verifyNew().verifiedThrough();
      assertFoundAndRepaired(verified, "entry " + verified + " is missing (it was there when the log was last "
          + "verified)", lines, events, () -> {
        jdbc.update("DELETE FROM audit_event WHERE seq >= ?", verified - 1);
        jdbc.update("UPDATE audit_chain SET last_seq = seq, last_hash = hash FROM audit_event WHERE id = 1 AND seq = ?",
            verified - 2);
        return watch.verifyNew();
      });
    } finally {
      logger.detachAppender(lines);
    }
  }

  /**
   * Tampers and checks in a transaction that then rolls back (the log is whole again for
   * everyone): the finding is on the gauges and the health, in one ERROR line however often it is
   * found, in the event the security group is notified by, and (once the transaction has ended)
   * in the log itself. The next check finds the log whole again.
   */
  private void assertFoundAndRepaired(long seq, String problem,
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines,
      org.springframework.test.context.event.ApplicationEvents events,
      java.util.function.Supplier<io.airlock.audit.AuditWatch.Finding> tamperAndCheck) {
    lines.list.clear();
    events.clear();
    new org.springframework.transaction.support.TransactionTemplate(transactions).executeWithoutResult(tx -> {
      io.airlock.audit.AuditWatch.Finding found = tamperAndCheck.get();
      assertThat(found.intact()).isFalse();
      assertThat(found.firstBadSeq()).isEqualTo(seq);
      assertThat(found.problem()).startsWith(problem);
      watch.verifyAll(); // found again: not said again
      tx.setRollbackOnly();
    });
    assertThat(gauge("airlock.audit.chain.intact")).isEqualTo(0.0);
    assertThat(gauge("airlock.audit.chain.first.bad.seq")).isEqualTo((double) seq);
    assertThat(chainHealth.health().getStatus().getCode()).isEqualTo("WARNING");
    assertThat(chainHealth.health().getDetails()).containsEntry("firstBadSeq", seq);
    assertThat(shippingHealth.health().getStatus().getCode()).isEqualTo("WARNING");
    assertThat(lines.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("Audit log broken at entry " + seq + ": "
            + problem));
    assertThat(events.stream(io.airlock.audit.AuditChainBroken.class)).singleElement()
        .satisfies(e -> assertThat(e.firstBadSeq()).isEqualTo(seq));
    assertThat(count("SELECT count(*) FROM audit_event WHERE action = 'audit.chain-broken' AND details LIKE ?",
        "%\"firstBadSeq\":" + seq + ",%")).isEqualTo(1);

    assertThat(watch.verifyAll().intact()).isTrue();
    assertThat(gauge("airlock.audit.chain.intact")).isEqualTo(1.0);
    assertThat(chainHealth.health().getStatus().getCode()).isEqualTo("UP");
    assertThat(lines.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("Audit log verifies again"));
  }

  private double gauge(String name) {
    return meters.get(name).gauge().value();
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
