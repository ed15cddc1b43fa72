package io.airlock.process;

import java.util.Optional;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.camunda.bpm.engine.impl.jobexecutor.NotifyAcquisitionRejectedJobsHandler;
import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.camunda.bpm.spring.boot.starter.property.JobExecutionProperty;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * The job executor with its priority lane ({@link PriorityLaneJobExecutor}), in place of the
 * starter's ({@code DefaultJobConfiguration.JobConfiguration#jobExecutor}, which steps back for
 * any {@link JobExecutor} bean). Configured from {@code camunda.bpm.job-execution.*} as the
 * starter's is, on the starter's thread pool ({@code camundaTaskExecutor}); the lane's threads come
 * from {@code airlock.jobs.priority-lane.*}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "camunda.bpm.job-execution", name = "enabled", havingValue = "true",
    matchIfMissing = true)
class PriorityLaneConfiguration {

  /** The lane's threads, named so in thread dumps and logs. */
  static final String LANE_EXECUTOR = "priorityLaneTaskExecutor";

  @Bean(LANE_EXECUTOR)
  @ConditionalOnExpression("${airlock.jobs.priority-lane.threads:10} > 0")
  ThreadPoolTaskExecutor priorityLaneTaskExecutor(PriorityLaneProperties lane) {
    ThreadPoolTaskExecutor threads = new ThreadPoolTaskExecutor();
    threads.setCorePoolSize(lane.threads());
    threads.setMaxPoolSize(lane.threads());
    // A lane job waits here only while every thread of both pools is busy; a few places are
    // enough: beyond them it waits in Camunda's pool's queue instead, as it did without a lane.
    threads.setQueueCapacity(lane.threads());
    threads.setThreadNamePrefix("priority-lane-");
    return threads;
  }

  @Bean
  JobExecutor jobExecutor(@Qualifier("camundaTaskExecutor") TaskExecutor jobThreads, CamundaBpmProperties camunda,
      PriorityLaneProperties laneProperties,
      @Qualifier(LANE_EXECUTOR) ObjectProvider<ThreadPoolTaskExecutor> lane) {
    PriorityLaneJobExecutor executor = new PriorityLaneJobExecutor(laneProperties.minPriority(),
        laneProperties.enabled() ? lane.getIfAvailable() : null);
    executor.setTaskExecutor(jobThreads);
    executor.setRejectedJobsHandler(new NotifyAcquisitionRejectedJobsHandler());
    JobExecutionProperty p = camunda.getJobExecution();
    Optional.ofNullable(p.getLockTimeInMillis()).ifPresent(executor::setLockTimeInMillis);
    Optional.ofNullable(p.getMaxJobsPerAcquisition()).ifPresent(executor::setMaxJobsPerAcquisition);
    Optional.ofNullable(p.getWaitTimeInMillis()).ifPresent(executor::setWaitTimeInMillis);
    Optional.ofNullable(p.getMaxWait()).ifPresent(executor::setMaxWait);
    Optional.ofNullable(p.getBackoffTimeInMillis()).ifPresent(executor::setBackoffTimeInMillis);
    Optional.ofNullable(p.getMaxBackoff()).ifPresent(executor::setMaxBackoff);
    Optional.ofNullable(p.getBackoffDecreaseThreshold()).ifPresent(executor::setBackoffDecreaseThreshold);
    Optional.ofNullable(p.getWaitIncreaseFactor()).ifPresent(executor::setWaitIncreaseFactor);
    return executor;
  }
}
