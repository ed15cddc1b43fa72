package io.airlock.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.ProcessEngineImpl;
import org.camunda.bpm.engine.impl.cfg.StandaloneInMemProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.jobexecutor.NotifyAcquisitionRejectedJobsHandler;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The priority lane's acquisition on a real engine (in-memory H2, no Spring context): while
 * Camunda's pool is saturated and its acquisition strategy asks for no job at all, a due job of
 * the lane's priority is still acquired and run on the lane, and no other job is taken for it.
 *
 * <p>"Slow" jobs stand for grant jobs whose AWS operation hangs (they block until released); the
 * "urgent" job stands for an expiry timer or revoke ({@code camunda:jobPriority="100"}).
 */
class PriorityLaneAcquisitionTest {

  static final int SLOW = 8;

  /** One engine for both tests (building one takes seconds); each test brings its job executor. */
  static StandaloneInMemProcessEngineConfiguration config;
  static ProcessEngine engine;
  static final Jobs JOBS = new Jobs();

  final ThreadPoolTaskExecutor mainPool = PriorityLaneJobExecutorTest.threadPool("camunda-", 1, 1);
  final ThreadPoolTaskExecutor lane = PriorityLaneJobExecutorTest.threadPool("lane-", 1, 1);
  PriorityLaneJobExecutor executor;

  /** The delegates' bean: {@code ${jobs.slow()}} blocks like a hanging grant, {@code ${jobs.urgent()}} counts. */
  public static class Jobs {
    volatile CountDownLatch releaseSlow;
    volatile CountDownLatch urgentRan;

    public void slow() throws InterruptedException {
      releaseSlow.await(1, TimeUnit.MINUTES);
    }

    volatile Instant lastUrgent;

    public void urgent() {
      lastUrgent = Instant.now();
      urgentRan.countDown();
    }
  }

  final CountDownLatch releaseSlow = JOBS.releaseSlow = new CountDownLatch(1);
  final CountDownLatch urgentRan = JOBS.urgentRan = new CountDownLatch(1);

  @BeforeAll
  static void buildEngine() {
    config = new StandaloneInMemProcessEngineConfiguration();
    config.setJdbcUrl("jdbc:h2:mem:lane-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=1000");
    config.setHistory("none");
    config.setDmnEnabled(false); // no decisions here: spares the FEEL engine's start
    config.setCmmnEnabled(false);
    config.setJobExecutorActivate(false); // each test registers its own
    config.setJobExecutorAcquireByPriority(true);
    config.setBeans(Map.of("jobs", JOBS));
    config.setProcessEngineName("lane-" + UUID.randomUUID());
    engine = config.buildProcessEngine();
  }

  @AfterAll
  static void closeEngine() {
    engine.close();
  }

  @AfterEach
  void stop() {
    releaseSlow.countDown();
    executor.shutdown();
    executor.unregisterProcessEngine((ProcessEngineImpl) engine);
    for (ThreadPoolTaskExecutor pool : List.of(mainPool, lane)) {
      pool.setWaitForTasksToCompleteOnShutdown(true); // no job still running when the next test begins
      pool.setAwaitTerminationSeconds(30);
      pool.shutdown();
    }
    engine.getRepositoryService().createDeploymentQuery().list()
        .forEach(d -> engine.getRepositoryService().deleteDeployment(d.getId(), true));
  }

  @Test
  void aDueLaneJobIsAcquiredAndRunWhileTheSaturatedPoolMakesCamundaAcquireNothing() {
    start(lane);
    for (int i = 0; i < SLOW; i++) {
      engine.getRuntimeService().startProcessInstanceByKey("slow");
    }
    // One slow job runs, one is queued, and acquisition holds the ones the pool refused (locked,
    // submitted again each cycle): Camunda's strategy now asks for max-jobs-per-acquisition minus
    // those, that is nothing.
    await().atMost(Duration.ofSeconds(20)).until(() -> lockedJobs() >= 4);

    engine.getRuntimeService().startProcessInstanceByKey("urgent");

    await().atMost(Duration.ofSeconds(10)).until(() -> urgentRan.getCount() == 0);
    assertThat(releaseSlow.getCount()).as("the slow jobs still hold Camunda's pool").isEqualTo(1);
    assertThat(lockedJobs()).as("no slow job was locked for the urgent one's sake").isLessThanOrEqualTo(4);
    // the lane's acquisition locked only the urgent job: the slow ones not acquired stay unlocked
    assertThat(engine.getManagementService().createJobQuery().processDefinitionKey("slow").count()
        - lockedJobs()).isEqualTo(SLOW - 4);
  }

