package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.RequestService;
import io.airlock.request.ReviewDecision;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.SandboxSettings;
import io.airlock.sandbox.SandboxState;
import io.airlock.support.Benchmarks;
import io.airlock.support.PostgresTestConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.identity.Group;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Grant throughput under the AWS quotas, and the engine's own overhead. A benchmark, not a test:
 * it prints figures and asserts none of them ({@code mvn -Pbenchmark verify}, see
 * docs/benchmark.md). The whole application runs on PostgreSQL with the emulator enforcing the
 * Identity Center quotas (20 calls a second, 15 assignment creations in flight).
 *
 * <p>1,100 requests needing a review are submitted (distinct user, permission set and account
 * each) and approved by another user in two phases:
 * <ol>
 *   <li>paced: 100 at 5 a second, well below the quota, on an idle engine: approval to the wire
 *       is then the engine's overhead (job hand-over, transaction, adapter), not queueing;</li>
 *   <li>burst: 1,000 at once; the figures are grants per second against the quota-implied
 *       maximum, calls per grant, throttling, incidents, and the time from each approval's
 *       commit to its CreateAccountAssignment at the emulator.</li>
 * </ol>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    // AWS's operation latency in the formula: an assignment stays IN_PROGRESS this long
    "airlock.aws.sandbox.operation-delay=PT1S",
    // one connection per job thread (a grant job holds its transaction while AWS works) + web;
    // -Dbenchmark.pool-size=10 shows Hikari's default
    "spring.datasource.hikari.maximum-pool-size=${benchmark.pool-size:40}"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class GrantThroughputBenchmark {

  static final int BURST = 1000;
  static final int PACED = 100;
  static final double PACED_PER_SECOND = 5;
  static final int ACCOUNTS = 10;
  static final int USERS = (BURST + PACED + ACCOUNTS - 1) / ACCOUNTS;
  /** Read-only for more than an hour: in scope anywhere, but needs a review (dmn/). */
  static final String PERMISSION = "ReadOnlyAccess";
  static final String DURATION = "PT2H";
  /** CreateAccountAssignment + one DescribeAccountAssignmentCreationStatus. */
  static final int MIN_CALLS_PER_GRANT = 2;
  /**
   * Calls outside the Identity Center quota: Organizations, STS, CloudTrail, and S3 (the audit
   * log's shipping, which is not a grant's cost).
   */
  static final Set<String> NOT_IDENTITY_CENTER = Set.of("DescribeAccount", "ListAccounts", "DescribeOrganization",
      "ListParents", "DescribeOrganizationalUnit", "ListTagsForResource", "ListRoots",
      "ListOrganizationalUnitsForParent", "ListAccountsForParent", "AssumeRole", "GetCallerIdentity",
      "LookupEvents", "PutObject", "GetObject", "HeadObject", "DeleteObject", "ListObjectsV2", "CreateBucket",
      "HeadBucket", "PutObjectLockConfiguration", "GetObjectLockConfiguration");

  @Autowired AwsSandbox sandbox;
  @Autowired RequestService requests;
  @Autowired IdentityService identity;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired PlatformTransactionManager transactions;
  @Autowired JdbcTemplate jdbc;
  @Autowired HikariDataSource dataSource;
  @Autowired Environment env;

  final StringBuilder report = new StringBuilder();

  /** One submitted request and what the emulator will see for it. */
  record Submitted(String id, String principalId, String permissionSetArn, String accountId) {}

  /** An approval's commit, on the monotonic clock and the wall clock. */
  record Approval(long nanos, Instant at) {}

  @Test
  void grantsUnderTheAwsQuotas() throws Exception {
    Caller requester = caller("alice");
    Caller approver = caller("bob");
    List<Submitted> all = submitAll(requester);
    List<Submitted> paced = all.subList(0, PACED);
    List<Submitted> burst = all.subList(PACED, PACED + BURST);

    SandboxSettings quota = sandbox.settings();
    double byRate = (double) quota.maxCallsPerSecond() / MIN_CALLS_PER_GRANT;
    double latencySeconds = quota.operationDelay().toNanos() / 1e9;
    double byInFlight = quota.maxCreationsInFlight() / latencySeconds;
    double quotaMax = Math.min(byRate, byInFlight);

    // Paced first, on an idle engine (a burst before it would leave the job executor's pool
    // grown to its maximum), then every approval at once.
    Phase pacedPhase = run("paced", paced, approver, 1, PACED_PER_SECOND);
    Phase burstPhase = run("burst", burst, approver, 4, 0);

    line("# Grant benchmark");
    line("");
    line("Run " + Instant.now() + " on " + Runtime.getRuntime().availableProcessors() + " cores, Java "
        + System.getProperty("java.version") + ", PostgreSQL 15 (embedded), the AWS emulator over HTTP. The paced"
        + " phase runs first, on an idle engine, then the burst.");
    line("");
    line("## Quota-implied maximum");
    line("");
    line("| AWS quota (enforced by the emulator) | value |");
    line("|---|---|");
    line("| Identity Center calls per second, any one-second window | " + quota.maxCallsPerSecond() + " |");
    line("| CreateAccountAssignment in flight | " + quota.maxCreationsInFlight() + " |");
    line("| operation latency (IN_PROGRESS until) | " + fmt(latencySeconds, 3) + " s |");
    line("| minimum calls per grant (Create + one Describe...Status) | " + MIN_CALLS_PER_GRANT + " |");
    line("");
    line("max grants/s = min(" + quota.maxCallsPerSecond() + " calls/s ÷ " + MIN_CALLS_PER_GRANT
        + " calls per grant, " + quota.maxCreationsInFlight() + " in flight ÷ " + fmt(latencySeconds, 3)
        + " s) = min(" + fmt(byRate, 1) + ", " + fmt(byInFlight, 1) + ") = **" + fmt(quotaMax, 1)
        + " grants/s**");
    line("");
    line("## Results");
    line("");
    Phase b = burstPhase;
    Phase p = pacedPhase;
    double share = b.grantsPerSecond / quotaMax;
    line("| figure | burst: " + BURST + " approvals at once | paced: " + PACED + " approvals at "
        + fmt(PACED_PER_SECOND, 0) + "/s | goal |");
    line("|---|---|---|---|");
    line("| requests ACTIVE | " + b.active + " of " + b.size + " | " + p.active + " of " + p.size + " | all |");
    line("| approvals committed in | " + fmt(b.approvalSeconds, 1) + " s | " + fmt(p.approvalSeconds, 1) + " s | |");
    line("| first approval → last grant ACTIVE | " + fmt(b.spanSeconds, 1) + " s | " + fmt(p.spanSeconds, 1)
        + " s | |");
    line("| grants per second | **" + fmt(b.grantsPerSecond, 2) + "** = " + pct(share) + " of "
        + fmt(quotaMax, 1) + " (steady state, grants 10%–90%: " + fmt(b.steadyPerSecond, 2) + ") | "
        + fmt(p.grantsPerSecond, 2) + " (set by the pace) | ≥ 90% of the quota-implied maximum: "
        + verdict(share >= 0.9) + " |");
    line("| Identity Center calls per grant | " + fmt(b.callsPerGrant, 2) + " | " + fmt(p.callsPerGrant, 2)
        + " | " + MIN_CALLS_PER_GRANT + " |");
    line("| calls by operation | " + b.calls + " | " + p.calls + " | |");
    line("| ThrottlingException answered by the emulator | " + b.throttled + " | " + p.throttled + " | 0 |");
    line("| failed job attempts (retried) | " + b.failedJobAttempts + " | " + p.failedJobAttempts + " | |");
    line("| incidents in the engine | " + b.incidents + " | " + p.incidents + " | 0: "
        + verdict(b.incidents == 0 && p.incidents == 0) + " |");
    line("| approval commit → CreateAccountAssignment at the emulator, p50 / p99 / max | "
        + ms(b.wire, 0.5) + " / " + ms(b.wire, 0.99) + " / " + ms(b.wire, 1.0) + " (queued behind the quota) | **"
        + ms(p.wire, 0.5) + " / " + ms(p.wire, 0.99) + "** / " + ms(p.wire, 1.0) + " (engine overhead) | p99 < 50 ms: "
        + verdict(percentile(p.wire, 0.99) < 50_000_000L) + " |");
    line("| approval commit → ACTIVE, p50 / p99 | " + ms(b.toActive, 0.5) + " / " + ms(b.toActive, 0.99) + " | "
        + ms(p.toActive, 0.5) + " / " + ms(p.toActive, 0.99) + " | |");
    line("");
    line("## Settings");
    line("");
    line("| setting | value |");
    line("|---|---|");
    for (String key : List.of("camunda.bpm.job-execution.core-pool-size", "camunda.bpm.job-execution.max-pool-size",
        "camunda.bpm.job-execution.queue-capacity", "camunda.bpm.job-execution.max-jobs-per-acquisition",
        "camunda.bpm.job-execution.wait-time-in-millis", "camunda.bpm.job-execution.max-wait",
        "airlock.aws.first-poll-delay", "airlock.aws.operation-timeout", "airlock.aws.sandbox.operation-delay")) {
      line("| `" + key + "` | " + env.getProperty(key, "(not set: default)") + " |");
    }
    line("| `spring.datasource.hikari.maximum-pool-size` | " + dataSource.getMaximumPoolSize() + " |");
    line("| requests | " + (BURST + PACED) + " × " + PERMISSION + " " + DURATION + ", " + USERS + " users × "
        + ACCOUNTS + " accounts, requester alice, approver bob |");

    Benchmarks.publish(report, "benchmark-report.md");

    // Not a timing assertion: the benchmark is only meaningful if every grant happened.
    assertThat(b.active).as("burst grants ACTIVE").isEqualTo(BURST);
    assertThat(p.active).as("paced grants ACTIVE").isEqualTo(PACED);
  }

  // ---- set-up --------------------------------------------------------------------------------

  private Caller caller(String userId) {
    List<String> groups = identity.createGroupQuery().groupMember(userId).list().stream().map(Group::getId).toList();
    return new Caller(userId, groups);
  }

  /** Users and accounts in the emulator, then one request per (user, account), all PENDING_REVIEW. */
  private List<Submitted> submitAll(Caller requester) throws Exception {
    SandboxState aws = sandbox.state();
    List<String> accounts = new ArrayList<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      String id = String.format("5550000%05d", a);
      aws.addAccount(id, "bench-" + a);
      accounts.add(id);
    }
    List<String> users = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      String name = String.format("bench-user-%04d", u);
      aws.addUser(name, "Bench", "User " + u, name + "@airlock.example");
      users.add(name);
    }
    List<String[]> pairs = new ArrayList<>();
    for (String user : users) {
      for (String account : accounts) {
        pairs.add(new String[] {user, account});
      }
    }
    pairs = pairs.subList(0, BURST + PACED);

    log("submitting " + pairs.size() + " requests (two GetUserId calls each, under the same quota)...");
    long start = System.nanoTime();
    List<Benchmarks.Ask> asks = pairs.stream().map(p -> new Benchmarks.Ask(p[0], p[1], PERMISSION, DURATION)).toList();
    List<Submitted> submitted = Benchmarks.submitForReview(requests, requester, asks, "Benchmark of grant throughput")
        .stream().map(r -> new Submitted(r.getId(), r.getPrincipalId(), r.getPermissionSetArn(), r.getTarget()))
        .toList();
    log("submitted " + submitted.size() + " in " + fmt((System.nanoTime() - start) / 1e9, 1) + " s");
    return submitted;
  }

  // ---- one phase -----------------------------------------------------------------------------

  static final class Phase {
    int size;
    int active;
    double approvalSeconds;
    double spanSeconds;
    double grantsPerSecond;
    double steadyPerSecond;
    double callsPerGrant;
    Map<String, Long> calls;
    long throttled;
    long incidents;
    long failedJobAttempts;
    long[] wire;
    long[] toActive;
  }

  /**
   * Approves every request (with {@code threads} approvers at once, or one at {@code perSecond}),
   * waits until all are ACTIVE, and collects the figures. Counters start from zero.
   */
  private Phase run(String name, List<Submitted> batch, Caller approver, int threads, double perSecond)
      throws Exception {
    Thread.sleep(2000); // the quota window of whatever came before is over
    sandbox.state().resetCounters();
    long failedBefore = history.createHistoricJobLogQuery().failureLog().count();
    long activeBefore = countActive();
    Map<String, Approval> approvals = new ConcurrentHashMap<>();

    log(name + ": approving " + batch.size() + (perSecond > 0 ? " at " + perSecond + "/s" : " at once, "
        + threads + " approvers") + "...");
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        Submitted s = batch.get(i);
        long due = perSecond > 0 ? start + (long) (i * 1e9 / perSecond) : start;
        futures.add(pool.submit(() -> {
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          approve(s.id(), approver, approvals);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
    long lastLog = System.nanoTime();
    long active;
    while ((active = countActive() - activeBefore) < batch.size() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      if (System.nanoTime() - lastLog > 10_000_000_000L) {
        log(name + ": " + active + " of " + batch.size() + " ACTIVE after "
            + fmt((System.nanoTime() - start) / 1e9, 0) + " s, throttled " + sandbox.state().throttledCalls()
            + ", incidents " + runtime.createIncidentQuery().count());
        lastLog = System.nanoTime();
      }
    }

    Phase p = new Phase();
    p.size = batch.size();
    p.active = (int) active;
    p.calls = sandbox.state().callCounts();
    p.throttled = sandbox.state().throttledCalls();
    p.incidents = runtime.createIncidentQuery().count();
    p.failedJobAttempts = history.createHistoricJobLogQuery().failureLog().count() - failedBefore;

    Instant firstApproval = approvals.values().stream().map(Approval::at).min(Instant::compareTo).orElseThrow();
    Instant lastApproval = approvals.values().stream().map(Approval::at).max(Instant::compareTo).orElseThrow();
    p.approvalSeconds = Duration.between(firstApproval, lastApproval).toNanos() / 1e9;
    List<Instant> grantStarts = new ArrayList<>();
    List<Long> wire = new ArrayList<>();
    List<Long> toActive = new ArrayList<>();
    for (Submitted s : batch) {
      Approval approval = approvals.get(s.id());
      AccessRequest r = requests.get(s.id(), approver);
      if (r.getGrantStart() != null) {
        grantStarts.add(r.getGrantStart());
        toActive.add(Duration.between(approval.at(), r.getGrantStart()).toNanos());
      }
      sandbox.state().creationArrival(s.principalId(), s.permissionSetArn(), s.accountId())
          .ifPresent(a -> wire.add(a.nanoTime() - approval.nanos()));
    }
    grantStarts.sort(Instant::compareTo);
    Instant lastGrant = grantStarts.get(grantStarts.size() - 1);
    p.spanSeconds = Duration.between(firstApproval, lastGrant).toNanos() / 1e9;
    p.grantsPerSecond = grantStarts.size() / p.spanSeconds;
    int from = grantStarts.size() / 10;
    int to = grantStarts.size() * 9 / 10;
    p.steadyPerSecond = (to - from) / (Duration.between(grantStarts.get(from), grantStarts.get(to)).toNanos() / 1e9);
    long identityCenterCalls = p.calls.entrySet().stream()
        .filter(e -> !NOT_IDENTITY_CENTER.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
    p.callsPerGrant = (double) identityCenterCalls / grantStarts.size();
    p.wire = wire.stream().mapToLong(Long::longValue).sorted().toArray();
    p.toActive = toActive.stream().mapToLong(Long::longValue).sorted().toArray();
    log(name + ": " + p.active + " ACTIVE, " + fmt(p.grantsPerSecond, 2) + " grants/s, " + p.calls
        + ", throttled " + p.throttled + ", incidents " + p.incidents + ", approval→wire p50 "
        + ms(p.wire, 0.5) + " p99 " + ms(p.wire, 0.99));
    return p;
  }

  /** Approves as the approver and notes the instant the review's transaction committed. */
  private void approve(String id, Caller approver, Map<String, Approval> approvals) {
    new TransactionTemplate(transactions).executeWithoutResult(tx -> {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          approvals.put(id, new Approval(System.nanoTime(), Instant.now()));
        }
      });
      requests.review(id, new ReviewDecision(ReviewDecision.Outcome.APPROVE, "benchmark"), approver);
    });
  }

  private long countActive() {
    Long n = jdbc.queryForObject("SELECT count(*) FROM access_request WHERE status = 'ACTIVE'", Long.class);
    return n == null ? 0 : n;
  }

  // ---- formatting ----------------------------------------------------------------------------

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static String ms(long[] sorted, double p) {
    long nanos = percentile(sorted, p);
    if (nanos < 0) {
      return "n/a";
    }
    double millis = nanos / 1e6;
    return millis >= 10_000 ? fmt(millis / 1000, 1) + " s" : fmt(millis, 1) + " ms";
  }

  private static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String pct(double share) {
    return fmt(share * 100, 1) + "%";
  }

  private static String verdict(boolean met) {
    return met ? "met" : "**not met**";
  }

  private void line(String s) {
    report.append(s).append('\n');
  }

  private static void log(String s) {
    System.out.println("[benchmark] " + s);
  }
}
