package io.airlock.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.process.PriorityLaneJobExecutor.LaneBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.camunda.bpm.engine.impl.ProcessEngineImpl;
import org.camunda.bpm.engine.impl.jobexecutor.AcquiredJobs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The priority lane's routing, without an engine: which acquired batches are the lane's, and on
 * which threads a batch runs while grant jobs hold Camunda's pool.
 */
class PriorityLaneJobExecutorTest {

  // ---- routing: which batches go to the lane ----------------------------------------------------

  @Test
  void batchesHoldingALaneJobAreMarkedAndGoFirstInTheirOrder() {
    AcquiredJobs acquired = new AcquiredJobs(10);
    acquired.addJobIdBatch("grant-1");
    acquired.addJobIdBatch("timer-1");
    acquired.addJobIdBatch(new ArrayList<>(List.of("grant-2", "revoke-2"))); // one instance's exclusive jobs
    acquired.addJobIdBatch("grant-3");
    acquired.addJobIdBatch("revoke-4");

    PriorityLaneJobExecutor.routeToLane(acquired, Set.of("timer-1", "revoke-2", "revoke-4"));

    List<List<String>> batches = acquired.getJobIdBatches();
    assertThat(batches).containsExactly(List.of("timer-1"), List.of("grant-2", "revoke-2"), List.of("revoke-4"),
        List.of("grant-1"), List.of("grant-3"));
    assertThat(batches.subList(0, 3)).allMatch(LaneBatch.class::isInstance);
    assertThat(batches.subList(3, 5)).noneMatch(LaneBatch.class::isInstance);
    // the mark survives Camunda's bookkeeping (a job that failed to lock leaves its batch)
    acquired.removeJobId("grant-2");
    assertThat(acquired.getJobIdBatches().get(1)).isInstanceOf(LaneBatch.class).containsExactly("revoke-2");
  }

  @Test
  void withoutLaneJobsTheBatchesStayAsAcquired() {
    AcquiredJobs acquired = new AcquiredJobs(10);
    acquired.addJobIdBatch("grant-1");
    acquired.addJobIdBatch("grant-2");
    List<List<String>> before = List.copyOf(acquired.getJobIdBatches());

    PriorityLaneJobExecutor.routeToLane(acquired, Set.of());

    assertThat(acquired.getJobIdBatches()).containsExactlyElementsOf(before);
    assertThat(acquired.getJobIdBatches()).noneMatch(LaneBatch.class::isInstance);
  }

  // ---- dispatch: which threads run a batch ------------------------------------------------------

  final CountDownLatch release = new CountDownLatch(1);
  final Map<String, String> ranOn = new ConcurrentHashMap<>();
  final List<List<String>> rejected = new CopyOnWriteArrayList<>();
  final List<ThreadPoolTaskExecutor> pools = new ArrayList<>();

  @AfterEach
  void stopPools() {
    release.countDown();
    pools.forEach(ThreadPoolTaskExecutor::shutdown);
  }

  @Test
  void aLaneBatchRunsAtOnceWhileGrantsHoldEveryThreadAndQueuePlaceOfCamundasPool() {
    PriorityLaneJobExecutor executor = executor(pool("camunda-", 2, 2), pool("lane-", 1, 1));
    fillWithGrants(executor, 4); // 2 running, 2 queued
    executor.executeJobs(List.of("grant-5"), null);
    assertThat(rejected).containsExactly(List.of("grant-5"));

    executor.executeJobs(new LaneBatch(List.of("revoke-1")), null);

    await().atMost(Duration.ofSeconds(5)).until(() -> ranOn.containsKey("revoke-1"));
    assertThat(ranOn.get("revoke-1")).startsWith("lane-");
    assertThat(ranOn).doesNotContainKeys("grant-3", "grant-4");
  }

  @Test
  void grantsNeverRunOnTheLaneEvenWhenItIsIdle() {
    PriorityLaneJobExecutor executor = executor(pool("camunda-", 1, 1), pool("lane-", 2, 2));
    fillWithGrants(executor, 2);
    executor.executeJobs(List.of("grant-3"), null);

    assertThat(rejected).containsExactly(List.of("grant-3"));
    assertThat(executor.getLane().getActiveCount()).isZero();
  }

