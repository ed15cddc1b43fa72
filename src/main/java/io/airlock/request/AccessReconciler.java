package io.airlock.request;

import io.airlock.config.AirlockProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Defence in depth for "every grant ends". Finds requests whose process is gone (cancelled or
 * deleted behind Airlock's back, or a grant whose instance died) and hands any access they may
 * hold to a new process instance that revokes it; finds ACTIVE access past its end by more
 * than the grace period (a timer moved, a job suspended) and revokes it at once. A grant sent to
 * AWS but not confirmed has an end too (fixed when it was sent): the reconciler asks AWS after
 * {@code airlock.reconciler.unconfirmed-after} and confirms it when the assignment is there, and
 * revokes it at that end whatever its process does. Runs every
 * {@code airlock.reconciler.interval}, and right after an instance holding access is cancelled.
 * Safe on several nodes at once: every step re-checks the request under its row lock.
 */
@Service
public class AccessReconciler implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(AccessReconciler.class);
  private static final EnumSet<RequestStatus> OPEN = EnumSet.of(RequestStatus.SUBMITTED, RequestStatus.PENDING_REVIEW, RequestStatus.SCHEDULED,
      RequestStatus.GRANTING, RequestStatus.ACTIVE, RequestStatus.REVOKING);

  private final AccessRequestMapper requests;
  private final ProcessGone processGone;
  private final RequestWorkflow process;
  private final TransactionTemplate tx;
  private final MeterRegistry meters;
  private final Duration grace;
  private final Duration unconfirmedAfter;
  private final java.time.Clock clock;
  /**
   * Requests whose failed grant job should run again now (confirmed, or ended while in doubt), with
   * the passes left to try: the job's failure may be recorded just after the reconciler looked.
   */
  private final java.util.Map<String, Integer> resume = new java.util.concurrent.ConcurrentHashMap<>();
  private final ExecutorService soon = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "airlock-reconciler");
    t.setDaemon(true);
    return t;
  });

  AccessReconciler(AccessRequestMapper requests, ProcessGone processGone, RequestWorkflow process, TransactionTemplate tx,
      MeterRegistry meters, AirlockProperties properties, java.time.Clock clock) {
    this.clock = clock;
    this.requests = requests;
    this.processGone = processGone;
    this.process = process;
    this.tx = tx;
    this.meters = meters;
    this.grace = properties.reconciler().grace();
    this.unconfirmedAfter = properties.reconciler().unconfirmedAfter();
  }

  /** What one pass did. */
  public record Pass(int checked, int adopted, int revokedOverdue, int cancelled, int failed, int confirmed) {}

  /** One pass over every open request. */
  public Pass reconcile() {
    return reconcile(requests.findByStatus(OPEN));
  }

  /** Reconciles one request soon, on the reconciler's thread (after its process was cancelled). */
  public void reconcileSoon(String requestId) {
    soon.execute(() -> {
      try {
        requests.findById(requestId).ifPresent(r -> reconcile(List.of(r)));
      } catch (RuntimeException e) {
        log.warn("Reconciling request {} failed, the next pass retries: {}", requestId, e.toString());
      }
    });
  }

  private Pass reconcile(List<AccessRequest> open) {
    resumeFailedJobs();
    Set<String> running = process.running(open.stream().map(AccessRequest::getProcessInstanceId)
        .filter(Objects::nonNull).toList());
    int adopted = 0;
    int overdue = 0;
    int cancelled = 0;
    int failed = 0;
    int confirmed = 0;
    for (AccessRequest r : open) {
      // Its log lines carry the request id, as the engine's and the REST API's do (JSON logs).
      try (org.slf4j.MDC.MDCCloseable ignored = org.slf4j.MDC.putCloseable("airlock.request", r.getId())) {
        boolean gone = r.getProcessInstanceId() == null || !running.contains(r.getProcessInstanceId());
        if (gone && r.getStatus().mayHoldAccess()) {
          String former = r.getProcessInstanceId();
          tx.executeWithoutResult(s -> processGone.adoptForRevocation(r.getId(), former, process.startRevocation(r.getId())));
          meters.counter("airlock.reconciler.revocations", "reason", "process-gone").increment();
          log.warn("Request {} may hold access but its process {} is gone: a new instance revokes it", r.getId(), former);
          adopted++;
        } else if (gone) {
          tx.executeWithoutResult(s -> processGone.processEnded(r.getId(), r.getProcessInstanceId(),
              AccessLifecycle.RECONCILER_ACTOR));
          cancelled++;
        } else if (r.getStatus().mayHoldAccess() && r.getGrantEnd() != null) {
          // ACTIVE or REVOKING past its end, or GRANTING: sent to AWS (its end fixed then) but not confirmed.
          if (r.getGrantEnd().plus(grace).isBefore(clock.instant())
              && Boolean.TRUE.equals(tx.execute(s -> processGone.revokeOverdue(r.getId(), grace)))) {
            meters.counter("airlock.reconciler.revocations", "reason",
                r.getStatus() == RequestStatus.GRANTING ? "unconfirmed-grant-ended" : "overdue").increment();
            log.warn("Request {} was still {} after its end {}: revoked by the reconciler", r.getId(), r.getStatus(),
                r.getGrantEnd());
            overdue++;
            // Let the instance end too: if it waits for its timer, its revoke finds REVOKED; if its
            // grant job failed, it runs again, finds REVOKED and goes on to the (past) end.
            tx.executeWithoutResult(s -> process.requestRevoke(r.getId()));
            resumeSoon(r.getId());
          } else if (r.getStatus() == RequestStatus.GRANTING && r.getGrantStart() != null
              && r.getGrantStart().plus(unconfirmedAfter).isBefore(clock.instant())
              && Boolean.TRUE.equals(tx.execute(s -> processGone.confirmGrant(r.getId(), unconfirmedAfter)))) {
            meters.counter("airlock.reconciler.grants-confirmed").increment();
            confirmed++;
            // The grant's job (waiting for a retry, or in an incident) runs again, finds ACTIVE and
            // takes the instance to its timer at the recorded end.
            resumeSoon(r.getId());
          }
        }
      } catch (ConflictingStateException moved) {
        log.debug("Request {} moved on while being reconciled: {}", r.getId(), moved.getMessage());
      } catch (RuntimeException e) {
        failed++;
        meters.counter("airlock.reconciler.failures").increment();
        log.warn("Reconciling request {} failed, the next pass retries: {}", r.getId(), e.toString());
      }
    }
    return new Pass(open.size(), adopted, overdue, cancelled, failed, confirmed);
  }

  private void resumeSoon(String requestId) {
    resume.put(requestId, 3);
    resumeFailedJobs();
  }

  /** Lets the failed jobs of requests in {@link #resume} run again; each is tried in up to three passes. */
  private void resumeFailedJobs() {
    for (String id : List.copyOf(resume.keySet())) {
      try {
        int retried = process.retryFailedJobs(id);
        int left = resume.getOrDefault(id, 0) - 1;
        if (retried > 0 || left <= 0) {
          resume.remove(id);
        } else {
          resume.put(id, left);
        }
      } catch (RuntimeException e) {
        log.warn("Could not let the failed jobs of request {} run again, the next pass retries: {}", id, e.toString());
      }
    }
  }

  @Override
  public void destroy() {
    soon.shutdownNow();
  }
}
