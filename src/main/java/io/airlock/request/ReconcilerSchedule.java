package io.airlock.request;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Runs the reconciler every {@code airlock.reconciler.interval}. */
@Component
@ConditionalOnProperty(name = "airlock.reconciler.scheduled", havingValue = "true", matchIfMissing = true)
class ReconcilerSchedule {

  private static final Logger log = LoggerFactory.getLogger(ReconcilerSchedule.class);

  private final AccessReconciler reconciler;

  ReconcilerSchedule(AccessReconciler reconciler) {
    this.reconciler = reconciler;
  }

  @Scheduled(initialDelayString = "${airlock.reconciler.interval}", fixedDelayString = "${airlock.reconciler.interval}")
  @SchedulerLock(name = "airlock-reconciler", lockAtMostFor = "PT2M")
  public void reconcile() {
    try {
      AccessReconciler.Pass pass = reconciler.reconcile();
      if (pass.adopted() + pass.revokedOverdue() + pass.cancelled() + pass.failed() + pass.confirmed() > 0) {
        log.info("Reconciler: {}", pass);
      }
    } catch (RuntimeException e) {
      log.warn("Reconciler pass failed, the next one retries: {}", e.toString());
    }
  }
}
