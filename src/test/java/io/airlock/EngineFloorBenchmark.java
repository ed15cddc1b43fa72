package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.airlock.support.Benchmarks;
import io.airlock.support.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.StandaloneProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.jobexecutor.DefaultJobExecutor;
import org.camunda.bpm.engine.impl.persistence.StrongUuidGenerator;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.Test;

/**
 * What Camunda 7 alone costs for the shape of an Airlock lifecycle, on this machine: the floor
 * under {@link LifecycleThroughputBenchmark}. A benchmark, not a test ({@code mvn -Pbenchmark verify
 * -Dtest=EngineFloorBenchmark}, docs/benchmark.md); it asserts only that every instance completed.
 *
 * <p>The model has the lifecycle's path and nothing of Airlock: start with
 * {@code benchmark.floor-variables} string variables (Airlock's instances carry about twenty), three
 * no-op service tasks where Airlock registers the request and evaluates its two decisions, an
 * asynchronous no-op "grant", a parallel gateway, a user task with an interrupting {@code PT2S}
 * timer, an asynchronous no-op "revoke", end. A standalone engine (no Spring, no web, no
 * authorization, no audit, no AWS) on embedded PostgreSQL 15, history {@code full}, UUID ids and
 * the job executor sized as Airlock's ({@code application.yaml}). Eight threads start instances
 * through {@code RuntimeService} as fast as it returns; the figure is completed instances per
 * second and CPU per instance, of this JVM and of PostgreSQL.
 */
class EngineFloorBenchmark {

  static final int INSTANCES = Integer.getInteger("benchmark.lifecycles", 3000);
  static final int WARM_UP = Integer.getInteger("benchmark.warm-up", 1000);
  static final int STARTERS = Integer.getInteger("benchmark.submitters", 8);
  static final int VARIABLES = Integer.getInteger("benchmark.floor-variables", 20);
  static final String HISTORY = System.getProperty("benchmark.history", "full");

