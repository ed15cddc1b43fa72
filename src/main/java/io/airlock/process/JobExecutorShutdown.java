package io.airlock.process;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.stream.Stream;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * Graceful shutdown of a node: the jobs in hand are finished or handed back, not left locked.
 *
 * <p>Left to itself, a closing context hurts the cluster: the starter's job thread pool
 * ({@code camundaTaskExecutor}) shuts down as soon as the context-closed event arrives, before
 * the engine stops, with {@code shutdownNow()}. Jobs the node had acquired but not started are
 * dropped while still locked, so no other node takes them until their lock expires
 * ({@code lock-time-in-millis}); jobs running are interrupted and count a failed attempt.
 *
 * <p>This listener runs first on that event: it stops job acquisition (the engine's
 * {@link JobExecutor#shutdown()}); every acquired job not yet started is then unlocked by its
 * thread instead of executed ({@code ExecuteJobsRunnable} does so once the executor is inactive),
 * and the jobs running finish. It waits for both, up to {@code airlock.cluster.shutdown-grace};
 * what still runs after that is interrupted and retried by a node later. The same holds for the
 * priority lane's threads ({@link PriorityLaneJobExecutor}), which close on the same event.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class JobExecutorShutdown implements ApplicationListener<ContextClosedEvent> {

  private static final Logger log = LoggerFactory.getLogger(JobExecutorShutdown.class);

  private final ProcessEngineConfigurationImpl engineConfiguration;
  private final List<ThreadPoolTaskExecutor> jobThreads;
  private final Duration grace;

  JobExecutorShutdown(ProcessEngineConfigurationImpl engineConfiguration,
      @Qualifier("camundaTaskExecutor") ObjectProvider<TaskExecutor> jobThreads,
      @Qualifier(PriorityLaneConfiguration.LANE_EXECUTOR) ObjectProvider<TaskExecutor> laneThreads,
      io.airlock.config.AirlockProperties properties) {
    Duration grace = properties.cluster().shutdownGrace();
    this.engineConfiguration = engineConfiguration;
    this.jobThreads = Stream.of(jobThreads.getIfAvailable(), laneThreads.getIfAvailable())
        .filter(ThreadPoolTaskExecutor.class::isInstance).map(ThreadPoolTaskExecutor.class::cast).toList();
    this.grace = grace;
  }

  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    JobExecutor jobExecutor = engineConfiguration.getJobExecutor();
    if (jobExecutor == null || !jobExecutor.isActive()) {
      return;
    }
    jobExecutor.shutdown();
    if (jobThreads.isEmpty()) {
      return;
    }
    List<ThreadPoolExecutor> pools = jobThreads.stream().map(ThreadPoolTaskExecutor::getThreadPoolExecutor).toList();
    long deadline = System.nanoTime() + grace.toNanos();
    log.info("Job acquisition stopped; finishing {} running jobs and handing back {} queued batches",
        pools.stream().mapToInt(ThreadPoolExecutor::getActiveCount).sum(),
        pools.stream().mapToInt(p -> p.getQueue().size()).sum());
    while (pools.stream().anyMatch(p -> p.getActiveCount() > 0 || !p.getQueue().isEmpty())) {
      if (System.nanoTime() > deadline) {
        log.warn("{} jobs still running after {}: they are interrupted and retried later",
            pools.stream().mapToInt(ThreadPoolExecutor::getActiveCount).sum(), grace);
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    log.info("Jobs in hand finished or handed back");
  }
}
