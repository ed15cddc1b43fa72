package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.PostgresTestConfiguration;
import io.airlock.support.SandboxSso;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.PrincipalType;
import software.amazon.awssdk.services.ssoadmin.model.TargetType;

/**
 * A drift run's scan outlasting the job lock (docs/benchmark.md, "Scans back to back on a large
 * organization"): with Camunda's job lock at 2 s and the scan held to 3 Identity Center calls a
 * second, a scan takes several times the lock. The run used to scan inside its job, which another
 * job executor thread took over once the lock expired and scanned again; now it asks for a scan
 * (made once, under the cluster's scan lock, outside any job) and waits for it. On PostgreSQL with
 * the emulator over HTTP; the schedule's scan is off, so every scan here is one a run or the test asked for.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.1S",
    "airlock.inventory.scheduled=false",
    "airlock.inventory.scan.calls-per-second=3",
    "airlock.inventory.scan.threads=1",
    "airlock.craft.cleanup-scheduled=false",
    "airlock.drift.cron=0 0 0 1 1 ?",
    "airlock.drift.remove-standing.accounts=" + DemoOrganization.PRODUCTION_ACCOUNT_ID,
    "airlock.drift.remove-standing.permission-sets=ViewOnlyAccess",
    "camunda.bpm.job-execution.lock-time-in-millis=2000",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriftScanOnceIntegrationTest {

  private static final String PRODUCTION = DemoOrganization.PRODUCTION_ACCOUNT_ID;
  private static final String STAGING = DemoOrganization.STAGING_ACCOUNT_ID;
  private static final Duration JOB_LOCK = Duration.ofMillis(2000);
  /** Identity Center's ListGroups: a scan of the demo organization makes it once, nothing else does. */
  private static final String SCAN_ONLY_CALL = "ListGroups";

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired LockProvider locks;
  @Autowired JdbcTemplate jdbc;

  ApiClient api;
  SsoAdminClient sso;

  @BeforeAll
  void clients() {
    api = new ApiClient(port);
    sso = SandboxSso.client(sandbox);
  }

  @AfterAll
  void close() {
    sso.close();
  }

  @Test
  @Order(1)
  void aRunWhoseScanOutlastsTheJobLockScansOnceAndCompletesItsSteps() {
    // Standing access configuration names for removal: bob's view-only access to production.
    SandboxSso.assignBehindAirlocksBack(sso, PRODUCTION, DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.BOB_USER_ID);

    long groupListings = sandbox.state().callCount(SCAN_ONLY_CALL);
    String run = start();
    await().atMost(Duration.ofMinutes(3)).until(() -> "COMPLETED".equals(state(run)));

    // One scan, by the run, though it took longer than the job lock several times over: AWS was
    // read once (a second scan in a job taken over would roll back its audit entry, not its calls).
    assertThat(sandbox.state().callCount(SCAN_ONLY_CALL) - groupListings).as("scans that read AWS").isEqualTo(1);
    JsonNode scanned = single(audit("inventory.scanned"));
    assertThat(scanned.get("actor").asText()).isEqualTo("airlock:drift");
    assertThat(scanned.path("details").path("durationMs").asLong()).as("the scan outlasted the job lock")
        .isGreaterThan(2 * JOB_LOCK.toMillis());
    // The run moved on with that scan's counts and went through each step once.
    assertThat(variable(run, "accountsScanned").asInt()).isEqualTo(scanned.path("details").path("accounts").asInt());
    assertThat(variable(run, "assignmentsScanned").asInt())
        .isEqualTo(scanned.path("details").path("assignments").asInt());
    assertThat(passed(run)).contains("Task_AskForScan", "Event_InventoryScanned", "Task_RevokeEndedGrants",
        "Task_ReportStandingAccess", "Task_RecordSummary").doesNotContain("Event_ScanOverdue");
    assertThat(passed(run).stream().filter("Task_AskForScan"::equals)).as("asked once").hasSize(1);
    JsonNode reconciled = single(audit("drift.reconciled"));
    assertThat(reconciled.path("details").path("standingRemoved").asInt()).isEqualTo(1);
    // What the run did is in AWS: bob's standing access is gone, audited once.
    assertThat(SandboxSso.holds(sso, PRODUCTION, DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.BOB_USER_ID))
        .isFalse();
    assertThat(single(audit("drift.standing-removed")).path("details").path("principalId").asText())
        .isEqualTo(DemoOrganization.BOB_USER_ID);
  }

  @Test
  @Order(2)
  void whileAnotherNodeScansTheRunWaitsAnOperatorsScanIsToldSoAndTheRunsAskScansOnceTheLockIsFree()
      throws Exception {
    int scansBefore = audit("inventory.scanned").size();
    long trailReads = sandbox.state().callCount("LookupEvents");
    // Another node is scanning: it holds the cluster's scan lock (and started before the run asks).
    Optional<SimpleLock> elsewhere = locks.lock(new LockConfiguration(ClockProvider.now(), "airlock-inventory-scan",
        Duration.ofMinutes(5), Duration.ZERO));
    assertThat(elsewhere).isPresent();
    String run;
    try {
      SandboxSso.assignBehindAirlocksBack(sso, STAGING, DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID);
      run = start();
      await().atMost(Duration.ofSeconds(30)).until(() -> waitingAtTheScan(run));
      // Several of this node's tries for the lock (every 5 s) pass: no scan, the run keeps waiting.
      Thread.sleep(7_000);
      assertThat(audit("inventory.scanned")).hasSize(scansBefore);
      assertThat(waitingAtTheScan(run)).isTrue();

      // Nobody moves the run on without a scan by sending its message through the engine's API:
      // not the operator who started it, not a requester.
      for (String who : List.of("dave", "alice")) {
        Reply forged = api.post(who, "/engine-rest/message", Map.of("messageName", "InventoryScanned",
            "processInstanceId", run, "processVariables", Map.of("accountsScanned", Map.of("value", 0, "type",
                "Integer"))));
        assertThat(forged.status()).as(forged.raw()).isEqualTo(403);
        assertThat(waitingAtTheScan(run)).as("still waiting after %s's message", who).isTrue();
      }

      // An operator's scan on demand takes the same lock: told in words that one is running, and
      // nothing is scanned twice.
      Reply scan = api.post("dave", "/api/inventory/scan", null);
      assertThat(scan.status()).as(scan.raw()).isEqualTo(409);
      assertThat(scan.contentType()).contains("application/problem+json");
      assertThat(scan.body().get("detail").asText()).contains("A scan of AWS is running already")
          .doesNotContain("Exception", "ENGINE-");
      assertThat(audit("inventory.scanned")).hasSize(scansBefore);
      assertThat(waitingAtTheScan(run)).isTrue();
    } finally {
      elsewhere.get().unlock();
    }
    // The run's own ask gets the lock within a try, scans once and moves the run on.
    await().atMost(Duration.ofMinutes(1)).until(() -> "COMPLETED".equals(state(run)));
    List<JsonNode> scans = audit("inventory.scanned");
    assertThat(scans).hasSize(scansBefore + 1);
    // the schedule's kind: incremental since the first test's full scan, one page of the trail
    assertThat(sandbox.state().callCount("LookupEvents") - trailReads).as("scans that read AWS").isEqualTo(1);
    JsonNode newest = scans.get(scans.size() - 1);
    assertThat(newest.get("actor").asText()).isEqualTo("airlock:drift");
    assertThat(newest.path("details").path("kind").asText()).isEqualTo("incremental");
    assertThat(variable(run, "accountsScanned").asInt()).isEqualTo(newest.path("details").path("accounts").asInt());
    assertThat(SandboxSso.holds(sso, STAGING, DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID))
        .as("not configured for removal: reported").isTrue();
    assertThat(audit("drift.reconciled")).hasSize(2);
  }

  // ------------------------------------------------------------------ helpers

  private String start() {
    Reply started = api.post("dave", "/api/inventory/reconcile", null);
    assertThat(started.status()).as(started.raw()).isEqualTo(202);
    return started.body().get("processInstanceId").asText();
  }

  private String state(String run) {
    return api.get("admin", "/engine-rest/history/process-instance/" + run).body().path("state").asText();
  }

  private boolean waitingAtTheScan(String run) {
    JsonNode tree = api.get("admin", "/engine-rest/process-instance/" + run + "/activity-instances").body();
    return StreamSupport.stream(tree.path("childActivityInstances").spliterator(), false)
        .anyMatch(a -> "Gateway_AwaitScan".equals(a.path("activityId").asText()));
  }

  private List<String> passed(String run) {
    JsonNode activities = api.get("admin", "/engine-rest/history/activity-instance?processInstanceId=" + run).body();
    return StreamSupport.stream(activities.spliterator(), false).map(a -> a.path("activityId").asText()).toList();
  }

  private JsonNode variable(String run, String name) {
    JsonNode found = api.get("admin", "/engine-rest/history/variable-instance?processInstanceId=" + run
        + "&variableName=" + name).body();
    assertThat(found).as(name).hasSize(1);
    return found.get(0).get("value");
  }

  /** Oldest first. */
  private List<JsonNode> audit(String action) {
    Reply r = api.get("carol", "/api/audit?limit=1000&action=" + action);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return StreamSupport.stream(r.body().get("events").spliterator(), false).toList();
  }

  private static JsonNode single(List<JsonNode> entries) {
    assertThat(entries).hasSize(1);
    return entries.get(0);
  }
}