  @Test
  void whenTheLaneIsBusyALaneBatchTakesAFreeThreadOfCamundasPool() {
    PriorityLaneJobExecutor executor = executor(pool("camunda-", 2, 2), pool("lane-", 1, 1));
    executor.executeJobs(new LaneBatch(List.of("revoke-1")), null); // holds the lane's only thread
    await().atMost(Duration.ofSeconds(5)).until(() -> ranOn.containsKey("revoke-1"));

    executor.executeJobs(new LaneBatch(List.of("revoke-2")), null);

    await().atMost(Duration.ofSeconds(5)).until(() -> ranOn.containsKey("revoke-2"));
    assertThat(ranOn.get("revoke-2")).startsWith("camunda-");
  }

  @Test
  void whenBothAreBusyALaneBatchQueuesInTheLaneThenInCamundasPoolThenIsRejected() {
    PriorityLaneJobExecutor executor = executor(pool("camunda-", 1, 1), pool("lane-", 1, 1));
    fillWithGrants(executor, 2);
    executor.executeJobs(new LaneBatch(List.of("revoke-1")), null); // runs on the lane
    executor.executeJobs(new LaneBatch(List.of("revoke-2")), null); // the lane's queue
    await().atMost(Duration.ofSeconds(5)).until(() -> ranOn.containsKey("revoke-1"));
    assertThat(executor.getLane().getQueueSize()).isEqualTo(1);

    executor.executeJobs(new LaneBatch(List.of("revoke-3")), null); // Camunda's queue is full: refused
    assertThat(rejected).containsExactly(List.of("revoke-3"));

    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> ranOn.containsKey("revoke-2"));
    assertThat(ranOn.get("revoke-2")).startsWith("lane-");
  }

  @Test
  void withoutALaneEveryBatchGoesToCamundasPool() {
    PriorityLaneJobExecutor executor = executor(pool("camunda-", 1, 1), null);
    executor.executeJobs(new LaneBatch(List.of("revoke-1")), null);

    await().atMost(Duration.ofSeconds(5)).until(() -> ranOn.containsKey("revoke-1"));
    assertThat(ranOn.get("revoke-1")).startsWith("camunda-");
  }

  private void fillWithGrants(PriorityLaneJobExecutor executor, int count) {
    for (int i = 1; i <= count; i++) {
      executor.executeJobs(List.of("grant-" + i), null);
    }
    assertThat(rejected).isEmpty();
  }

  private PriorityLaneJobExecutor executor(ThreadPoolTaskExecutor camunda, ThreadPoolTaskExecutor lane) {
    PriorityLaneJobExecutor executor = new PriorityLaneJobExecutor(100, lane) {
      @Override
      public Runnable getExecuteJobsRunnable(List<String> jobIds, ProcessEngineImpl engine) {
        // A job that holds its thread until released, as a grant job holds it for AWS's operation.
        return () -> {
          jobIds.forEach(id -> ranOn.put(id, Thread.currentThread().getName()));
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
      }
    };
    executor.setTaskExecutor(camunda);
    executor.setRejectedJobsHandler((jobIds, engine, jobExecutor) -> rejected.add(jobIds));
    return executor;
  }

  private ThreadPoolTaskExecutor pool(String prefix, int threads, int queue) {
    ThreadPoolTaskExecutor pool = threadPool(prefix, threads, queue);
    pools.add(pool);
    return pool;
  }

  /** A started pool of fixed size with a bounded queue, as the job executor's pools are. */
  static ThreadPoolTaskExecutor threadPool(String prefix, int threads, int queue) {
    ThreadPoolTaskExecutor pool = new ThreadPoolTaskExecutor();
    pool.setCorePoolSize(threads);
    pool.setMaxPoolSize(threads);
    pool.setQueueCapacity(queue);
    pool.setThreadNamePrefix(prefix);
    pool.initialize();
    return pool;
  }
}
