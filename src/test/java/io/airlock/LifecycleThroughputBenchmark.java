package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.airlock.config.AirlockProperties;
import io.airlock.inventory.InventoryService;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.Benchmarks;
import io.airlock.support.People;
import io.airlock.support.PostgresTestConfiguration;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.awaitility.Awaitility;
import org.camunda.bpm.engine.IdentityService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Full access lifecycles per second, on one node and on two, and the heap a node needs for the
 * grants it holds. A benchmark, not a test: it prints figures and asserts only that every
 * lifecycle completed ({@code mvn -Pbenchmark verify -Dtest=LifecycleThroughputBenchmark},
 * docs/benchmark.md).
 *
 * <p>A lifecycle is what a requester and the clock do: a user asks through the REST API for
 * short read-only access for themselves in a non-production account, the policy approves it,
 * the grant job creates the assignment, the expiry timer fires and the revoke job deletes it.
 * AWS is out of the picture: the emulator answers at once and enforces no quota, and Airlock's
 * own quota is lifted, so the figure is the engine's, the database's and Airlock's code's.
 *
 * <p>Phases: one node (this JVM) does {@code benchmark.lifecycles}; then a second node (a JVM
 * of its own on the same PostgreSQL and emulator, started as {@code ClusterIntegrationTest}
 * does) joins and both do as many, submitted half through each node's API. Last, memory: the
 * heap after a full GC on both nodes with no grant active, then with {@code benchmark.held}
 * one-hour grants active.
 *
 * <p>Scale: {@code -Dbenchmark.lifecycles=6000 -Dbenchmark.held=10000} (defaults, the issue's
 * scale); reduced, e.g. {@code -Dbenchmark.lifecycles=1000 -Dbenchmark.held=2000}; {@code -Dbenchmark.users=1000}
 * creates at least that many users (the authorization table grows with them).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0S",
    "airlock.aws.sandbox.max-calls-per-second=1000000",
    "airlock.aws.sandbox.max-creations-in-flight=1000000",
    "airlock.aws.calls-per-second=1000000",
    "airlock.aws.creations-in-flight=100000",
    "airlock.aws.first-poll-delay=PT0S",
    "airlock.aws.end-sessions-on-revoke=false",
    "airlock.request.min-duration=PT1S",
    "airlock.reconciler.scheduled=false",
    "airlock.inventory.scheduled=false",
    "airlock.audit.shipping.enabled=false",
    "airlock.aws.sandbox.demo-activity=false"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LifecycleThroughputBenchmark {

  static final int LIFECYCLES = Integer.getInteger("benchmark.lifecycles", 6000);
  static final int HELD = Integer.getInteger("benchmark.held", 10_000);
  static final int SUBMITTERS = Integer.getInteger("benchmark.submitters", 8);
  static final int WARM_UP = Integer.getInteger("benchmark.warm-up", 200);
  static final String DURATION = System.getProperty("benchmark.duration", "PT2S");
  static final boolean TWO_NODES = !Boolean.getBoolean("benchmark.one-node-only");
  static final boolean PROFILE = !Boolean.getBoolean("benchmark.no-jfr");
  /** Users in Camunda's store (each brings an authorization row); at least what the phases need. */
  static final int USERS = Integer.getInteger("benchmark.users", 0);
  static final List<String> ACCOUNTS = List.of(DemoOrganization.SANDBOX_ACCOUNT_ID,
      DemoOrganization.STAGING_ACCOUNT_ID);

  /** Node A's settings: the same as this node's (above), but on the emulator over there. */
  static final List<String> NODE_SETTINGS = List.of(
      "--airlock.aws.calls-per-second=1000000",
      "--airlock.aws.creations-in-flight=100000",
      "--airlock.aws.first-poll-delay=PT0S",
      "--airlock.aws.end-sessions-on-revoke=false",
      "--airlock.request.min-duration=PT1S",
      "--airlock.reconciler.scheduled=false",
      "--airlock.inventory.scheduled=false",
      "--airlock.audit.shipping.enabled=false");

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired HikariDataSource dataSource;
  @Autowired IdentityService identity;
  @Autowired InventoryService inventory;
  @Autowired JdbcTemplate jdbc;
  @Autowired AirlockProperties properties;
  @Autowired Environment env;

  final StringBuilder report = new StringBuilder();
  Process nodeA;

  @AfterAll
  void stopNodeA() throws InterruptedException {
    if (nodeA != null && nodeA.isAlive()) {
      nodeA.destroy();
      if (!nodeA.waitFor(60, TimeUnit.SECONDS)) {
        nodeA.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** What one phase measured. */
  static final class Phase {
    String name;
    int lifecycles;
    int revoked;
    String loadBefore;
    String loadAfter;
    double submitSeconds;
    double spanSeconds;
    double perSecond;
    double steadyPerSecond;
    long[] endToRevoked;
    Map<String, Double> cpuSeconds = new LinkedHashMap<>();
    Map<String, Long> db = new LinkedHashMap<>();
    Map<String, Long> tableWrites = new LinkedHashMap<>();
    Map<String, String> seqScans = new LinkedHashMap<>();
    List<String> profile = List.of();
  }

  @Test
  void lifecyclesPerSecondAndMemory() throws Exception {
    int userCount = Math.max(USERS,
        (Math.max(Math.max(LIFECYCLES, HELD), WARM_UP) + ACCOUNTS.size() - 1) / ACCOUNTS.size());
    List<String> users = createUsers(userCount);
    inventory.scan("benchmark"); // the policy reads the accounts' OUs from the inventory
    ApiClient apiB = new ApiClient(port);

    log("warming up node B with " + WARM_UP + " lifecycles...");
    run("warm-up B", users, WARM_UP, List.of(apiB), null);
    Phase one = run("one node", users, LIFECYCLES, List.of(apiB), PROFILE ? Path.of("target", "lifecycle-one-node.jfr") : null);

    Phase two = null;
    ApiClient apiA = null;
    if (TWO_NODES) {
      int portA = freePort();
      nodeA = startNodeA(portA);
      apiA = new ApiClient(portA);
      log("warming up node A with " + WARM_UP + " lifecycles...");
      run("warm-up A", users, WARM_UP, List.of(apiA), null);
      two = run("two nodes", users, LIFECYCLES, List.of(apiA, apiB), null);
    }

    // Memory: none active, then HELD one-hour grants active.
    long heapNoneB = heapAfterGcHere();
    long heapNoneA = nodeA == null ? -1 : heapAfterGc(nodeA.pid());
    String loadNone = uptime();
    List<ApiClient> apis = apiA == null ? List.of(apiB) : List.of(apiA, apiB);
    long seedStart = System.nanoTime();
    List<String> held = submit(users, HELD, apis, "PT1H", "Memory benchmark: held grant", new AtomicInteger());
    awaitStatus("Memory benchmark: held grant", "ACTIVE", HELD, Duration.ofMinutes(60));
    double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
    long activeCount = count("ACTIVE");
    long heapHeldB = heapAfterGcHere();
    long heapHeldA = nodeA == null ? -1 : heapAfterGc(nodeA.pid());
    String loadHeld = uptime();

    // ---- report --------------------------------------------------------------------------
    line("# Full lifecycles per second");
    line("");
    line("Run " + Instant.now() + " on " + Runtime.getRuntime().availableProcessors() + " cores ("
        + cpuModel() + "), Java " + System.getProperty("java.version") + ", PostgreSQL 15 (embedded), the AWS"
        + " emulator over HTTP with no latency and no quota, Airlock's quota lifted. A lifecycle: POST /api/requests"
        + " (ReadOnlyAccess for " + DURATION + " for oneself in a non-production account, approved by the policy)"
        + " → grant job → expiry timer → revoke job. " + SUBMITTERS + " requesters submit at once, as fast as the"
        + " API answers.");
    line("");
    line("| figure | one node | " + (two == null ? "" : "two nodes (two JVMs, one PostgreSQL, same 2 cores) |"));
    line("|---|---|" + (two == null ? "" : "---|"));
    row("lifecycles completed (REVOKED)", one, two, p -> p.revoked + " of " + p.lifecycles);
    row("load average before → after (`uptime`)", one, two, p -> p.loadBefore + " → " + p.loadAfter);
    row("submissions took", one, two, p -> fmt(p.submitSeconds, 1) + " s");
    row("first submission → last revoke", one, two, p -> fmt(p.spanSeconds, 1) + " s");
    row("**lifecycles per second** (all ÷ span)", one, two, p -> "**" + fmt(p.perSecond, 1) + "**");
    row("steady state (revokes 10 %–90 % ÷ the time between them)", one, two,
        p -> "**" + fmt(p.steadyPerSecond, 1) + "**");
    row("grant end → REVOKED, p50 / p99 / max", one, two,
        p -> ms(p.endToRevoked, 0.5) + " / " + ms(p.endToRevoked, 0.99) + " / " + ms(p.endToRevoked, 1.0));
    for (String key : one.cpuSeconds.keySet()) {
      row("CPU per lifecycle: " + key, one, two, p -> p.cpuSeconds.containsKey(key)
          ? fmt(p.cpuSeconds.get(key) * 1000 / p.lifecycles, 2) + " ms" : "n/a");
    }
    if (two != null) {
      for (String key : two.cpuSeconds.keySet()) {
        if (!one.cpuSeconds.containsKey(key)) {
          row("CPU per lifecycle: " + key, one, two, p -> p.cpuSeconds.containsKey(key)
              ? fmt(p.cpuSeconds.get(key) * 1000 / p.lifecycles, 2) + " ms" : "n/a");
        }
      }
    }
    for (String key : one.db.keySet()) {
      row("PostgreSQL per lifecycle: " + key, one, two, p -> fmt((double) p.db.getOrDefault(key, 0L) / p.lifecycles, 1));
    }
    line("");
    line("Rows written (inserted + updated + deleted) per lifecycle, by table, one node:");
    line("");
    line("| table | rows per lifecycle |");
    line("|---|---|");
    one.tableWrites.forEach((table, rows) -> line("| " + table + " | " + fmt((double) rows / one.lifecycles, 2) + " |"));
    line("");
    line("Sequential scans in the one-node phase (rows read, by table): " + one.seqScans.entrySet().stream()
        .map(e -> "`" + e.getKey() + "` " + e.getValue()).collect(Collectors.joining("; ")) + ".");
    if (!one.profile.isEmpty()) {
      line("");
      line("Where node B's CPU went in the one-node phase (JFR execution samples; a sample counts for every"
          + " part found anywhere on its stack, so shares overlap):");
      line("");
      line("| part | share of samples |");
      line("|---|---|");
      one.profile.forEach(this::line);
    }
    line("");
    line("## Memory per node");
    line("");
    line("Heap used after a full GC (`System.gc()` / `jcmd GC.run`), " + HELD + " one-hour grants seeded in "
        + fmt(seedSeconds, 0) + " s (" + activeCount + " ACTIVE at the measurement). Node B's JVM also holds the"
        + " emulator (its users, assignments and request history) and the benchmark; node A holds only Airlock.");
    line("");
    line("| node | no grant active | " + HELD + " active | difference | per grant | load (`uptime`) |");
    line("|---|---|---|---|---|---|");
    memoryRow("B (this JVM: Airlock + emulator + benchmark)", heapNoneB, heapHeldB, loadNone + " / " + loadHeld);
    if (nodeA != null) {
      memoryRow("A (Airlock only)", heapNoneA, heapHeldA, loadNone + " / " + loadHeld);
    }
    line("");
    line("Settings: " + List.of("camunda.bpm.job-execution.core-pool-size", "camunda.bpm.job-execution.queue-capacity",
        "camunda.bpm.job-execution.max-jobs-per-acquisition", "camunda.bpm.job-execution.wait-time-in-millis",
        "camunda.bpm.job-execution.max-wait", "camunda.bpm.history-level", "spring.datasource.hikari.maximum-pool-size")
        .stream().map(k -> "`" + k + "`=" + env.getProperty(k, "(default)")).collect(Collectors.joining(", "))
        + "; JVM " + ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("-X")).collect(Collectors.joining(" ")) + " (both nodes' defaults otherwise)");

    Benchmarks.publish(report, "lifecycle-report.md");

    assertThat(one.revoked).as("one node: lifecycles completed").isEqualTo(LIFECYCLES);
    if (two != null) {
      assertThat(two.revoked).as("two nodes: lifecycles completed").isEqualTo(LIFECYCLES);
    }
    assertThat(held).hasSize(HELD);
  }

  // ---- one phase -----------------------------------------------------------------------------

  private Phase run(String name, List<String> users, int lifecycles, List<ApiClient> apis, Path jfr) throws Exception {
    String justification = "Lifecycle benchmark: " + name;
    Phase p = new Phase();
    p.name = name;
    p.lifecycles = lifecycles;
    p.loadBefore = uptime();
    Map<String, Long> dbBefore = dbCounters();
    Map<String, Long> tablesBefore = tableWrites();
    Map<String, Double> cpuBefore = cpu();
    if (jfr != null) {
      jcmd(ProcessHandle.current().pid(), "JFR.start", "name=lifecycle", "settings=profile",
          "filename=" + jfr.toAbsolutePath());
    }
    Instant start = Instant.now();
    long startNanos = System.nanoTime();
    submit(users, lifecycles, apis, DURATION, justification, new AtomicInteger());
    p.submitSeconds = (System.nanoTime() - startNanos) / 1e9;
    p.revoked = awaitStatus(justification, "REVOKED", lifecycles, Duration.ofMinutes(30));
    if (jfr != null) {
      jcmd(ProcessHandle.current().pid(), "JFR.stop", "name=lifecycle");
      p.profile = profile(jfr);
    }
    Map<String, Double> cpuAfter = cpu();
    cpuAfter.forEach((k, v) -> p.cpuSeconds.put(k, v - cpuBefore.getOrDefault(k, 0.0)));
    Thread.sleep(1500); // PostgreSQL publishes its statistics within a second of a transaction
    Map<String, Long> dbAfter = dbCounters();
    dbAfter.forEach((k, v) -> p.db.put(k, v - dbBefore.getOrDefault(k, 0L)));
    Map<String, Long> tablesAfter = tableWrites();
    tablesAfter.entrySet().stream().filter(e -> !e.getKey().contains(":"))
        .map(e -> Map.entry(e.getKey(), e.getValue() - tablesBefore.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(15)
        .forEach(e -> p.tableWrites.put(e.getKey(), e.getValue()));
    tablesAfter.entrySet().stream().filter(e -> e.getKey().startsWith("seq:"))
        .map(e -> Map.entry(e.getKey().substring(4), e.getValue() - tablesBefore.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
        .forEach(e -> p.seqScans.put(e.getKey(), e.getValue() + " rows in " + (tablesAfter.get("scans:" + e.getKey())
            - tablesBefore.getOrDefault("scans:" + e.getKey(), 0L)) + " sequential scans"));
    p.loadAfter = uptime();

    List<Instant> revokedAt = new ArrayList<>();
    List<Long> endToRevoked = new ArrayList<>();
    jdbc.query("SELECT grant_end, revoked_at FROM access_request WHERE justification = ? AND status = 'REVOKED'",
        rs -> {
          Timestamp end = rs.getTimestamp(1);
          Timestamp revoked = rs.getTimestamp(2);
          revokedAt.add(revoked.toInstant());
          endToRevoked.add(Duration.between(end.toInstant(), revoked.toInstant()).toNanos());
        }, justification);
    revokedAt.sort(Comparator.naturalOrder());
    Instant last = revokedAt.get(revokedAt.size() - 1);
    p.spanSeconds = Duration.between(start, last).toNanos() / 1e9;
    p.perSecond = revokedAt.size() / p.spanSeconds;
    int from = revokedAt.size() / 10;
    int to = revokedAt.size() * 9 / 10;
    double steadySeconds = Duration.between(revokedAt.get(from), revokedAt.get(to)).toNanos() / 1e9;
    p.steadyPerSecond = steadySeconds > 0 ? (to - from) / steadySeconds : Double.NaN;
    p.endToRevoked = endToRevoked.stream().mapToLong(Long::longValue).sorted().toArray();
    log(name + ": " + p.revoked + " lifecycles, " + fmt(p.perSecond, 1) + "/s (steady " + fmt(p.steadyPerSecond, 1)
        + "/s), submitted in " + fmt(p.submitSeconds, 1) + " s, load " + p.loadBefore + " → " + p.loadAfter
        + ", CPU " + p.cpuSeconds + ", db " + p.db);
    return p;
  }

  /** Each request by its principal for themselves, through the APIs in turn, SUBMITTERS at once. */
  private List<String> submit(List<String> users, int count, List<ApiClient> apis, String duration,
      String justification, AtomicInteger failures) throws Exception {
    List<Integer> indexes = IntStream.range(0, count).boxed().toList();
    return Benchmarks.inParallel(SUBMITTERS, indexes, i -> {
      String user = users.get(i / ACCOUNTS.size());
      String account = ACCOUNTS.get(i % ACCOUNTS.size());
      Reply r = apis.get(i % apis.size()).post(user, "/api/requests",
          People.request(account, user, "ReadOnlyAccess", duration, justification));
      if (r.status() != 201 || "PENDING_REVIEW".equals(r.body().path("status").asText())) {
        failures.incrementAndGet();
        throw new IllegalStateException("request refused or not auto-approved: " + r.status() + " " + r.raw());
      }
      return r.body().get("id").asText();
    });
  }

  private int awaitStatus(String justification, String status, int expected, Duration atMost) {
    long start = System.nanoTime();
    long[] lastLog = {start};
    Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
      long n = countWith(justification, status);
      if (System.nanoTime() - lastLog[0] > 10_000_000_000L) {
        log(justification + ": " + n + " of " + expected + " " + status + " after "
            + fmt((System.nanoTime() - start) / 1e9, 0) + " s; load " + uptime());
        lastLog[0] = System.nanoTime();
      }
      return n >= expected;
    });
    return (int) countWith(justification, status);
  }

  private long countWith(String justification, String status) {
    Long n = jdbc.queryForObject("SELECT count(*) FROM access_request WHERE justification = ? AND status = ?",
        Long.class, justification, status);
    return n == null ? 0 : n;
  }

  private long count(String status) {
    Long n = jdbc.queryForObject("SELECT count(*) FROM access_request WHERE status = ?", Long.class, status);
    return n == null ? 0 : n;
  }

  // ---- where the time goes ---------------------------------------------------------------------

  /** CPU seconds so far: this JVM, node A's JVM, and every PostgreSQL process. */
  private Map<String, Double> cpu() throws IOException {
    Map<String, Double> cpu = new LinkedHashMap<>();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    cpu.put("node B JVM (+ emulator + benchmark)", os.getProcessCpuTime() / 1e9);
    if (nodeA != null && nodeA.isAlive()) {
      cpu.put("node A JVM", Benchmarks.processCpuSeconds(nodeA.pid()));
    }
    Integer backend = jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);
    cpu.put("PostgreSQL (all processes)", Benchmarks.postgresCpuSeconds(backend));
    return cpu;
  }

  private Map<String, Long> dbCounters() {
    Map<String, Long> m = new LinkedHashMap<>();
    jdbc.query("SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_returned, tup_fetched"
        + " FROM pg_stat_database WHERE datname = current_database()", rs -> {
          m.put("transactions committed", rs.getLong(1));
          m.put("transactions rolled back", rs.getLong(2));
          m.put("rows inserted", rs.getLong(3));
          m.put("rows updated", rs.getLong(4));
          m.put("rows deleted", rs.getLong(5));
          m.put("rows read by scans (returned)", rs.getLong(6));
          m.put("rows fetched (index)", rs.getLong(7));
        });
    return m;
  }

  private Map<String, Long> tableWrites() {
    Map<String, Long> m = new HashMap<>();
    jdbc.query("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del, seq_scan, seq_tup_read FROM pg_stat_user_tables",
        rs -> {
          m.put(rs.getString(1), rs.getLong(2));
          m.put("seq:" + rs.getString(1), rs.getLong(4));
          m.put("scans:" + rs.getString(1), rs.getLong(3));
        });
    return m;
  }

  /** Parts of the application, found anywhere on a sampled stack. */
  static final Map<String, List<String>> PARTS = parts();

  private static Map<String, List<String>> parts() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("job executor (grant, timer, revoke jobs)", List.of("org.camunda.bpm.engine.impl.jobexecutor.ExecuteJobsRunnable"));
    m.put("HTTP requests (Tomcat: the API and the emulator's server is separate)", List.of("org.apache.catalina.connector.CoyoteAdapter"));
    m.put("the emulator (com.sun.net.httpserver)", List.of("sun.net.httpserver", "io.airlock.sandbox"));
    m.put("AWS SDK (client side)", List.of("software.amazon.awssdk"));
    m.put("JDBC driver (PostgreSQL)", List.of("org.postgresql"));
    m.put("MyBatis (Camunda's and Airlock's mappers)", List.of("org.apache.ibatis"));
    m.put("Camunda history", List.of("org.camunda.bpm.engine.impl.history"));
    m.put("DMN / FEEL", List.of("org.camunda.bpm.dmn", "org.camunda.feel"));
    m.put("Spring Security (sign-in, filters)", List.of("org.springframework.security"));
    m.put("password check", List.of("PasswordEncryptor", "checkPassword", "MessageDigest"));
    m.put("audit log (hash chain)", List.of("io.airlock.audit.AuditLog"));
    m.put("Jackson (JSON)", List.of("com.fasterxml.jackson"));
    m.put("logging", List.of("ch.qos.logback", "org.slf4j"));
    m.put("benchmark's own HTTP client", List.of("jdk.internal.net.http"));
    return m;
  }

  private static List<String> profile(Path jfr) throws IOException {
    Map<String, Integer> hits = new LinkedHashMap<>();
    PARTS.keySet().forEach(k -> hits.put(k, 0));
    Map<String, Integer> topFrames = new HashMap<>();
    int samples = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (!frames.isEmpty()) {
        RecordedFrame top = frames.get(0);
        topFrames.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
      }
      StringBuilder all = new StringBuilder();
      for (RecordedFrame f : frames) {
        all.append(f.getMethod().getType().getName()).append('.').append(f.getMethod().getName()).append('\n');
      }
      String stack = all.toString();
      PARTS.forEach((part, needles) -> {
        if (needles.stream().anyMatch(stack::contains)) {
          hits.merge(part, 1, Integer::sum);
        }
      });
    }
    int total = Math.max(1, samples);
    List<String> rows = new ArrayList<>();
    hits.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(h -> rows.add("| " + h.getKey() + " | " + fmt(100.0 * h.getValue() / total, 1) + " % |"));
    rows.add("| (" + samples + " samples; hottest methods, self: " + topFrames.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8)
        .map(t -> "`" + t.getKey() + "` " + fmt(100.0 * t.getValue() / total, 1) + " %")
        .collect(Collectors.joining(", ")) + ") | |");
    return rows;
  }

  // ---- memory --------------------------------------------------------------------------------

  private static long heapAfterGcHere() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private static long heapAfterGc(long pid) throws Exception {
    for (int i = 0; i < 3; i++) {
      jcmd(pid, "GC.run");
    }
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = USED.matcher(info);
    if (!m.find()) {
      throw new IllegalStateException("no heap figure in: " + info);
    }
    return Long.parseLong(m.group(1)) * 1024;
  }

  private static String jcmd(long pid, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid)));
    args.addAll(Arrays.asList(command));
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + String.join(" ", command) + ": " + out);
    }
    return out;
  }

  private void memoryRow(String node, long none, long held, String load) {
    line("| " + node + " | " + mib(none) + " | " + mib(held) + " | " + mib(held - none) + " | "
        + fmt((held - none) / (double) HELD / 1024, 2) + " KiB | " + load + " |");
  }

  private static String mib(long bytes) {
    return fmt(bytes / 1024.0 / 1024.0, 1) + " MiB";
  }

  // ---- set-up --------------------------------------------------------------------------------

  /** Requesters in Camunda (password airlock, for the API) who are users in the emulator too. */
  private List<String> createUsers(int count) throws Exception {
    log("creating " + count + " users...");
    long start = System.nanoTime();
    List<String> users = IntStream.range(0, count).mapToObj(i -> String.format("cycle-user-%05d", i)).toList();
    Benchmarks.inParallel(4, users, name -> {
      People.addRequester(sandbox, identity, properties.groups().requesters(), name, "Cycle", name);
      return name;
    });
    log(count + " users in " + fmt((System.nanoTime() - start) / 1e9, 0) + " s");
    return users;
  }

  /** Node A: the application's main class in a JVM of its own, as in ClusterIntegrationTest. */
  private Process startNodeA(int portA) throws IOException {
    String classPath = Arrays.stream(System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")).split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("test-classes/"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, AirlockApplication.class.getName(),
        "--server.port=" + portA,
        "--spring.datasource.url=" + dataSource.getJdbcUrl(),
        "--spring.datasource.username=" + dataSource.getUsername(),
        "--spring.datasource.password=",
        "--airlock.aws.sandbox.enabled=false",
        "--airlock.aws.endpoint=" + sandbox.endpoint(),
        "--airlock.aws.region=" + properties.aws().region()));
    command.addAll(NODE_SETTINGS);
    Path logFile = Path.of("target", "lifecycle-node-a.log");
    Files.createDirectories(logFile.getParent());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
    builder.environment().put("AWS_ACCESS_KEY_ID", "AKIASANDBOX000000000");
    builder.environment().put("AWS_SECRET_ACCESS_KEY", "sandbox-secret");
    Process process = builder.start();
    nodeA = process;
    HttpClient http = HttpClient.newHttpClient();
    Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
        .failFast("node A exited; see " + logFile.toAbsolutePath(), () -> !process.isAlive())
        .until(() -> {
          try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portA + "/actuator/health"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                    "admin:airlock".getBytes(StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
          } catch (IOException e) {
            return false;
          }
        });
    log("node A up on port " + portA + ", pid " + process.pid());
    return process;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  // ---- formatting ----------------------------------------------------------------------------

  static String uptime() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "n/a";
    }
  }

  static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  private void row(String name, Phase one, Phase two, java.util.function.Function<Phase, String> value) {
    line("| " + name + " | " + value.apply(one) + " |" + (two == null ? "" : " " + value.apply(two) + " |"));
  }

  private static String ms(long[] sorted, double p) {
    if (sorted.length == 0) {
      return "n/a";
    }
    int rank = (int) Math.ceil(p * sorted.length);
    long nanos = sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    return fmt(nanos / 1e6, 0) + " ms";
  }

  static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private void line(String s) {
    report.append(s).append('\n');
  }

  private static void log(String s) {
    System.out.println("[benchmark] " + s);
  }
}
