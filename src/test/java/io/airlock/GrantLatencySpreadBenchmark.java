package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.RequestService;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.SandboxSettings;
import io.airlock.support.Benchmarks;
import io.airlock.support.PostgresTestConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
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

/**
 * Grants under realistic AWS latency: {@link GrantThroughputBenchmark}'s burst, but with each
 * CreateAccountAssignment taking a latency drawn from a long-tailed spread
 * ({@code airlock.aws.sandbox.operation-delay-spread}, default {@code 0.5s..10s}: log-normal,
 * 5th percentile 0.5 s, 99th 10 s, clipped to the range, seeded) instead of exactly 1 s. The
 * emulator enforces the quotas (20 calls a second, 15 creations in flight). A benchmark, not a
 * test: it prints figures and asserts only that every grant became ACTIVE.
 *
 * <pre>
 * mvn -Pbenchmark verify -Dtest=GrantLatencySpreadBenchmark                         # 1,000 at once
 * mvn -Pbenchmark verify -Dtest=GrantLatencySpreadBenchmark -Dbenchmark.burst=300   # reduced
 *   -Dairlock.aws.first-poll-delay=PT1S -Dairlock.aws.next-poll-delay=PT0.2S -Dairlock.aws.max-poll-delay=PT2S
 *   (the polling to measure, as system properties; without them the application's settings)
 * </pre>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay-spread=${benchmark.spread:0.5s..10s}",
    "airlock.aws.sandbox.operation-delay-seed=${benchmark.seed:13}",
    "airlock.reconciler.scheduled=false",
    "airlock.inventory.scheduled=false",
    "airlock.audit.shipping.enabled=false"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class GrantLatencySpreadBenchmark {

  static final int BURST = Integer.getInteger("benchmark.burst", 1000);
  static final int ACCOUNTS = 10;
  static final String PERMISSION = "ReadOnlyAccess";
  static final int MIN_CALLS_PER_GRANT = 2;
  static final Set<String> NOT_IDENTITY_CENTER = GrantThroughputBenchmark.NOT_IDENTITY_CENTER;

  @Autowired AwsSandbox sandbox;
  @Autowired RequestService requests;
  @Autowired IdentityService identity;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired JdbcTemplate jdbc;
  @Autowired Environment env;
  @Autowired org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl engine;

  final StringBuilder report = new StringBuilder();

  @Test
  void grantsUnderASpreadOfAwsLatencies() throws Exception {
    Caller alice = caller("alice");
    Caller bob = caller("bob");
    List<String> ids = submitAll(alice);

    // The job executor waits while bob approves: the grants then queue all at once behind the
    // quota, whatever the approvals cost on a busy machine, and the figure is the quota's.
    engine.getJobExecutor().shutdown();
    String loadBefore = LifecycleThroughputBenchmark.uptime();
    Instant approvalsStart = Instant.now();
    log("approving " + ids.size() + " (job executor stopped)...");
    Benchmarks.approveAll(requests, ids, bob);
    Duration approving = Duration.between(approvalsStart, Instant.now());
    Thread.sleep(2000); // the quota window of the approvals' calls is over
    sandbox.state().resetCounters();
    long failedBefore = history.createHistoricJobLogQuery().failureLog().count();
    Instant start = Instant.now();
    engine.getJobExecutor().start();
    log("job executor started with " + ids.size() + " grants queued");
    long[] lastLog = {System.nanoTime()};
    Awaitility.await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
      long n = countActive();
      if (System.nanoTime() - lastLog[0] > 10_000_000_000L) {
        log(n + " of " + ids.size() + " ACTIVE after " + Duration.between(start, Instant.now()).toSeconds()
            + " s, throttled " + sandbox.state().throttledCalls() + ", load " + LifecycleThroughputBenchmark.uptime());
        lastLog[0] = System.nanoTime();
      }
      return n >= ids.size();
    });
    String loadAfter = LifecycleThroughputBenchmark.uptime();

    // ---- figures ------------------------------------------------------------------------------
    Map<String, Long> calls = sandbox.state().callCounts();
    long throttled = sandbox.state().throttledCalls();
    long incidents = runtime.createIncidentQuery().count();
    long failedAttempts = history.createHistoricJobLogQuery().failureLog().count() - failedBefore;
    long[] delays = sandbox.state().creationDelays();
    double meanLatency = Arrays.stream(delays).average().orElse(Double.NaN) / 1e9;
    long[] sortedDelays = delays.clone();
    Arrays.sort(sortedDelays);

    List<Instant> grantStarts = new ArrayList<>();
    List<Long> toActive = new ArrayList<>();
    for (String id : ids) {
      AccessRequest r = requests.get(id, bob);
      grantStarts.add(r.getGrantStart());
    }
    grantStarts.sort(Instant::compareTo);
    Instant last = grantStarts.get(grantStarts.size() - 1);
    double span = Duration.between(start, last).toNanos() / 1e9;
    double rate = grantStarts.size() / span;
    int from = grantStarts.size() / 10;
    int to = grantStarts.size() * 9 / 10;
    double steady = (to - from) / (Duration.between(grantStarts.get(from), grantStarts.get(to)).toNanos() / 1e9);
    long identityCenterCalls = calls.entrySet().stream().filter(e -> !NOT_IDENTITY_CENTER.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
    double callsPerGrant = (double) identityCenterCalls / grantStarts.size();
    long describes = calls.getOrDefault("DescribeAccountAssignmentCreationStatus", 0L);

    SandboxSettings quota = sandbox.settings();
    double byRate = (double) quota.maxCallsPerSecond() / MIN_CALLS_PER_GRANT;
    double byInFlight = quota.maxCreationsInFlight() / meanLatency;
    double quotaMax = Math.min(byRate, byInFlight);
    // what the measured polling allows: every call of the quota but the one kept for revokes, and
    // the 15 places held from creation until a poll has seen SUCCEEDED (Little's law)
    double byCalls = (quota.maxCallsPerSecond() - 1) / callsPerGrant;

    line("# Grants under a spread of AWS latencies");
    line("");
    line("Run " + Instant.now() + " on " + Runtime.getRuntime().availableProcessors() + " cores, Java "
        + System.getProperty("java.version") + ", PostgreSQL 15 (embedded), the AWS emulator over HTTP enforcing"
        + " AWS's quotas. " + ids.size() + " approvals (" + fmt(approving.toMillis() / 1000.0, 1) + " s to commit them"
        + " all, job executor stopped), then the job executor starts with every grant queued: the time counts from"
        + " its start.");
    line("");
    line("CreateAccountAssignment latency: `" + env.getProperty("airlock.aws.sandbox.operation-delay-spread")
        + "` (seed " + env.getProperty("airlock.aws.sandbox.operation-delay-seed") + "); the " + delays.length
        + " creations of the run took p5 " + sec(sortedDelays, 0.05) + ", median " + sec(sortedDelays, 0.5)
        + ", p90 " + sec(sortedDelays, 0.9) + ", p99 " + sec(sortedDelays, 0.99) + ", max " + sec(sortedDelays, 1.0)
        + "; **mean " + fmt(meanLatency, 3) + " s**.");
    line("");
    line("max grants/s = min(" + quota.maxCallsPerSecond() + " calls/s ÷ " + MIN_CALLS_PER_GRANT + " calls per grant, "
        + quota.maxCreationsInFlight() + " in flight ÷ " + fmt(meanLatency, 3) + " s mean latency) = min("
        + fmt(byRate, 1) + ", " + fmt(byInFlight, 2) + ") = **" + fmt(quotaMax, 2) + " grants/s**");
    line("");
    line("| figure | value |");
    line("|---|---|");
    line("| polling | first after `" + env.getProperty("airlock.aws.first-poll-delay") + "`, then `"
        + env.getProperty("airlock.aws.next-poll-delay", "PT0.2S (default)") + "` doubling up to `" + env.getProperty("airlock.aws.max-poll-delay", "PT2S (default)")
        + "` |");
    line("| load average before → after (`uptime`) | " + loadBefore + " → " + loadAfter + " |");
    line("| requests ACTIVE | " + countActive() + " of " + ids.size() + " |");
    line("| job executor start → last grant ACTIVE | " + fmt(span, 1) + " s |");
    line("| **grants per second** | **" + fmt(rate, 2) + " = " + fmt(100 * rate / quotaMax, 1) + " %** of "
        + fmt(quotaMax, 2) + " (steady state, grants 10 %–90 %: " + fmt(steady, 2) + " = "
        + fmt(100 * steady / quotaMax, 1) + " %) |");
    line("| Identity Center calls per grant | " + fmt(callsPerGrant, 2) + " (" + fmt((double) describes / ids.size(), 2)
        + " Describe...Status per grant) |");
    line("| calls by operation | " + calls + " |");
    line("| rate the calls allow: " + (quota.maxCallsPerSecond() - 1) + " calls/s (one kept for revokes) ÷ calls"
        + " per grant | " + fmt(byCalls, 2) + " grants/s |");
    line("| ThrottlingException answered by the emulator | " + throttled + " |");
    line("| failed job attempts (retried) / incidents | " + failedAttempts + " / " + incidents + " |");

    Benchmarks.publish(report, "latency-spread-report-" + env.getProperty("airlock.aws.first-poll-delay") + "-"
        + env.getProperty("airlock.aws.next-poll-delay", "PT0.2S") + "-" + env.getProperty("airlock.aws.max-poll-delay", "PT2S")
        + ".md");

    assertThat(countActive()).as("grants ACTIVE").isEqualTo(ids.size());
  }

  private Caller caller(String userId) {
    List<String> groups = identity.createGroupQuery().groupMember(userId).list().stream().map(Group::getId).toList();
    return new Caller(userId, groups);
  }

  /** One request per (user, account) by alice for someone else, ReadOnlyAccess for two hours: a review each. */
  private List<String> submitAll(Caller alice) throws Exception {
    List<String> accounts = new ArrayList<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      String id = String.format("5551000%05d", a);
      sandbox.state().addAccount(id, "spread-" + a);
      accounts.add(id);
    }
    int users = (BURST + ACCOUNTS - 1) / ACCOUNTS;
    List<String> names = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      String name = String.format("spread-user-%04d", u);
      sandbox.state().addUser(name, "Spread", "User " + u, name + "@airlock.example");
      names.add(name);
    }
    log("submitting " + BURST + " requests (two GetUserId calls each, under the quota)...");
    List<Benchmarks.Ask> asks = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      asks.add(new Benchmarks.Ask(names.get(i / ACCOUNTS), accounts.get(i % ACCOUNTS), PERMISSION, "PT2H"));
    }
    return Benchmarks.submitForReview(requests, alice, asks, "Benchmark of grants under a spread of latencies")
        .stream().map(AccessRequest::getId).toList();
  }

  private long countActive() {
    Long n = jdbc.queryForObject("SELECT count(*) FROM access_request WHERE status = 'ACTIVE'", Long.class);
    return n == null ? 0 : n;
  }

  private static String sec(long[] sorted, double p) {
    if (sorted.length == 0) {
      return "n/a";
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return fmt(sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e9, 2) + " s";
  }

  private static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private void line(String s) {
    report.append(s).append('\n');
  }

  private static void log(String s) {
    System.out.println("[benchmark] " + s);
  }
}
