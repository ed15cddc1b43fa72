package io.airlock.process;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.impl.JobQueryImpl;
import org.camunda.bpm.engine.impl.ProcessEngineImpl;
import org.camunda.bpm.engine.impl.cmd.AcquireJobsCmd;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.jobexecutor.AcquiredJobs;
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
 */
public class PriorityLaneJobExecutor extends SpringJobExecutor {

  private static final Logger log = LoggerFactory.getLogger(PriorityLaneJobExecutor.class);

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
      acquireJobsCmdFactory = numJobs -> new LaneAcquireJobsCmd(numJobs);
    }
    super.ensureInitialization();
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

  /** Camunda's acquisition, then one query: which of the acquired jobs have the lane's priority. */
  final class LaneAcquireJobsCmd extends AcquireJobsCmd {

    LaneAcquireJobsCmd(int numJobsToAcquire) {
      super(PriorityLaneJobExecutor.this, numJobsToAcquire);
    }

    @Override
    public AcquiredJobs execute(CommandContext commandContext) {
      AcquiredJobs acquired = super.execute(commandContext);
      Set<String> ids = jobIds(acquired);
      if (ids.isEmpty()) {
        return acquired;
      }
      JobQueryImpl laneJobs = new JobQueryImpl();
      laneJobs.jobIds(ids);
      laneJobs.priorityHigherThanOrEquals(minPriority);
      // (deployment id, job id) of each: Camunda's lightest job query by criteria, ids only.
      Set<String> laneJobIds = commandContext.getJobManager().findDeploymentIdMappingsByQueryCriteria(laneJobs)
          .stream().map(mapping -> mapping.getRight()).collect(Collectors.toSet());
      routeToLane(acquired, laneJobIds);
      return acquired;
    }
  }
}