  @Test
  void completedLifecyclesPerSecond() throws Exception {
    try (EmbeddedPostgres pg = TestPostgres.start(); HikariDataSource ds = dataSource(pg)) {
      DefaultJobExecutor jobs = new DefaultJobExecutor();
      jobs.setCorePoolSize(20);
      jobs.setMaxPoolSize(20);
      jobs.setQueueSize(20);
      jobs.setMaxJobsPerAcquisition(10);
      jobs.setWaitTimeInMillis(1000);
      jobs.setMaxWait(5000);
      ProcessEngineConfigurationImpl config = (ProcessEngineConfigurationImpl) new StandaloneProcessEngineConfiguration()
          .setDataSource(ds)
          .setDatabaseSchemaUpdate("true")
          .setHistory(HISTORY)
          .setJobExecutorActivate(true);
      config.setIdGenerator(new StrongUuidGenerator());
      config.setJobExecutor(jobs);
      config.setMetricsEnabled(true);
      ProcessEngine engine = config.buildProcessEngine();
      try {
        engine.getRepositoryService().createDeployment().addModelInstance("floor.bpmn", model()).deploy();
        Map<String, Object> variables = new LinkedHashMap<>();
        IntStream.range(0, VARIABLES).forEach(i -> variables.put("variable" + i, "value of variable " + i));
        variables.put("requester", "floor-user");

        log("warming up: " + WARM_UP + " instances");
        run(engine, ds, WARM_UP, variables, "warm-up");
        String loadBefore = LifecycleThroughputBenchmark.uptime();
        Phase measured = run(engine, ds, INSTANCES, variables, "measured");
        String loadAfter = LifecycleThroughputBenchmark.uptime();

        StringBuilder report = new StringBuilder();
        report.append("# Camunda's floor for a lifecycle's shape\n\n");
        report.append("Run ").append(Instant.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
            .append(" cores (").append(LifecycleThroughputBenchmark.cpuModel()).append("), Java ")
            .append(System.getProperty("java.version")).append(", PostgreSQL 15 (embedded), Camunda standalone engine, history `")
            .append(HISTORY).append("`, ").append(VARIABLES + 1).append(" variables, ").append(STARTERS)
            .append(" starters, after ").append(WARM_UP).append(" warm-up instances.\n\n");
        report.append("| figure | value |\n|---|---|\n");
        report.append("| instances completed | ").append(measured.completed).append(" of ").append(INSTANCES).append(" |\n");
        report.append("| load average before → after (`uptime`) | ").append(loadBefore).append(" → ").append(loadAfter).append(" |\n");
        report.append("| first start → last end | ").append(fmt(measured.seconds, 1)).append(" s |\n");
        report.append("| **completed instances per second** | **").append(fmt(INSTANCES / measured.seconds, 1)).append("** |\n");
        report.append("| steady state (ends 10 %–90 % ÷ the time between them) | **").append(fmt(measured.steady, 1)).append("** |\n");
        report.append("| CPU per instance: this JVM (engine + starters) | ").append(fmt(measured.jvmCpu * 1000 / INSTANCES, 2)).append(" ms |\n");
        report.append("| CPU per instance: PostgreSQL (all processes) | ").append(fmt(measured.pgCpu * 1000 / INSTANCES, 2)).append(" ms |\n");
        report.append("| what 2 free cores would carry (2 s ÷ CPU per instance) | ").append(fmt(2.0 * INSTANCES / (measured.jvmCpu + measured.pgCpu), 1)).append(" /s |\n");
        measured.db.forEach((k, v) -> report.append("| PostgreSQL per instance: ").append(k).append(" | ")
            .append(fmt(v / (double) INSTANCES, 1)).append(" |\n"));
        Benchmarks.publish(report, "engine-floor-report.md");
        assertThat(measured.completed).isEqualTo(INSTANCES);
      } finally {
        engine.close();
      }
    }
  }

  /** The lifecycle's path with no-op work: the same transactions, jobs, task and timer as Airlock's. */
  static BpmnModelInstance model() {
    return Bpmn.createExecutableProcess("floor-lifecycle").camundaHistoryTimeToLive(180)
        .startEvent("requested")
        .serviceTask("register").camundaExpression("${true}")
        .serviceTask("checkScope").camundaExpression("${true}")
        .serviceTask("decideApproval").camundaExpression("${true}")
        .serviceTask("grant").camundaAsyncBefore().camundaExpression("${true}")
        .parallelGateway("granted")
        .userTask("manage").camundaAssignee("${requester}")
        .boundaryEvent("expired").timerWithDuration("PT2S")
        .serviceTask("revoke").camundaAsyncBefore().camundaExpression("${true}")
        .endEvent("revoked").camundaExecutionListenerClass("end", Ended.class)
        .moveToNode("manage").endEvent("endedByUser")
        .moveToNode("granted").endEvent("noPostReview")
        .done();
  }

  /** When each instance reached its end (in its transaction; the level {@code none} keeps no history). */
  static final Queue<Instant> ENDS = new ConcurrentLinkedQueue<>();

  public static class Ended implements ExecutionListener {
    @Override
    public void notify(DelegateExecution execution) {
      ENDS.add(Instant.now());
    }
  }

  record Phase(long completed, double seconds, double steady, double jvmCpu, double pgCpu, Map<String, Long> db) {
  }

  private Phase run(ProcessEngine engine, HikariDataSource ds, int count, Map<String, Object> variables, String name)
      throws Exception {
    ENDS.clear();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double jvm0 = os.getProcessCpuTime() / 1e9;
    double pg0 = pgCpu(ds);
    Map<String, Long> db0 = dbCounters(ds);
    Instant start = Instant.now();
    Benchmarks.inParallel(STARTERS, IntStream.range(0, count).boxed().toList(),
        i -> engine.getRuntimeService().startProcessInstanceByKey("floor-lifecycle", name + "-" + i, variables).getId());
    log(name + ": " + count + " started in " + Duration.between(start, Instant.now()).toMillis() + " ms");
    long deadline = System.currentTimeMillis() + Duration.ofMinutes(30).toMillis();
    long completed;
    while ((completed = ENDS.size()) < count && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    while (engine.getRuntimeService().createProcessInstanceQuery().count() > 0
        && System.currentTimeMillis() < deadline) { // the last ends' transactions commit
      Thread.sleep(50);
    }
    double jvm = os.getProcessCpuTime() / 1e9 - jvm0;
    double pgUsed = pgCpu(ds) - pg0;
    Map<String, Long> db = dbCounters(ds);
    db.replaceAll((k, v) -> v - db0.getOrDefault(k, 0L));
    List<Instant> ends = new ArrayList<>(ENDS);
    ends.sort(null);
    double seconds = ends.isEmpty() ? 0 : Duration.between(start, ends.get(ends.size() - 1)).toMillis() / 1000.0;
    double steady = 0;
    if (ends.size() >= 10) {
      int a = ends.size() / 10;
      int b = ends.size() * 9 / 10;
      steady = (b - a) / (Duration.between(ends.get(a), ends.get(b)).toMillis() / 1000.0);
    }
    log(name + ": " + completed + " completed in " + fmt(seconds, 1) + " s, steady " + fmt(steady, 1) + "/s, CPU "
        + fmt(jvm, 1) + " s JVM + " + fmt(pgUsed, 1) + " s PostgreSQL");
    return new Phase(completed, seconds, steady, jvm, pgUsed, db);
  }

  private static HikariDataSource dataSource(EmbeddedPostgres pg) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
    ds.setMaximumPoolSize(40);
    ds.setAutoCommit(false);
    return ds;
  }

  private static double pgCpu(HikariDataSource ds) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return Benchmarks.postgresCpuSeconds(rs.getInt(1));
    }
  }

  private static Map<String, Long> dbCounters(HikariDataSource ds) throws Exception {
    Map<String, Long> m = new LinkedHashMap<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rs = s.executeQuery("SELECT xact_commit, tup_inserted, tup_updated, tup_deleted FROM "
          + "pg_stat_database WHERE datname = current_database()")) {
        rs.next();
        m.put("transactions committed", rs.getLong(1));
        m.put("rows inserted", rs.getLong(2));
        m.put("rows updated", rs.getLong(3));
        m.put("rows deleted", rs.getLong(4));
      }
      c.commit();
    }
    return m;
  }

  private static String fmt(double v, int decimals) {
    return LifecycleThroughputBenchmark.fmt(v, decimals);
  }

  private static void log(String s) {
    System.out.println("[floor] " + Instant.now() + " " + s);
  }
}
