package io.airlock.audit;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs the audit watch: in full {@code initial-delay} after start and every {@code full-interval},
 * the new entries every {@code interval}; both under one ShedLock lock, so on one node at a time.
 */
@Component
@ConditionalOnProperty(name = "airlock.audit.verify.scheduled", havingValue = "true", matchIfMissing = true)
class AuditWatchSchedule {

  private static final Logger log = LoggerFactory.getLogger(AuditWatchSchedule.class);

  private final AuditWatch watch;

  AuditWatchSchedule(AuditWatch watch) {
    this.watch = watch;
  }

  @Scheduled(initialDelayString = "${airlock.audit.verify.initial-delay}",
      fixedDelayString = "${airlock.audit.verify.full-interval}")
  @SchedulerLock(name = "airlock-audit-verify", lockAtMostFor = "PT1H")
  public void verifyAll() {
    run(watch::verifyAll);
  }

  @Scheduled(initialDelayString = "${airlock.audit.verify.interval}",
      fixedDelayString = "${airlock.audit.verify.interval}")
  @SchedulerLock(name = "airlock-audit-verify", lockAtMostFor = "PT1H")
  public void verifyNew() {
    run(watch::verifyNew);
  }

  private static void run(Runnable check) {
    try {
      check.run();
    } catch (RuntimeException e) {
      // The database away: the finding stands as it was, the next check tries again.
      log.warn("Audit verification could not run, the next one retries: {}",
          io.airlock.logging.LogSafe.of(e.toString()));
    }
  }
}
