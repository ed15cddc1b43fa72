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
import io.airlock.support.People;
import io.airlock.support.PostgresTestConfiguration;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
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
 * Two Airlock nodes on one PostgreSQL form a cluster, and one of them dies in the middle of the
 * work: every grant made is still revoked, nothing is left in AWS, and no assignment is created
 * again after its deletion. Calls repeat only where a job ran again (the dead node's jobs taken
 * over, or a job that outlived its lock), which AWS treats as the idempotent retries they are.
 *
 * <p>Node B is this test's application context; it owns the AWS emulator. Node A is a second
 * JVM on the same database and emulator, and it dies by {@code SIGKILL}: no shutdown hook, no
 * handing back of its jobs, its locks stay in the database until they expire. Requesters ask
 * through both nodes' REST APIs; the jobs go to whichever node's job executor takes them.
 *
 * <p>Each node takes half of AWS's Identity Center quota (10 calls a second, 7 creations in
 * flight), as README "Running several nodes" says, so the emulator throttles nothing. The job
 * lock is 15 s here (60 s in production) to keep the test short; the mechanism is the same.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "airlock.aws.first-poll-delay=PT0.2S",
    "airlock.aws.calls-per-second=" + ClusterIntegrationTest.CALLS_PER_NODE,
    "airlock.aws.creations-in-flight=" + ClusterIntegrationTest.CREATIONS_PER_NODE,
    "airlock.aws.end-sessions-on-revoke=false",
    "airlock.request.min-duration=PT1S",
    "airlock.reconciler.scheduled=false",
    "airlock.inventory.scheduled=false",
    "airlock.audit.shipping.enabled=false",
    "spring.datasource.hikari.maximum-pool-size=30",
    "camunda.bpm.job-execution.lock-time-in-millis=" + ClusterIntegrationTest.LOCK_MILLIS,
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIntegrationTest {

  static final int CALLS_PER_NODE = 10;
  static final int CREATIONS_PER_NODE = 7;
  static final int LOCK_MILLIS = 15_000;
  static final int USERS = 100;
  static final List<String> ACCOUNTS = List.of(DemoOrganization.SANDBOX_ACCOUNT_ID,
      DemoOrganization.STAGING_ACCOUNT_ID);
  static final int REQUESTS = USERS * ACCOUNTS.size();

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired HikariDataSource dataSource;
  @Autowired IdentityService identity;
  @Autowired InventoryService inventory;
  @Autowired RuntimeService runtime;
  @Autowired JdbcTemplate jdbc;
  @Autowired AirlockProperties properties;
  @Autowired ProcessEngineConfigurationImpl engine;
  @Autowired AuditLog audit;

  AirlockNode nodeA;

  @AfterAll
  void stopNodeA() {
    if (nodeA != null) {
      nodeA.close();
    }
  }

  @Test
  void everyGrantIsRevokedOnceWhenANodeDiesInTheMiddle() throws Exception {
    List<String> users = createUsers();
    inventory.scan("cluster-test"); // the policy reads the accounts' OUs from the inventory
    int portA = AirlockNode.freePort();
    nodeA = startNodeA(portA);
    ApiClient apiA = new ApiClient(portA);
    ApiClient apiB = new ApiClient(port);

    // 200 short read-only requests in non-production accounts, approved at once by the policy,
    // half through each node, lasting 40 to 60 s.
    List<String> ids = submitAll(users, apiA, apiB);
    assertThat(ids).hasSize(REQUESTS).doesNotHaveDuplicates();

    // A dies while it holds jobs (grants, timers or revokes it has locked and not finished).
    String lockOwnerB = engine.getJobExecutor().getLockOwner();
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
        .until(() -> lockedByOthers(lockOwnerB) >= 2 && count("ACTIVE") + count("REVOKED") >= REQUESTS / 4);
    nodeA.kill(); // SIGKILL: nothing handed back
    long killedAt = System.nanoTime();
    int heldByDeadNode = lockedByOthers(lockOwnerB);
    System.out.printf("Node A killed holding %d jobs; %d ACTIVE, %d REVOKED of %d%n", heldByDeadNode,
        count("ACTIVE"), count("REVOKED"), REQUESTS);
    assertThat(heldByDeadNode).as("jobs node A held when it died").isPositive();

    // A starts again on the same database and emulator, as an operator's restart would; B and the
    // new A finish everything, the dead A's locked jobs once their lock has expired.
    nodeA = startNodeA(portA);
    assertThat(apiA.get("admin", "/api/requests/" + ids.get(0)).status()).as("the restarted node answers")
        .isEqualTo(200);
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(statuses()).containsExactly(Map.entry("REVOKED", (long) REQUESTS)));
    assertThat(runtime.createIncidentQuery().count()).as("incidents").isZero();
    assertThat(runtime.createProcessInstanceQuery().processDefinitionKey("access-request").active().count())
        .as("access-request instances still running").isZero();

    // Nothing left in AWS.
    Set<String> principalIds = principalIds(ids);
    assertThat(sandbox.state().assignments()).noneMatch(a -> principalIds.contains(a.principalId()));

    // Every assignment created and deleted, and never created again after its deletion (access
    // back after the revoke). A call repeats only where a job ran again: the dead node's jobs,
    // or a job that outlived its lock on this busy machine (both idempotent in AWS); printed.
    Map<List<String>, List<AssignmentCall>> byAssignment = sandbox.state().assignmentCalls().stream()
        .filter(c -> principalIds.contains(c.principalId()))
        .collect(Collectors.groupingBy(c -> List.of(c.principalId(), c.permissionSetArn(), c.accountId()),
            LinkedHashMap::new, Collectors.toList()));
    assertThat(byAssignment).hasSize(REQUESTS);
    assertThat(byAssignment.values()).allSatisfy(calls -> {
      List<String> operations = calls.stream().map(AssignmentCall::operation).toList();
      assertThat(operations).as("calls in arrival order").startsWith("CreateAccountAssignment")
          .endsWith("DeleteAccountAssignment");
      assertThat(operations.lastIndexOf("CreateAccountAssignment"))
          .as("last creation before the first deletion: %s", operations)
          .isLessThan(operations.indexOf("DeleteAccountAssignment"));
    });
    long repeated = byAssignment.values().stream().mapToLong(calls -> calls.size() - 2).sum();
    long repeatedAfterKill = byAssignment.values().stream().filter(calls -> calls.size() > 2)
        .filter(calls -> calls.get(0).nanoTime() < killedAt && calls.get(calls.size() - 1).nanoTime() > killedAt)
        .count();
    System.out.printf("Assignment calls repeated: %d (%d assignments spanning node A's death)%n", repeated,
        repeatedAfterKill);

    // Time counts from the first moment access may exist: every grant's recorded start is no
    // later than its first create reached AWS, also for the grants the dead node had sent and
    // node B finished after the lock expired; every end is start + duration.
    List<Long> lateMillis = new ArrayList<>();
    jdbc.query("SELECT principal_id, target, permission_set_arn, grant_start, grant_end, duration FROM access_request"
        + " WHERE principal_id IN (" + principalIds.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","))
        + ")", row -> {
          java.time.Instant start = row.getTimestamp("grant_start").toInstant();
          java.time.Instant end = row.getTimestamp("grant_end").toInstant();
          List<String> key = List.of(row.getString("principal_id"), row.getString("permission_set_arn"),
              row.getString("target"));
          List<AssignmentCall> calls = byAssignment.get(key);
          assertThat(start).as("recorded start of %s, first create at AWS", key).isBeforeOrEqualTo(calls.get(0).at());
          assertThat(end).isEqualTo(start.plus(Duration.parse(row.getString("duration"))));
          lateMillis.add(Duration.between(end, calls.get(calls.size() - 1).at()).toMillis());
        });
    assertThat(lateMillis).hasSize(REQUESTS);
    long maxLate = lateMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
    System.out.printf("End → last DeleteAccountAssignment: max %d ms (node A's locked timers wait out its %d ms"
        + " job lock)%n", maxLate, LOCK_MILLIS);
    assertThat(maxLate).as("end → last delete, ms: the job lock and a margin for this busy machine")
        .isLessThan(LOCK_MILLIS + 30_000L);

    // Both nodes wrote one audit chain (its head is a locked row in the database).
    assertThat(audit.verify().intact()).isTrue();
  }

  // ---- the cluster -------------------------------------------------------------------------

  /**
   * Node A: the application's main class in a JVM of its own, on this test's database and
   * emulator, with the same settings as node B.
   */
  private AirlockNode startNodeA(int portA) throws IOException {
    return AirlockNode.start(portA, dataSource.getJdbcUrl(), dataSource.getUsername(), sandbox.endpoint(),
        List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), List.of(
            "--spring.datasource.hikari.maximum-pool-size=30",
            "--airlock.aws.region=" + properties.aws().region(),
            "--airlock.aws.first-poll-delay=PT0.2S",
            "--airlock.aws.calls-per-second=" + CALLS_PER_NODE,
            "--airlock.aws.creations-in-flight=" + CREATIONS_PER_NODE,
            "--airlock.aws.end-sessions-on-revoke=false",
            "--airlock.request.min-duration=PT1S",
            "--airlock.reconciler.scheduled=false",
            "--airlock.inventory.scheduled=false",
            "--airlock.audit.shipping.enabled=false",
            "--camunda.bpm.job-execution.lock-time-in-millis=" + LOCK_MILLIS,
            "--camunda.bpm.job-execution.wait-time-in-millis=200",
            "--camunda.bpm.job-execution.max-wait=1000"), Path.of("target", "cluster-node-a.log"));
  }

  /** Requesters in Camunda who are users in the emulator's Identity Center too. */
  private List<String> createUsers() {
    List<String> users = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String name = String.format("cluster-user-%03d", i);
      People.addRequester(sandbox, identity, properties.groups().requesters(), name, "Cluster", "User " + i);
      users.add(name);
    }
    return users;
  }

  /**
   * Submits every request, four at a time; each node's first one alone, since a cold node's first
   * decision (the DMN and FEEL engines warming up) is slow on a busy machine and the audit chain's
   * head stays locked until its transaction ends.
   */
  private List<String> submitAll(List<String> users, ApiClient apiA, ApiClient apiB) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> futures = new ArrayList<>();
      int n = 0;
      for (String user : users) {
        for (String account : ACCOUNTS) {
          ApiClient api = n % 2 == 0 ? apiA : apiB;
          String duration = "PT" + (40 + n % 20) + "S";
          if (n == 2) {
            futures.get(0).get(3, TimeUnit.MINUTES);
            futures.get(1).get(3, TimeUnit.MINUTES);
          }
          n++;
          futures.add(pool.submit(() -> {
            Reply r = api.post(user, "/api/requests", People.request(account, user, "ReadOnlyAccess", duration,
                "Cluster test: read-only look at the account"));
            assertThat(r.status()).as(r.raw()).isEqualTo(201);
            assertThat(r.body().get("status").asText()).as(r.raw()).isNotIn("PENDING_REVIEW", "DENIED");
            return r.body().get("id").asText();
          }));
        }
      }
      List<String> ids = new ArrayList<>();
      for (Future<String> f : futures) {
        ids.add(f.get(3, TimeUnit.MINUTES));
      }
      return ids;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- reading the database ----------------------------------------------------------------

  /** Jobs locked, with the lock not yet expired, by a node other than B. */
  private int lockedByOthers(String lockOwnerB) {
    Integer n = jdbc.queryForObject("SELECT count(*) FROM act_ru_job WHERE lock_owner_ IS NOT NULL"
        + " AND lock_owner_ <> ? AND lock_exp_time_ > now()", Integer.class, lockOwnerB);
    return n == null ? 0 : n;
  }

  private long count(String status) {
    Long n = jdbc.queryForObject("SELECT count(*) FROM access_request WHERE requester LIKE 'cluster-user-%'"
        + " AND status = ?", Long.class, status);
    return n == null ? 0 : n;
  }

  private Map<String, Long> statuses() {
    Map<String, Long> result = new LinkedHashMap<>();
    jdbc.query("SELECT status, count(*) AS n FROM access_request WHERE requester LIKE 'cluster-user-%'"
        + " GROUP BY status ORDER BY status", rs -> {
          result.put(rs.getString("status"), rs.getLong("n"));
        });
    return result;
  }

  private Set<String> principalIds(List<String> ids) {
    return Set.copyOf(jdbc.queryForList("SELECT principal_id FROM access_request WHERE requester LIKE 'cluster-user-%'",
        String.class));
  }

}
