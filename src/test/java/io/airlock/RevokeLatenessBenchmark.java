package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.process.AccessRequestModel.Elements;
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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.identity.Group;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Revoke lateness: how long after a grant's end its access is taken away, split into the
 * expiry timer (end → timer job ran), the hand-over to the revoke job (timer → revoke job
 * started) and the call (revoke job started → DeleteAccountAssignment arrived at the emulator).
 * A benchmark, not a test: it prints figures and asserts only that everything completed
 * ({@code mvn -Pbenchmark verify -Dtest=RevokeLatenessBenchmark}, docs/benchmark.md).
 *
 * <p>{@code benchmark.held} grants (two hours long) are active throughout; then
 * {@code benchmark.probes} short auto-approved grants end one by one on an idle node, and as
 * many again end while {@code benchmark.burst} approvals at once queue their grants behind
 * AWS's quota. The emulator enforces the quotas and answers each operation after 1 s, or after a
 * delay drawn from {@code -Dairlock.aws.sandbox.operation-delay-spread=0.5s..10s}.
 *
 * <p>Last, with {@code -Dbenchmark.wave=N}, a wave: N approvals at once for
 * {@code benchmark.wave-duration} (default {@code PT3M}). Their grants queue behind the quota, so
 * they end at the pace AWS granted them, and every one of them is measured: the revoke lane must
 * keep up with the quota's pace for as long as the wave lasts.
 *
 * <p>With {@code -Dbenchmark.mass-revoke=M}, the last phase: the requester asks for M of the held
 * grants to end now ({@code RequestService.requestRevoke}, four at a time, as an incident responder's
 * script would), measured from each answer to its {@code DeleteAccountAssignment} at AWS.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT1S",
    "airlock.aws.end-sessions-on-revoke=false",
    "airlock.request.min-duration=PT1S",
    "airlock.reconciler.scheduled=false",
    "airlock.inventory.scheduled=false",
    "airlock.audit.shipping.enabled=false"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
class RevokeLatenessBenchmark {

  static final int HELD = Integer.getInteger("benchmark.held", 1000);
  static final int BURST = Integer.getInteger("benchmark.burst", 1000);
  static final int PROBES = Integer.getInteger("benchmark.probes", 40);
  static final Duration PROBE_SPACING = Duration.ofMillis(300);
  /** Grants approved at once that end at the pace they were granted (0: no wave phase). */
  static final int WAVE = Integer.getInteger("benchmark.wave", 0);
  static final Duration WAVE_DURATION = Duration.parse(System.getProperty("benchmark.wave-duration", "PT3M"));
  /** Held grants revoked on request all at once, as an incident responder would (0: none). */
  static final int MASS_REVOKE = Integer.getInteger("benchmark.mass-revoke", 0);
  static final List<String> NON_PROD = List.of(DemoOrganization.SANDBOX_ACCOUNT_ID,
      DemoOrganization.STAGING_ACCOUNT_ID);

  @Autowired AwsSandbox sandbox;
  @Autowired RequestService requests;
  @Autowired IdentityService identity;
  @Autowired HistoryService history;
  @Autowired JdbcTemplate jdbc;
  @Autowired Environment env;
  @Autowired io.airlock.inventory.InventoryService inventory;

  final StringBuilder report = new StringBuilder();

  /** One probe's lateness, in nanoseconds; -1 where a step was not seen. */
  record Lateness(long timer, long handOver, long call, long total) {}

