package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.inventory.InventoryService;
import io.airlock.inventory.ScanSummary;
import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.RequestService;
import io.airlock.request.RequestStatus;
import io.airlock.request.SubmitRequest;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.sandbox.SandboxState.AssignmentCall;
import io.airlock.support.Benchmarks;
import io.airlock.support.PostgresTestConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.IdentityService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * How late access ends while an inventory scan runs under AWS's quota (issue 25 item 4: grants
 * and revokes keep their share). A benchmark, not a test: it prints figures and asserts only that
 * every probe was revoked ({@code mvn -B -ntp -Pbenchmark -Dtest=ScanRevokeLatenessBenchmark
 * verify}, docs/benchmark.md, "Scanning a large organization").
 *
 * <p>The emulator enforces the quotas (20 Identity Center calls a second, 1 s per operation) and
 * seeds an organization whose scan takes about a minute at the scan's share of 10 calls a second
 * (100 accounts, 500 provisioned pairs). The scan starts; then {@code benchmark.probes} users each
 * ask for their own short read-only access, one a second, so that they end while the scan is
 * reading. Each probe's lateness: its grant's end to its DeleteAccountAssignment at the emulator.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT1S",
    "airlock.aws.end-sessions-on-revoke=false",
    "airlock.request.min-duration=PT1S",
    "airlock.reconciler.scheduled=false",
    "airlock.inventory.scheduled=false",
    "airlock.drift.cron=0 0 0 1 1 ?",
    "airlock.audit.shipping.enabled=false",
    "airlock.aws.sandbox.demo-activity=false",
    "airlock.aws.sandbox.organization.accounts=100",
    "airlock.aws.sandbox.organization.users=1000",
    "airlock.aws.sandbox.organization.groups=20",
    "airlock.aws.sandbox.organization.permission-sets=20",
    "airlock.aws.sandbox.organization.assignments=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class ScanRevokeLatenessBenchmark {

  static final int PROBES = Integer.getInteger("benchmark.probes", 20);
  static final Duration PROBE_DURATION = Duration.ofSeconds(15);

  @Autowired AwsSandbox sandbox;
  @Autowired RequestService requests;
  @Autowired IdentityService identity;
  @Autowired InventoryService inventory;
  @Autowired JdbcTemplate jdbc;

  @Test
  void revokesEndOnTimeWhileAScanRuns() throws Exception {
    List<String> users = Benchmarks.requesters(sandbox, identity, "scan-probe", PROBES);
    Instant scanStart = Instant.now();
    CompletableFuture<ScanSummary> scan = CompletableFuture.supplyAsync(() -> inventory.scan("benchmark"));
    Thread.sleep(5_000); // the scan is under way
    List<String> ids = new ArrayList<>();
    for (String user : users) {
      AccessRequest r = requests.submit(new SubmitRequest("AWS", DemoOrganization.SANDBOX_ACCOUNT_ID, user,
          "ReadOnlyAccess", "PT" + PROBE_DURATION.toSeconds() + "S", "Revoke lateness during a scan", null),
          new Caller(user, List.of("airlock-requesters")));
      ids.add(r.getId());
      Thread.sleep(1_000); // the pace of the probes
    }
    Benchmarks.awaitStatus(jdbc, ids, RequestStatus.REVOKED, Duration.ofMinutes(10));
    ScanSummary summary = scan.get();
    Instant scanEnd = Instant.now();

    Map<String, AssignmentCall> deletes = sandbox.state().assignmentCalls().stream()
        .filter(c -> c.operation().equals("DeleteAccountAssignment"))
        .collect(Collectors.toMap(AssignmentCall::principalId, c -> c, (a, b) -> a));
    List<Long> late = new ArrayList<>();
    int duringScan = 0;
    Caller admin = new Caller("admin", identity.createGroupQuery().groupMember("admin").list().stream()
        .map(org.camunda.bpm.engine.identity.Group::getId).toList());
    for (String id : ids) {
      AccessRequest r = requests.get(id, admin);
      AssignmentCall delete = deletes.get(r.getPrincipalId());
      assertThat(delete).as(id).isNotNull();
      late.add(Duration.between(r.getGrantEnd(), delete.at()).toNanos());
      if (delete.at().isBefore(scanStart.plusMillis(summary.durationMs()))) {
        duringScan++;
      }
    }
    long[] sorted = late.stream().mapToLong(Long::longValue).sorted().toArray();
    StringBuilder report = new StringBuilder("# Revoke lateness while a scan runs\n\n");
    report.append(String.format(Locale.ROOT, "Scan: %d AWS calls in %.1f s (quota enforced; the scan's share of the"
            + " Identity Center quota as configured); %d of %d probes revoked while it ran.%n%n", summary.awsCalls(),
        summary.durationMs() / 1000.0, duringScan, PROBES));
    report.append(String.format(Locale.ROOT, "| end → DeleteAccountAssignment at AWS | p50 %s | p99 %s | max %s |%n",
        ms(sorted, 0.5), ms(sorted, 0.99), ms(sorted, 1.0)));
    report.append(String.format(Locale.ROOT, "%nAll (ms): %s; scan from %s to %s%n",
        Arrays.toString(Arrays.stream(sorted).map(n -> n / 1_000_000).toArray()), scanStart, scanEnd));
    Benchmarks.publish(report, "scan-revoke-lateness-report.md");
  }

  private static String ms(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return String.format(Locale.ROOT, "%.0f ms", sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6);
  }
}
