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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
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
import software.amazon.awssdk.services.ssoadmin.model.PrincipalType;
import software.amazon.awssdk.services.ssoadmin.model.TargetType;

/**
 * Drift reconciliation as an operator and an auditor see it, on PostgreSQL with the emulator
 * over HTTP: assignments made in (sandbox) AWS behind Airlock's back with the SDK, a run started
 * over the API, and what it did read back from AWS, the audit log, the explorer and the engine's
 * history. Standing access on the production account's ViewOnlyAccess is configured to be removed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.inventory.scheduled=false",
    "airlock.craft.cleanup-scheduled=false",
    // The hourly run (0 0 * * * ?) would start one of its own when the test spans a full hour
    // (seen in CI at 13:00:00): runs here are the ones the test starts.
    "airlock.drift.cron=0 0 0 1 1 ?",
    "airlock.drift.remove-standing.accounts=" + DemoOrganization.PRODUCTION_ACCOUNT_ID,
    "airlock.drift.remove-standing.permission-sets=ViewOnlyAccess",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DriftReconciliationIntegrationTest {

  private static final String SANDBOX = DemoOrganization.SANDBOX_ACCOUNT_ID;
  private static final String STAGING = DemoOrganization.STAGING_ACCOUNT_ID;
  private static final String PRODUCTION = DemoOrganization.PRODUCTION_ACCOUNT_ID;
  private static final String DOOMED = "555555555555";

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;

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
  void aRunRevokesAnOrphanReportsStandingAccessAndRemovesOnlyWhatConfigurationNames() {
    // An orphan: alice's read-only access, granted and revoked by Airlock, then put back in AWS.
    Reply submitted = api.post("alice", "/api/requests", Map.of("system", "AWS", "target", SANDBOX,
        "principal", "alice", "permission", "ReadOnlyAccess", "duration", "PT15M",
        "justification", "Drift test: read the queue metrics"));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String orphanRequest = submitted.body().get("id").asText();
    api.awaitStatus(orphanRequest, "ACTIVE");
    assertThat(api.post("alice", "/api/requests/" + orphanRequest + "/revoke", Map.of("reason", "done")).status())
        .isEqualTo(200);
    api.awaitStatus(orphanRequest, "REVOKED");
    assertThat(SandboxSso.holds(sso, SANDBOX, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID)).isFalse();
    SandboxSso.assignBehindAirlocksBack(sso, SANDBOX, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID);
    // Standing access nobody configured for removal: erin, power user on staging.
    SandboxSso.assignBehindAirlocksBack(sso, STAGING, DemoOrganization.POWER_USER_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID);
    // Standing access configuration names (production, ViewOnlyAccess): bob.
    SandboxSso.assignBehindAirlocksBack(sso, PRODUCTION, DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.BOB_USER_ID);

    // A request waiting for review on an account that then leaves the organization.
    sandbox.state().addAccount(DOOMED, "doomed");
    assertThat(api.post("dave", "/api/inventory/scan", null).status()).isEqualTo(200);
    Reply waiting = api.post("alice", "/api/requests", Map.of("system", "AWS", "target", DOOMED,
        "principal", "alice", "permission", "ReadOnlyAccess", "duration", "PT8H",
        "justification", "Drift test: an account about to be closed"));
    assertThat(waiting.status()).as(waiting.raw()).isEqualTo(201);
    String doomedRequest = waiting.body().get("id").asText();
    api.awaitStatus(doomedRequest, "PENDING_REVIEW");
    sandbox.state().removeAccount(DOOMED);
    // AWS records the removal in the management account's trail (the emulator's Organizations
    // takes no writes over HTTP, so the test records it): the run's scan reads the tree again.
    sandbox.cloudTrail().recordChange(DemoOrganization.MANAGEMENT_ACCOUNT_ID, "us-east-1",
        "organizations.amazonaws.com", "RemoveAccountFromOrganization", "ASIAORGADMIN000001",
        new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("AccountId", DOOMED), null);

    // A requester may not start a run, through Airlock's API or the engine's.
    Reply refused = api.post("alice", "/api/inventory/reconcile", null);
    assertThat(refused.status()).as(refused.raw()).isEqualTo(403);
    assertThat(refused.raw()).contains("drift reconciliation");
    // On the engine she cannot even see the definition (404), and nothing starts.
    assertThat(api.post("alice", "/engine-rest/process-definition/key/inventory-scan/start", Map.of()).status())
        .isIn(403, 404);
    assertThat(api.get("admin", "/engine-rest/history/process-instance/count?processDefinitionKey=inventory-scan")
        .body().get("count").asInt()).isZero();
    assertThat(api.post("carol", "/api/inventory/reconcile", null).status()).as("auditors read only").isEqualTo(403);
    assertThat(auditCount("refused.drift-reconcile", null)).isEqualTo(2);

    // An operator starts one.
    Reply started = api.post("dave", "/api/inventory/reconcile", null);
    assertThat(started.status()).as(started.raw()).isEqualTo(202);
    String instance = started.body().get("processInstanceId").asText();
    await().atMost(Duration.ofSeconds(60)).until(() ->
        "COMPLETED".equals(api.get("admin", "/engine-rest/history/process-instance/" + instance).body().path("state").asText()));

    // The orphan is gone from AWS, reported against the request it came from.
    assertThat(SandboxSso.holds(sso, SANDBOX, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN, DemoOrganization.ALICE_USER_ID)).isFalse();
    JsonNode orphan = single(audit("drift.orphan-revoked"));
    assertThat(orphan.get("requestId").asText()).isEqualTo(orphanRequest);
    assertThat(orphan.get("actor").asText()).isEqualTo("airlock:drift");
    assertThat(orphan.path("details").path("requestStatus").asText()).isEqualTo("REVOKED");
    assertThat(orphan.path("details").path("awsRequestIds")).isNotEmpty();

    // Erin's standing access stays in AWS, reported in the audit log and in the explorer.
    assertThat(SandboxSso.holds(sso, STAGING, DemoOrganization.POWER_USER_PERMISSION_SET_ARN, DemoOrganization.ERIN_USER_ID)).isTrue();
    JsonNode standing = single(audit("drift.standing"));
    List<JsonNode> listed = new ArrayList<>();
    standing.path("details").path("assignments").forEach(listed::add);
    assertThat(listed).anySatisfy(a -> {
      assertThat(a.get("accountId").asText()).isEqualTo(STAGING);
      assertThat(a.get("principalId").asText()).isEqualTo(DemoOrganization.ERIN_USER_ID);
      assertThat(a.get("permissionSet").asText()).isEqualTo("PowerUserAccess");
      assertThat(a.get("removed").asBoolean()).isFalse();
    });
    assertThat(listed).as("the orphan is not standing access")
        .noneMatch(a -> a.get("principalId").asText().equals(DemoOrganization.ALICE_USER_ID)
            && a.get("accountId").asText().equals(SANDBOX));
    JsonNode explorer = api.get("carol", "/api/explorer?source=STANDING&principal=erin").body().get("mappings");
    assertThat(explorer).anySatisfy(m -> {
      assertThat(m.get("accountId").asText()).isEqualTo(STAGING);
      assertThat(m.get("permissionSetName").asText()).isEqualTo("PowerUserAccess");
    });

    // Bob's standing access on production's ViewOnlyAccess is what configuration names: removed.
    assertThat(SandboxSso.holds(sso, PRODUCTION, DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN, DemoOrganization.BOB_USER_ID)).isFalse();
    JsonNode removed = single(audit("drift.standing-removed"));
    assertThat(removed.path("details").path("principalId").asText()).isEqualTo(DemoOrganization.BOB_USER_ID);
    assertThat(removed.path("details").path("accountId").asText()).isEqualTo(PRODUCTION);
    assertThat(listed).anySatisfy(a -> {
      assertThat(a.get("principalId").asText()).isEqualTo(DemoOrganization.BOB_USER_ID);
      assertThat(a.get("removed").asBoolean()).isTrue();
    });

    // What the run removed is gone from the explorer at once, though its scan saw it; erin's stays, with the scan's time.
    JsonNode now = api.get("carol", "/api/explorer").body();
    assertThat(now.get("mappings")).noneMatch(m -> m.get("principalId").asText().equals(DemoOrganization.ALICE_USER_ID)
        && m.get("accountId").asText().equals(SANDBOX) && m.get("permissionSetName").asText().equals("ReadOnlyAccess"));
    assertThat(now.get("mappings")).noneMatch(m -> m.get("principalId").asText().equals(DemoOrganization.BOB_USER_ID)
        && m.get("accountId").asText().equals(PRODUCTION) && m.get("permissionSetName").asText().equals("ViewOnlyAccess"));
    assertThat(now.get("mappings")).anySatisfy(m -> {
      assertThat(m.get("principalId").asText()).isEqualTo(DemoOrganization.ERIN_USER_ID);
      assertThat(m.get("accountId").asText()).isEqualTo(STAGING);
      assertThat(m.get("source").asText()).isEqualTo("STANDING");
      assertThat(m.get("scannedAt").asText()).isEqualTo(now.get("scannedAt").asText());
    });

    // Cockpit shows the run with its counts; the audit log has who asked and the summary.
    Map<String, JsonNode> variables = new java.util.HashMap<>();
    api.get("admin", "/engine-rest/history/variable-instance?processInstanceId=" + instance).body()
        .forEach(v -> variables.put(v.get("name").asText(), v.get("value")));
    assertThat(variables.get("orphansRevoked").asInt()).isEqualTo(1);
    assertThat(variables.get("standingRemoved").asInt()).isEqualTo(1);
    assertThat(variables.get("standingFound").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(variables.get("driftFound").asBoolean()).isTrue();
    assertThat(api.get("admin", "/engine-rest/history/process-instance/" + instance).body().get("startUserId").asText())
        .isEqualTo("dave");
    JsonNode requested = single(audit("drift.requested"));
    assertThat(requested.get("actor").asText()).isEqualTo("dave");
    assertThat(requested.path("details").path("processInstanceId").asText()).isEqualTo(instance);
    assertThat(single(audit("drift.reconciled")).path("details").path("orphansRevoked").asInt()).isEqualTo(1);
    // Prometheus counts the findings too (an operator's dashboard).
    String metrics = api.get("dave", "/actuator/prometheus").raw();
    assertThat(metrics).containsPattern("(?m)^airlock_drift_findings_total\\{[^}]*kind=\"orphansRevoked\"[^}]*} 1\\.0$")
        .containsPattern("(?m)^airlock_drift_findings_total\\{[^}]*kind=\"standingRemoved\"[^}]*} 1\\.0$");

    // The request on the closed account failed with the reason; its review task is gone.
    JsonNode failed = api.awaitStatus(doomedRequest, "FAILED");
    assertThat(failed.toString()).contains("Account " + DOOMED + " no longer exists in the organization");
    assertThat(single(audit("drift.request-failed")).get("requestId").asText()).isEqualTo(doomedRequest);
    assertThat(api.get("admin", "/engine-rest/task?processInstanceBusinessKey=" + doomedRequest).body()).isEmpty();
    assertThat(variables.get("requestsFailed").asInt()).isEqualTo(1);

    // A second run finds the orphan and bob's access gone; erin's stays reported.
    String second = api.post("dave", "/api/inventory/reconcile", null).body().get("processInstanceId").asText();
    await().atMost(Duration.ofSeconds(60)).until(() ->
        "COMPLETED".equals(api.get("admin", "/engine-rest/history/process-instance/" + second).body().path("state").asText()));
    assertThat(audit("drift.orphan-revoked")).hasSize(1);
    assertThat(audit("drift.standing-removed")).hasSize(1);
    assertThat(audit("drift.standing")).hasSize(2);
    assertThat(audit("drift.request-failed")).hasSize(1);
  }

  // ------------------------------------------------------------------ helpers

  private List<JsonNode> audit(String action) {
    Reply r = api.get("carol", "/api/audit?limit=1000&action=" + action);
    assertThat(r.status()).as(r.raw()).isEqualTo(200);
    return StreamSupport.stream(r.body().get("events").spliterator(), false).toList();
  }

  private long auditCount(String action, String actor) {
    return audit(action).stream().filter(e -> actor == null || actor.equals(e.get("actor").asText())).count();
  }

  private static JsonNode single(List<JsonNode> entries) {
    assertThat(entries).hasSize(1);
    return entries.get(0);
  }
}