  @Test
  void revokeLateness() throws Exception {
    inventory.scan("benchmark");
    Caller alice = caller("alice");
    Caller bob = caller("bob");

    long start = System.nanoTime();
    List<String> held = submitForReview("held", HELD, alice, Duration.ofHours(2));
    Benchmarks.approveAll(requests, held, bob);
    awaitStatus(held, RequestStatus.ACTIVE, Duration.ofMinutes(30));
    log(HELD + " grants held after " + seconds(start) + " s");

    List<String> probeUsers = probeUsers(2 * PROBES);
    // Idle: probes end one by one, nothing else going on.
    List<String> idleProbes = startProbes(probeUsers.subList(0, PROBES), Duration.ofSeconds(5));
    awaitStatus(idleProbes, RequestStatus.REVOKED, Duration.ofMinutes(5));
    List<Lateness> idle = lateness(idleProbes);

    // Loaded: the burst is waiting for review; the probes are granted, then every approval at
    // once; the probes end while the burst's grants queue behind the quota.
    List<String> burst = submitForReview("burst", BURST, alice, Duration.ofHours(2));
    List<String> loadedProbes = startProbes(probeUsers.subList(PROBES, 2 * PROBES),
        PROBE_SPACING.multipliedBy(PROBES).plusSeconds(10));
    awaitStatus(loadedProbes, RequestStatus.ACTIVE, Duration.ofMinutes(5));
    Instant burstStart = Instant.now();
    Benchmarks.approveAll(requests, burst, bob);
    Instant firstProbeEnd = loadedProbes.stream().map(id -> requests.get(id, caller("admin")).getGrantEnd())
        .min(Comparator.naturalOrder()).orElseThrow();
    awaitStatus(loadedProbes, RequestStatus.REVOKED, Duration.ofMinutes(10));
    awaitStatus(burst, RequestStatus.ACTIVE, Duration.ofMinutes(30));
    Instant burstEnd = burst.stream().map(id -> requests.get(id, caller("admin")).getGrantStart())
        .max(Comparator.naturalOrder()).orElseThrow();
    List<Lateness> loaded = lateness(loadedProbes);
    List<Lateness> wave = List.of();
    String waveLine = null;
    if (WAVE > 0) {
      List<String> waveIds = submitForReview("wave", WAVE, alice, WAVE_DURATION);
      Benchmarks.approveAll(requests, waveIds, bob);
      awaitStatus(waveIds, RequestStatus.REVOKED, WAVE_DURATION.plusMinutes(30));
      List<AccessRequest> waveRequests = waveIds.stream().map(this::jdbcRequest).toList();
      Instant firstEnd = waveRequests.stream().map(AccessRequest::getGrantEnd).min(Comparator.naturalOrder()).orElseThrow();
      Instant lastEnd = waveRequests.stream().map(AccessRequest::getGrantEnd).max(Comparator.naturalOrder()).orElseThrow();
      wave = lateness(waveIds);
      double endsSpan = Math.max(0.001, Duration.between(firstEnd, lastEnd).toMillis() / 1000.0);
      waveLine = "Wave: " + WAVE + " grants of " + WAVE_DURATION + ", ending from " + firstEnd + " to " + lastEnd + " ("
          + fmt(endsSpan, 1) + " s, " + fmt(WAVE / endsSpan, 1) + " ends a second).";
    }
    long[] massRevoke = new long[0];
    String massLine = null;
    if (MASS_REVOKE > 0) {
      List<String> victims = held.subList(0, Math.min(MASS_REVOKE, held.size()));
      Map<String, Instant> asked = new java.util.concurrent.ConcurrentHashMap<>();
      Instant first = Instant.now();
      Benchmarks.inParallel(Benchmarks.PEOPLE, victims, id -> {
        requests.requestRevoke(id, "Benchmark: incident response", alice);
        asked.put(id, Instant.now()); // committed: the revoke job exists from here
        return id;
      });
      Instant allAsked = Instant.now();
      awaitStatus(victims, RequestStatus.REVOKED, Duration.ofMinutes(30));
      Map<String, AssignmentCall> deletes = deletesByPrincipalAndAccount();
      List<Instant> sent = new ArrayList<>();
      massRevoke = victims.stream().mapToLong(id -> {
        AccessRequest r = jdbcRequest(id);
        AssignmentCall delete = deletes.get(r.getPrincipalId() + "/" + r.getTarget());
        if (delete != null) {
          sent.add(delete.at());
        }
        return delete == null ? -1 : between(asked.get(id), delete.at());
      }).filter(v -> v >= 0).sorted().toArray();
      Instant lastSent = sent.stream().max(Comparator.naturalOrder()).orElse(allAsked);
      double span = Duration.between(first, lastSent).toMillis() / 1000.0;
      massLine = "Mass revoke: " + victims.size() + " held grants, revokes asked for in "
          + fmt(Duration.between(first, allAsked).toMillis() / 1000.0, 1) + " s, the last DeleteAccountAssignment "
          + fmt(span, 1) + " s after the first ask (" + fmt(victims.size() / Math.max(0.001, span), 1)
          + " revokes a second). Asked → DeleteAccountAssignment at AWS, p50 / p99 / max: "
          + (massRevoke.length == 0 ? "n/a" : ms(massRevoke, 0.5) + " / " + ms(massRevoke, 0.99) + " / "
          + ms(massRevoke, 1.0)) + " (" + massRevoke.length + " seen).";
    }
    long probesEndingInBurst = loadedProbes.stream().map(id -> requests.get(id, caller("admin")).getGrantEnd())
        .filter(end -> end.isBefore(burstEnd)).count();

    line("# Revoke lateness");
    line("");
    line("Run " + Instant.now() + " on " + Runtime.getRuntime().availableProcessors() + " cores, Java "
        + System.getProperty("java.version") + ", PostgreSQL 15 (embedded), the AWS emulator over HTTP (quotas"
        + " enforced; its latency below). " + HELD + " grants held; " + PROBES + " probes per phase.");
    line("");
    line("Burst: " + BURST + " approvals at " + burstStart + ", last grant " + burstEnd + " ("
        + fmt(Duration.between(burstStart, burstEnd).toMillis() / 1000.0, 1) + " s); first loaded probe end "
        + firstProbeEnd + "; " + probesEndingInBurst + " of " + PROBES + " loaded probes ended before the burst's"
        + " last grant.");
    line("");
    line("| step | idle p50 / p99 / max | during the burst p50 / p99 / max |");
    line("|---|---|---|");
    row("timer: end → expiry timer ran", idle, loaded, Lateness::timer);
    row("hand-over: timer → revoke job started", idle, loaded, Lateness::handOver);
    row("call: revoke job started → DeleteAccountAssignment at AWS", idle, loaded, Lateness::call);
    row("**total: end → DeleteAccountAssignment at AWS**", idle, loaded, Lateness::total);
    if (WAVE > 0) {
      line("");
      line(waveLine);
      line("");
      line("| step | wave p50 / p99 / max |");
      line("|---|---|");
      line("| timer: end → expiry timer ran | " + triple(wave, Lateness::timer) + " |");
      line("| hand-over: timer → revoke job started | " + triple(wave, Lateness::handOver) + " |");
      line("| call: revoke job started → DeleteAccountAssignment at AWS | " + triple(wave, Lateness::call) + " |");
      line("| **total: end → DeleteAccountAssignment at AWS** | " + triple(wave, Lateness::total) + " |");
    }
    if (massLine != null) {
      line("");
      line(massLine);
    }
    line("");
    line("AWS latency: " + (env.getProperty("airlock.aws.sandbox.operation-delay-spread", "").isBlank()
        ? env.getProperty("airlock.aws.sandbox.operation-delay") + " per operation"
        : "drawn from " + env.getProperty("airlock.aws.sandbox.operation-delay-spread")) + ".");
    line("");
    for (String key : List.of("camunda.bpm.job-execution.core-pool-size", "camunda.bpm.job-execution.queue-capacity",
        "camunda.bpm.job-execution.max-jobs-per-acquisition", "camunda.bpm.job-execution.wait-time-in-millis",
        "camunda.bpm.job-execution.max-wait", "camunda.bpm.job-execution.lock-time-in-millis",
        "airlock.aws.first-poll-delay", "airlock.jobs.priority-lane.min-priority",
        "airlock.jobs.priority-lane.threads")) {
      line("- `" + key + "`: " + env.getProperty(key, "(default)"));
    }

    Benchmarks.publish(report, "revoke-lateness-report.md");

    // Every revoke reached AWS: each probe's DeleteAccountAssignment was seen (-1 where it was not).
    assertThat(idle).hasSize(PROBES).allSatisfy(l -> assertThat(l.call()).as("DeleteAccountAssignment seen").isNotNegative());
    assertThat(loaded).hasSize(PROBES).allSatisfy(l -> assertThat(l.call()).as("DeleteAccountAssignment seen").isNotNegative());
    assertThat(wave).hasSize(WAVE).allSatisfy(l -> assertThat(l.call()).as("DeleteAccountAssignment seen").isNotNegative());
    assertThat(massRevoke).hasSize(Math.min(MASS_REVOKE, HELD));
  }

