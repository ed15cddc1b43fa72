package io.airlock.activity;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Fetches due session activity every {@code airlock.activity.interval}. */
@Component
@ConditionalOnProperty(name = "airlock.activity.enabled", havingValue = "true", matchIfMissing = true)
class ActivitySchedule {

  private static final Logger log = LoggerFactory.getLogger(ActivitySchedule.class);

  private final SessionActivity activity;

  ActivitySchedule(SessionActivity activity) {
    this.activity = activity;
  }

  @Scheduled(initialDelayString = "${airlock.activity.interval:PT5M}", fixedDelayString = "${airlock.activity.interval:PT5M}")
  @SchedulerLock(name = "airlock-activity", lockAtMostFor = "PT10M")
  public void fetchDue() {
    try {
      int n = activity.fetchDue();
      if (n > 0) {
        log.info("Session activity fetched for {} grants", n);
      }
    } catch (RuntimeException e) {
      log.warn("Session activity pass failed, the next one retries: {}", e.toString());
    }
  }
}
