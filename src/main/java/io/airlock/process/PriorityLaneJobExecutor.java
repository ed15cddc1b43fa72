package io.airlock.process;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.impl.JobQueryImpl;
import org.camunda.bpm.engine.impl.Page;
import org.camunda.bpm.engine.impl.ProcessEngineImpl;
import org.camunda.bpm.engine.impl.cmd.AcquireJobsCmd;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.jobexecutor.AcquiredJobs;
import org.camunda.bpm.engine.impl.jobexecutor.BackoffJobAcquisitionStrategy;
import org.camunda.bpm.engine.impl.jobexecutor.JobAcquisitionContext;
import org.camunda.bpm.engine.impl.jobexecutor.JobAcquisitionStrategy;
import org.camunda.bpm.engine.impl.jobexecutor.SequentialJobAcquisitionRunnable;
import org.camunda.bpm.engine.impl.persistence.entity.AcquirableJobEntity;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.spring.components.jobexecutor.SpringJobExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Camunda's Spring job executor with a priority lane: jobs of at least a minimum priority (the
 * access-expired timer and the revoke, {@code camunda:jobPriority="100"}) run on a small thread
 * pool of their own, which grant jobs never occupy, so a due revoke does not wait for a job thread
 * behind grants that each hold theirs for AWS's operation.
 *
 * <p>Acquisition is Camunda's (by priority, timers first; {@code camunda.bpm.job-execution.*}),
 * with one query more in the same transaction: which of the jobs just acquired have the lane's
 * priority. Camunda hands acquired jobs to {@link #executeJobs} in batches: a non-exclusive job
 * alone, the exclusive jobs of one process instance together (they must run one after the other,
 * on one thread). A batch holding a job of the lane's priority becomes a {@link LaneBatch} and is
 * moved to the front of the cycle's batches; the mark travels with the list, also through
 * Camunda's rejected-jobs handling, which hands the same list back in the next cycle.
 *
 * <p>A lane batch runs on a free lane thread; when the lane is busy and Camunda's pool has a free
 * thread, there (many revokes at once, idle node); when both are busy, it waits in the lane's queue,
 * and when that is full, in Camunda's pool's queue as before. Only when that refuses too does
 * Camunda's rejected-jobs handler take it (kept locked, submitted again in the next cycle). Other
 * batches go to Camunda's pool only, exactly as with {@link SpringJobExecutor}.
 *
 * <p>Acquisition keeps looking for the lane's jobs while Camunda's pool is saturated. Camunda's
 * {@code BackoffJobAcquisitionStrategy} takes the batches its pool refused off the next cycle's
 * size, so while grants hold every thread and queue place it acquires nothing at all, and a due
 * expiry timer would wait for grants to drain although the lane is idle. In such a cycle this
 * executor acquires only jobs of the lane's priority, as many as the lane has room for
 * ({@link LaneAcquisitionRunnable}); it locks no other job, so no grant is taken only to be
 * refused. And an idle acquisition, whose wait Camunda grows to {@code max-wait}, sleeps no
 * longer than until the next job of the lane's priority falls due.
 */
public class PriorityLaneJobExecutor extends SpringJobExecutor {

  private static final Logger log = LoggerFactory.getLogger(PriorityLaneJobExecutor.class);

  /** Wake this long after a timer's due date, so that the acquisition finds it due. */
  static final long DUE_MARGIN_MILLIS = 10;

  private final long minPriority;
  private final ThreadPoolTaskExecutor lane;

  /**
   * @param minPriority the lowest priority that goes to the lane
   * @param lane        the lane's threads; null: no lane (exactly Camunda's job executor)
   */
  public PriorityLaneJobExecutor(long minPriority, ThreadPoolTaskExecutor lane) {
    this.minPriority = minPriority;
    this.lane = lane;
  }

  /** The lane's threads, or null when there is no lane. */
  public ThreadPoolTaskExecutor getLane() {
    return lane;
  }

  @Override
  protected void ensureInitialization() {
    // The base class clears the factory at every shutdown and falls back to its own at start.
    if (lane != null) {
      acquireJobsCmdFactory = numJobs -> new LaneAcquireJobsCmd(numJobs, false);
    }
    super.ensureInitialization();
    if (lane != null) {
      acquireJobsRunnable = new LaneAcquisitionRunnable();
    }
  }

  @Override
  public void executeJobs(List<String> jobIds, ProcessEngineImpl processEngine) {
    if (lane != null && jobIds instanceof LaneBatch) {
      boolean laneFree = hasFreeThread(lane);
      if (laneFree || !hasFreeThread(getTaskExecutor())) {
        try {
          lane.execute(getExecuteJobsRunnable(jobIds, processEngine));
          if (log.isDebugEnabled()) {
            log.debug("Jobs {} to the priority lane ({} running, {} queued)", jobIds, lane.getActiveCount(),
                lane.getQueueSize());
          }
          return;
        } catch (RejectedExecutionException laneFull) {
          // the lane's queue is full: Camunda's pool, as without a lane
        }
      }
      log.debug("Jobs {} of the priority lane to Camunda's pool (lane free: {})", jobIds, laneFree);
    }
    super.executeJobs(jobIds, processEngine);
  }

  /** How many more batches the lane takes now: free threads and free places in its queue. */
  static int room(ThreadPoolTaskExecutor lane) {
    if (lane == null || lane.getThreadPoolExecutor() == null) {
      return 0;
    }
    return Math.max(0, lane.getMaxPoolSize() + lane.getQueueCapacity() - lane.getActiveCount() - lane.getQueueSize());
  }

  /** A thread that would start the job now: not all threads busy and nothing queued before it. */
  static boolean hasFreeThread(TaskExecutor executor) {
    if (!(executor instanceof ThreadPoolTaskExecutor pool) || pool.getThreadPoolExecutor() == null) {
      return false;
    }
    return pool.getActiveCount() + pool.getQueueSize() < pool.getMaxPoolSize();
  }

  /**
   * Marks the batches holding a job of {@code laneJobIds} as {@link LaneBatch} and moves them to
   * the front, in place (the order among lane batches and among the others is kept).
   */
  static void routeToLane(AcquiredJobs acquired, Set<String> laneJobIds) {
    if (laneJobIds.isEmpty()) {
      return;
    }
    List<List<String>> batches = acquired.getJobIdBatches();
    List<List<String>> laneBatches = new ArrayList<>();
    List<List<String>> others = new ArrayList<>();
    for (List<String> batch : batches) {
      if (batch.stream().anyMatch(laneJobIds::contains)) {
        laneBatches.add(batch instanceof LaneBatch ? batch : new LaneBatch(batch));
      } else {
        others.add(batch);
      }
    }
    batches.clear();
    batches.addAll(laneBatches);
    batches.addAll(others);
  }

  static Set<String> jobIds(AcquiredJobs acquired) {
    Set<String> ids = new HashSet<>();
    acquired.getJobIdBatches().forEach(ids::addAll);
    return ids;
  }

  /** A batch of job ids for the lane: the list type is the mark. */
  static final class LaneBatch extends ArrayList<String> {
    LaneBatch(Collection<String> jobIds) {
      super(jobIds);
    }
  }

  /**
   * Camunda's acquisition loop; in a cycle where Camunda's strategy would acquire nothing because
   * its pool refused the batches it holds, an acquisition of the lane's jobs alone.
   */
  final class LaneAcquisitionRunnable extends SequentialJobAcquisitionRunnable {

    LaneAcquisitionRunnable() {
      super(PriorityLaneJobExecutor.this);
    }

    /**
     * Camunda's back-off, but an idle acquisition sleeps no longer than until the next job of the
     * lane's priority falls due (an expiry timer): idle, Camunda's wait grows to {@code max-wait}
     * and a timer due meanwhile would wait for the end of that sleep. A timer created during a
     * sleep is seen at the next cycle; grants last at least {@code airlock.request.min-duration}
     * (15 minutes), far longer than a sleep.
     */
    @Override
    protected JobAcquisitionStrategy initializeAcquisitionStrategy() {
      return new BackoffJobAcquisitionStrategy(PriorityLaneJobExecutor.this) {
        @Override
        public long getWaitTime() {
          long wait = super.getWaitTime();
          return wait <= 0 ? wait : Math.min(wait, untilNextLaneJob());
        }
      };
    }

    /**
     * Milliseconds from this cycle's start (from which Camunda counts the wait) until a little
     * after the next job of the lane's priority is due, or max. Jobs due after the cycle started
     * count: its acquisition may have missed them.
     */
    private long untilNextLaneJob() {
      long cycleStart = acquisitionContext.getAcquisitionTime();
      long until = Long.MAX_VALUE;
      try {
        for (Iterator<ProcessEngineImpl> engines = engineIterator(); engines.hasNext(); ) {
          List<Job> next = engines.next().getManagementService().createJobQuery()
              .priorityHigherThanOrEquals(minPriority).active().withRetriesLeft()
              .duedateHigherThan(new Date(cycleStart)).orderByJobDuedate().asc().listPage(0, 1);
          if (!next.isEmpty()) {
            until = Math.min(until, next.get(0).getDuedate().getTime() - cycleStart + DUE_MARGIN_MILLIS);
          }
        }
      } catch (RuntimeException e) {
        // One line: when the database is down this repeats every cycle, beside Camunda's own
        // acquisition failure, which already carries the stack trace.
        Throwable cause = e;
        while (cause.getCause() != null) {
          cause = cause.getCause();
        }
        log.warn("Could not read when the next expiry timer is due ({}); the acquisition keeps Camunda's wait",
            cause.getMessage());
      }
      return until;
    }

    @Override
    protected AcquiredJobs acquireJobs(JobAcquisitionContext context, JobAcquisitionStrategy strategy,
        ProcessEngineImpl engine) {
      int room = room(lane);
      if (strategy.getNumJobsToAcquire(engine.getName()) > 0 || room == 0) {
        return super.acquireJobs(context, strategy, engine);
      }
      AcquiredJobs acquired = engine.getProcessEngineConfiguration().getCommandExecutorTxRequired()
          .execute(new LaneAcquireJobsCmd(room, true));
      context.submitAcquiredJobs(engine.getName(), acquired);
      if (!acquired.getJobIdBatches().isEmpty()) {
        log.debug("Pool saturated: acquired {} for the priority lane", acquired.getJobIdBatches());
      }
      return acquired;
    }
  }

  /**
   * Camunda's acquisition, then one query: which of the acquired jobs have the lane's priority.
   * With {@code laneOnly}, the same due jobs are read (by priority first:
   * {@code jobExecutorAcquireByPriority}) but only the lane's are locked, and the result counts as
   * a cycle that asked for none (so Camunda's strategy neither idles nor backs off for it).
   */
  final class LaneAcquireJobsCmd extends AcquireJobsCmd {

    private final boolean laneOnly;

    LaneAcquireJobsCmd(int numJobsToAcquire, boolean laneOnly) {
      super(PriorityLaneJobExecutor.this, numJobsToAcquire);
      this.laneOnly = laneOnly;
    }

    @Override
    public AcquiredJobs execute(CommandContext commandContext) {
      if (laneOnly) {
        return acquireLaneJobsOnly(commandContext);
      }
      AcquiredJobs acquired = super.execute(commandContext);
      routeToLane(acquired, laneJobIds(commandContext, jobIds(acquired)));
      return acquired;
    }

    /** {@link AcquireJobsCmd#execute}, locking only the lane's jobs among those due. */
    private AcquiredJobs acquireLaneJobsOnly(CommandContext commandContext) {
      acquiredJobs = new AcquiredJobs(0);
      List<AcquirableJobEntity> due = commandContext.getJobManager()
          .findNextJobsToExecute(new Page(0, numJobsToAcquire));
      Set<String> laneJobIds = laneJobIds(commandContext,
          due.stream().map(AcquirableJobEntity::getId).collect(Collectors.toSet()));
      boolean overHierarchies = isAcquireExclusiveOverProcessHierarchies(commandContext);
      Map<String, List<String>> exclusiveByInstance = new LinkedHashMap<>();
      for (AcquirableJobEntity job : due) {
        if (!laneJobIds.contains(job.getId())) {
          continue;
        }
        lockJob(job);
        if (job.isExclusive()) {
          exclusiveByInstance.computeIfAbsent(selectProcessInstanceId(job, overHierarchies), key -> new ArrayList<>())
              .add(job.getId());
        } else {
          acquiredJobs.addJobIdBatch(job.getId());
        }
      }
      exclusiveByInstance.values().forEach(acquiredJobs::addJobIdBatch);
      // a job another node locked first leaves the list (AcquireJobsCmd#failedOperation)
      commandContext.getDbEntityManager().registerOptimisticLockingListener(this);
      routeToLane(acquiredJobs, laneJobIds);
      return acquiredJobs;
    }

    /** Which of {@code ids} have the lane's priority. */
    private Set<String> laneJobIds(CommandContext commandContext, Set<String> ids) {
      if (ids.isEmpty()) {
        return Set.of();
      }
      JobQueryImpl laneJobs = new JobQueryImpl();
      laneJobs.jobIds(ids);
      laneJobs.priorityHigherThanOrEquals(minPriority);
      // (deployment id, job id) of each: Camunda's lightest job query by criteria, ids only.
      return commandContext.getJobManager().findDeploymentIdMappingsByQueryCriteria(laneJobs)
          .stream().map(mapping -> mapping.getRight()).collect(Collectors.toSet());
    }
  }
}