  // ---- set-up --------------------------------------------------------------------------------

  private Caller caller(String userId) {
    List<String> groups = identity.createGroupQuery().groupMember(userId).list().stream().map(Group::getId).toList();
    return new Caller(userId, groups);
  }

  /** Requests by alice for new users (someone else: a review is needed), two accounts per user. */
  private List<String> submitForReview(String prefix, int count, Caller alice, Duration duration) throws Exception {
    List<Benchmarks.Ask> asks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = String.format("%s-user-%05d", prefix, i / 2);
      if (i % 2 == 0) {
        sandbox.state().addUser(name, "Bench", name, name + "@airlock.example");
      }
      asks.add(new Benchmarks.Ask(name, NON_PROD.get(i % 2), "ReadOnlyAccess", duration.toString()));
    }
    List<String> ids = Benchmarks.submitForReview(requests, alice, asks, "Revoke lateness benchmark").stream()
        .map(AccessRequest::getId).toList();
    log(prefix + ": " + ids.size() + " submitted");
    return ids;
  }

  /** Requesters of their own short read-only access (approved at once by the policy). */
  private List<String> probeUsers(int count) {
    return Benchmarks.requesters(sandbox, identity, "probe-user", count);
  }

  /** One probe every PROBE_SPACING, each lasting {@code duration} (whole seconds). */
  private List<String> startProbes(List<String> users, Duration duration) throws InterruptedException {
    List<String> ids = new ArrayList<>();
    for (String user : users) {
      Caller c = caller(user);
      AccessRequest r = requests.submit(new SubmitRequest("AWS", DemoOrganization.SANDBOX_ACCOUNT_ID, user,
          "ReadOnlyAccess", "PT" + duration.toSeconds() + "S", "Revoke lateness probe", null), c);
      ids.add(r.getId());
      Thread.sleep(PROBE_SPACING.toMillis()); // the pace of the probes, not a wait for a result
    }
    return ids;
  }

  private void awaitStatus(List<String> ids, RequestStatus status, Duration atMost) {
    Benchmarks.awaitStatus(jdbc, ids, status, atMost);
  }

  // ---- measuring -----------------------------------------------------------------------------

  private List<Lateness> lateness(List<String> ids) {
    Map<String, AssignmentCall> deletes = deletesByPrincipalAndAccount();
    List<Lateness> result = new ArrayList<>();
    for (String id : ids) {
      AccessRequest r = jdbcRequest(id);
      String instance = history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(id).singleResult()
          .getId();
      Instant timer = activity(instance, Elements.EVENT_ACCESS_EXPIRED, false);
      Instant revokeJob = activity(instance, Elements.TASK_REVOKE_ACCESS, true);
      AssignmentCall delete = deletes.get(r.getPrincipalId() + "/" + r.getTarget());
      Instant end = r.getGrantEnd();
      result.add(new Lateness(between(end, timer), between(timer, revokeJob),
          delete == null ? -1 : between(revokeJob, delete.at()), delete == null ? -1 : between(end, delete.at())));
    }
    return result;
  }

  /** A principal has one request per account here: its delete is found by principal and account. */
  private Map<String, AssignmentCall> deletesByPrincipalAndAccount() {
    return sandbox.state().assignmentCalls().stream()
        .filter(c -> c.operation().equals("DeleteAccountAssignment"))
        .collect(Collectors.toMap(c -> c.principalId() + "/" + c.accountId(), c -> c, (a, b) -> a));
  }

  private AccessRequest jdbcRequest(String id) {
    return requests.get(id, caller("admin"));
  }

  private Instant activity(String instance, String activityId, boolean start) {
    List<HistoricActivityInstance> found = history.createHistoricActivityInstanceQuery().processInstanceId(instance)
        .activityId(activityId).list();
    if (found.isEmpty()) {
      return null;
    }
    HistoricActivityInstance a = found.get(0);
    return (start ? a.getStartTime() : a.getEndTime()).toInstant();
  }

  private static long between(Instant from, Instant to) {
    return from == null || to == null ? -1 : Duration.between(from, to).toNanos();
  }

  // ---- formatting ----------------------------------------------------------------------------

  private void row(String name, List<Lateness> idle, List<Lateness> loaded, Function<Lateness, Long> step) {
    line("| " + name + " | " + triple(idle, step) + " | " + triple(loaded, step) + " |");
  }

  private static String triple(List<Lateness> all, Function<Lateness, Long> step) {
    long[] sorted = all.stream().map(step).filter(v -> v >= 0).mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      return "n/a";
    }
    return ms(sorted, 0.5) + " / " + ms(sorted, 0.99) + " / " + ms(sorted, 1.0)
        + (sorted.length < all.size() ? " (" + sorted.length + " seen)" : "");
  }

  private static String ms(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    long nanos = sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    return fmt(nanos / 1e6, 0) + " ms";
  }

  private static String seconds(long startNanos) {
    return fmt((System.nanoTime() - startNanos) / 1e9, 0);
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
