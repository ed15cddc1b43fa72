package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.inventory.InventoryService;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.sandbox.SandboxState.AssignmentCall;
import io.airlock.support.AirlockNode;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.Benchmarks;
import io.airlock.support.DatabaseOutage;
import io.airlock.support.People;
import io.airlock.support.PostgresTestConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A chaos soak, as an operator's chaos test would run it: short grants through two nodes on one
 * PostgreSQL, AWS latencies drawn from a long-tailed spread, 5 % of all Identity Center calls
 * throttled, one node killed with {@code SIGKILL} in the middle and started again, and the database
 * refusing every connection for a while. It asserts what "every grant ends" means (every answered
 * request ends REVOKED, nothing left in AWS, every recorded start no later than its first create
 * reached AWS, the audit chain intact) and prints how late the ends were.
 *
 * <pre>
 * mvn -Pbenchmark verify -Dtest=ChaosSoakBenchmark [-Dbenchmark.soak.users=500]
 * </pre>
 *
 * <p>Node B is this test's context (it owns the emulator); node A a JVM of its own against that
 * emulator. Each node takes half of AWS's quotas. The reconciler runs every 5 s on both.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay-spread=0.5s..10s",
    "airlock.aws.calls-per-second=10",
    "airlock.aws.creations-in-flight=7",
    "airlock.aws.end-sessions-on-revoke=false",
    "airlock.request.min-duration=PT1S",
    "airlock.reconciler.interval=PT5S",
    "airlock.reconciler.grace=PT5S",
    "airlock.reconciler.unconfirmed-after=PT30S",
    "airlock.inventory.scheduled=false",
    "airlock.audit.shipping.enabled=false",
    "airlock.activity.enabled=false",
    "spring.datasource.hikari.maximum-pool-size=30",
    "spring.datasource.hikari.connection-timeout=2000",
    "camunda.bpm.job-execution.lock-time-in-millis=15000",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChaosSoakBenchmark {

  static final int USERS = Integer.getInteger("benchmark.soak.users", 500);
  static final List<String> ACCOUNTS = List.of(DemoOrganization.SANDBOX_ACCOUNT_ID,
      DemoOrganization.STAGING_ACCOUNT_ID);
  static final int REQUESTS = USERS * ACCOUNTS.size();
  static final Duration OUTAGE = Duration.ofSeconds(20);

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired HikariDataSource dataSource;
  @Autowired IdentityService identity;
  @Autowired InventoryService inventory;
  @Autowired RuntimeService runtime;
  @Autowired JdbcTemplate jdbc;
  @Autowired AirlockProperties properties;
  @Autowired AuditLog audit;

  AirlockNode nodeA;

  @AfterAll
  void stopNodeA() {
    if (nodeA != null) {
      nodeA.close();
    }
  }

  @Test
  void everyGrantEndsThroughThrottlingAKillAndADatabaseOutage() throws Exception {
    StringBuilder report = new StringBuilder("# Chaos soak\n\n");
    List<String> users = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String name = String.format("soak-user-%04d", i);
      People.addRequester(sandbox, identity, properties.groups().requesters(), name, "Soak", "User " + i);
      users.add(name);
    }
    inventory.scan("soak");
    int portA = AirlockNode.freePort();
    nodeA = startNodeA(portA);
    ApiClient apiA = new ApiClient(portA);
    ApiClient apiB = new ApiClient(port);
    sandbox.state().resetCounters();
    sandbox.faults().throttle(0.05, 1);
    Instant started = Instant.now();
    var killed = new java.util.concurrent.atomic.AtomicReference<Instant>();
    var restarted = new java.util.concurrent.atomic.AtomicReference<Instant>();
    var awayAt = new java.util.concurrent.atomic.AtomicReference<Instant>();

    // Requests through both nodes, lasting 60 to 119 s, approved at once by policy.
    List<String> answered = Benchmarks.inParallel(4, requestsOf(users), ask -> {
      ApiClient api = ask.n() % 2 == 0 || !nodeA.isAlive() ? apiB : apiA;
      Reply r = api.post(ask.user(), "/api/requests", People.request(ask.account(), ask.user(), "ReadOnlyAccess",
          "PT" + (60 + ask.n() % 60) + "S", "Chaos soak"));
      assertThat(r.status()).as(r.raw()).isEqualTo(201);
      return r.body().get("id").asText();
    });
    Instant submitted = Instant.now();

    // A dies with grants in flight, and starts again 10 s later.
    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
        .until(() -> count("ACTIVE") + count("REVOKED") >= REQUESTS / 3);
    nodeA.kill();
    killed.set(Instant.now());
    report.append(String.format("- node A killed at %s with %d ACTIVE, %d REVOKED of %d%n",
        since(started, killed.get()), count("ACTIVE"), count("REVOKED"), REQUESTS));
    Thread.sleep(10_000);
    nodeA = startNodeA(portA);
    restarted.set(Instant.now());
    report.append(String.format("- node A up again at %s%n", since(started, restarted.get())));

    // The database refuses every connection for a while.
    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
        .until(() -> count("REVOKED") >= REQUESTS / 2);
    awayAt.set(Instant.now());
    DatabaseOutage.set(dataSource.getJdbcUrl(), true);
    Thread.sleep(OUTAGE.toMillis());
    DatabaseOutage.set(dataSource.getJdbcUrl(), false);
    report.append(String.format("- database away from %s for %d s%n", since(started, awayAt.get()),
        OUTAGE.toSeconds()));

    await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofSeconds(2))
        .until(() -> count("REVOKED") == REQUESTS || Duration.between(started, Instant.now()).toMinutes() > 19);
    sandbox.faults().reset();
    Instant done = Instant.now();

    // Every answered request ended REVOKED; nothing of theirs is left in AWS.
    Map<String, Long> statuses = statuses();
    report.append(String.format("- %d requests answered 201 in %s; all ended at %s: %s%n", answered.size(),
        since(started, submitted), since(started, done), statuses));
    Set<String> principalIds = Set.copyOf(jdbc.queryForList(
        "SELECT principal_id FROM access_request WHERE requester LIKE 'soak-user-%'", String.class));
    long left = sandbox.state().assignments().stream().filter(a -> principalIds.contains(a.principalId())).count();
    Map<List<String>, List<AssignmentCall>> calls = sandbox.state().assignmentCalls().stream()
        .filter(c -> principalIds.contains(c.principalId()))
        .collect(Collectors.groupingBy(c -> List.of(c.principalId(), c.permissionSetArn(), c.accountId()),
            LinkedHashMap::new, Collectors.toList()));
    List<Long> lateMillis = new ArrayList<>();
    List<Long> calmMillis = new ArrayList<>();
    List<Long> chaosMillis = new ArrayList<>();
    List<String> startedLate = new ArrayList<>();
    jdbc.query("SELECT id, principal_id, target, permission_set_arn, grant_start, grant_end FROM access_request"
        + " WHERE requester LIKE 'soak-user-%' AND grant_start IS NOT NULL", row -> {
          List<String> key = List.of(row.getString("principal_id"), row.getString("permission_set_arn"),
              row.getString("target"));
          Instant start = row.getTimestamp("grant_start").toInstant();
          Instant end = row.getTimestamp("grant_end").toInstant();
          String id = row.getString("id");
          sandbox.state().creationArrival(key.get(0), key.get(1), key.get(2)).ifPresent(first -> {
            if (start.isAfter(first.at())) {
              startedLate.add(id);
            }
          });
          // The first delete AWS acted on from the end on removed the access; later ones are
          // idempotent repeats (a dead node's job run again once its lock expired).
          calls.getOrDefault(key, List.of()).stream()
              .filter(c -> c.operation().equals("DeleteAccountAssignment") && !c.at().isBefore(end.minusSeconds(1)))
              .findFirst().ifPresent(c -> {
                long late = Duration.between(end, c.at()).toMillis();
                lateMillis.add(late);
                boolean inChaos = within(end, killed.get(), restarted.get().plusSeconds(15))
                    || within(end, awayAt.get(), awayAt.get().plus(OUTAGE).plusSeconds(10));
                (inChaos ? chaosMillis : calmMillis).add(late);
              });
        });
    report.append(lateness("all " + lateMillis.size() + " grants", lateMillis));
    report.append(lateness(calmMillis.size() + " ending outside the kill and the outage", calmMillis));
    report.append(lateness(chaosMillis.size() + " ending while node A was dead (and its job locks held) or the"
        + " database away", chaosMillis));
    report.append(String.format("- calls throttled by AWS: %d; left in AWS: %d; recorded start after the first"
        + " create reached AWS: %d; incidents open: %d; audit entries held at the end: %d%n",
        sandbox.state().throttledCalls(), left, startedLate.size(), runtime.createIncidentQuery().count(),
        audit.heldEntries()));
    boolean intact = audit.verify().intact();
    report.append(String.format("- audit chain intact: %s%n", intact));
    report.append(String.format("- machine: %d cores, load %s%n", Runtime.getRuntime().availableProcessors(),
        java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim()));
    Benchmarks.publish(report, "chaos-soak.md");

    assertThat(statuses).containsExactly(Map.entry("REVOKED", (long) REQUESTS));
    assertThat(left).isZero();
    assertThat(startedLate).isEmpty();
    assertThat(intact).isTrue();
  }

  private record Ask(int n, String user, String account) {}

  private static List<Ask> requestsOf(List<String> users) {
    List<Ask> asks = new ArrayList<>();
    for (String user : users) {
      for (String account : ACCOUNTS) {
        asks.add(new Ask(asks.size(), user, account));
      }
    }
    return asks;
  }

  private AirlockNode startNodeA(int portA) throws Exception {
    return AirlockNode.start(portA, dataSource.getJdbcUrl(), dataSource.getUsername(), sandbox.endpoint(),
        List.of("-Xmx768m"), List.of(
            "--spring.datasource.hikari.maximum-pool-size=30",
            "--spring.datasource.hikari.connection-timeout=2000",
            "--airlock.aws.region=" + properties.aws().region(),
            "--airlock.aws.calls-per-second=10",
            "--airlock.aws.creations-in-flight=7",
            "--airlock.aws.end-sessions-on-revoke=false",
            "--airlock.request.min-duration=PT1S",
            "--airlock.reconciler.interval=PT5S",
            "--airlock.reconciler.grace=PT5S",
            "--airlock.reconciler.unconfirmed-after=PT30S",
            "--airlock.inventory.scheduled=false",
            "--airlock.audit.shipping.enabled=false",
            "--airlock.activity.enabled=false",
            "--camunda.bpm.job-execution.lock-time-in-millis=15000",
            "--camunda.bpm.job-execution.wait-time-in-millis=200",
            "--camunda.bpm.job-execution.max-wait=1000"), Path.of("target", "chaos-soak-node-a.log"));
  }

  private long count(String status) {
    try {
      Long n = jdbc.queryForObject("SELECT count(*) FROM access_request WHERE requester LIKE 'soak-user-%'"
          + " AND status = ?", Long.class, status);
      return n == null ? 0 : n;
    } catch (RuntimeException databaseAway) {
      return 0;
    }
  }

  private Map<String, Long> statuses() {
    Map<String, Long> result = new LinkedHashMap<>();
    jdbc.query("SELECT status, count(*) AS n FROM access_request WHERE requester LIKE 'soak-user-%'"
        + " GROUP BY status ORDER BY status", rs -> {
          result.put(rs.getString("status"), rs.getLong("n"));
        });
    return result;
  }

  private static boolean within(Instant t, Instant from, Instant to) {
    return !t.isBefore(from) && !t.isAfter(to);
  }

  private static String lateness(String which, List<Long> millis) {
    List<Long> sorted = millis.stream().sorted().toList();
    return String.format("- end → DeleteAccountAssignment, %s: p50 %.1f s, p95 %.1f s, p99 %.1f s, max %.1f s%n",
        which, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99), pct(sorted, 100));
  }

  private static double pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
    return sorted.get(Math.max(0, i)) / 1000.0;
  }

  private static String since(Instant start, Instant at) {
    return Duration.between(start, at).toSeconds() + " s";
  }
}