  @Test
  void withoutTheLaneTheSameJobWaitsForTheSlowOnes() throws InterruptedException {
    start(null);
    for (int i = 0; i < SLOW; i++) {
      engine.getRuntimeService().startProcessInstanceByKey("slow");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> lockedJobs() >= 4);

    engine.getRuntimeService().startProcessInstanceByKey("urgent");

    // Camunda's own acquisition: the urgent job is not even acquired while the pool is saturated.
    assertThat(urgentRan.await(2, TimeUnit.SECONDS)).isFalse();
    releaseSlow.countDown();
    assertThat(urgentRan.await(20, TimeUnit.SECONDS)).as("runs once the slow jobs are done").isTrue();
  }

  @Test
  void anIdleAcquisitionWakesWhenTheNextExpiryTimerIsDueNotAtTheEndOfItsWait() throws InterruptedException {
    deploy();
    engine.getRuntimeService().startProcessInstanceByKey("timed");
    Date due = engine.getManagementService().createJobQuery().timers().singleResult().getDuedate();

    // Idle, Camunda's acquisition would look again only after 10 s: 8 s after the timer's due date.
    startExecutor(lane, 10_000);

    assertThat(urgentRan.await(5, TimeUnit.SECONDS)).as("the timer's job ran").isTrue();
    assertThat(JOBS.lastUrgent.toEpochMilli() - due.getTime()).as("ms after its due date").isLessThan(1000);
  }

  private long lockedJobs() {
    return engine.getManagementService().createJobQuery().processDefinitionKey("slow").acquired().count();
  }

  private void start(ThreadPoolTaskExecutor laneThreads) {
    deploy();
    startExecutor(laneThreads, 50);
  }

  private void deploy() {
    engine.getRepositoryService().createDeployment()
        .addModelInstance("slow.bpmn", process("slow", "${jobs.slow()}", "0"))
        .addModelInstance("urgent.bpmn", process("urgent", "${jobs.urgent()}", "100"))
        .addModelInstance("timed.bpmn", Bpmn.createExecutableProcess("timed").camundaHistoryTimeToLive(1)
            .startEvent()
            .intermediateCatchEvent("expiry").timerWithDuration("PT2S").camundaJobPriority("100")
            .serviceTask("revoke").camundaExpression("${jobs.urgent()}")
            .endEvent()
            .done())
        .deploy();
  }

  /** Camunda's job executor settings small: 2 jobs per acquisition, idle waits from {@code waitMillis}. */
  private void startExecutor(ThreadPoolTaskExecutor laneThreads, int waitMillis) {
    executor = new PriorityLaneJobExecutor(100, laneThreads);
    executor.setTaskExecutor(mainPool);
    executor.setRejectedJobsHandler(new NotifyAcquisitionRejectedJobsHandler());
    executor.setMaxJobsPerAcquisition(2);
    executor.setWaitTimeInMillis(waitMillis);
    executor.setMaxWait(Math.max(200, waitMillis));
    config.setJobExecutor(executor); // new jobs' hints go to it
    executor.registerProcessEngine((ProcessEngineImpl) engine);
    executor.start();
  }

  private static BpmnModelInstance process(String key, String expression, String priority) {
    return Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1)
        .startEvent()
        .serviceTask("work").camundaAsyncBefore().camundaJobPriority(priority).camundaExpression(expression)
        .endEvent()
        .done();
  }
}
