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
 * than the grace period (a timer moved, a job suspended) and revokes it at once. Runs every
 * {@code airlock.reconciler.interval}, and right after an instance holding access is cancelled.
 * Safe on several nodes at once: every step re-checks the request under its row lock.
 */
@Service
public class AccessReconciler implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(AccessReconciler.class);
  private static final EnumSet<RequestStatus> OPEN = EnumSet.of(RequestStatus.SUBMITTED, RequestStatus.PENDING_REVIEW, RequestStatus.SCHEDULED,
      RequestStatus.GRANTING, RequestStatus.ACTIVE, RequestStatus.REVOKING);

  private final AccessRequestMapper requests;
  private final AccessLifecycle lifecycle;
  private final AccessProcess process;
  private final TransactionTemplate tx;
  private final MeterRegistry meters;
  private final Duration grace;
  private final java.time.Clock clock;
  private final ExecutorService soon = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "airlock-reconciler");
    t.setDaemon(true);
    return t;
  });

  AccessReconciler(AccessRequestMapper requests, AccessLifecycle lifecycle, AccessProcess process, TransactionTemplate tx,
      MeterRegistry meters, AirlockProperties properties, java.time.Clock clock) {
    this.clock = clock;
    this.requests = requests;
    this.lifecycle = lifecycle;
    this.process = process;
    this.tx = tx;
    this.meters = meters;
    this.grace = properties.reconciler().grace();
  }

  /** What one pass did. */
  public record Pass(int checked, int adopted, int revokedOverdue, int cancelled, int failed) {}

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
    Set<String> running = process.running(open.stream().map(AccessRequest::getProcessInstanceId)
        .filter(Objects::nonNull).toList());
    int adopted = 0;
    int overdue = 0;
    int cancelled = 0;
    int failed = 0;
    for (AccessRequest r : open) {
      // Its log lines carry the request id, as the engine's and the REST API's do (JSON logs).
      try (org.slf4j.MDC.MDCCloseable ignored = org.slf4j.MDC.putCloseable("airlock.request", r.getId())) {
        boolean gone = r.getProcessInstanceId() == null || !running.contains(r.getProcessInstanceId());
        if (gone && r.getStatus().mayHoldAccess()) {
          String former = r.getProcessInstanceId();
          tx.executeWithoutResult(s -> lifecycle.adoptForRevocation(r.getId(), former, process.startRevocation(r.getId())));
          meters.counter("airlock.reconciler.revocations", "reason", "process-gone").increment();
          log.warn("Request {} may hold access but its process {} is gone: a new instance revokes it", r.getId(), former);
          adopted++;
        } else if (gone) {
          tx.executeWithoutResult(s -> lifecycle.processEnded(r.getId(), r.getProcessInstanceId(),
              AccessLifecycle.RECONCILER_ACTOR));
          cancelled++;
        } else if (r.getStatus() == RequestStatus.ACTIVE || r.getStatus() == RequestStatus.REVOKING) {
          if (r.getGrantEnd() != null && r.getGrantEnd().plus(grace).isBefore(clock.instant())
              && Boolean.TRUE.equals(tx.execute(s -> lifecycle.revokeOverdue(r.getId(), grace)))) {
            meters.counter("airlock.reconciler.revocations", "reason", "overdue").increment();
            log.warn("Request {} was still ACTIVE after its end {}: revoked by the reconciler", r.getId(), r.getGrantEnd());
            overdue++;
            // Let the instance end too, if it still waits for its timer (its revoke finds REVOKED).
            tx.executeWithoutResult(s -> process.requestRevoke(r.getId()));
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
    return new Pass(open.size(), adopted, overdue, cancelled, failed);
  }

  @Override
  public void destroy() {
    soon.shutdownNow();
  }
}
