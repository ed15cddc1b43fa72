package io.airlock.request;

import io.airlock.logging.LogSafe;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Removes leftover crafted permission sets on a fixed delay. */
@Component
@ConditionalOnProperty(name = "airlock.craft.cleanup-scheduled", havingValue = "true", matchIfMissing = true)
class CraftCleanupSchedule {

  private static final Logger log = LoggerFactory.getLogger(CraftCleanupSchedule.class);

  private final CraftedPermissions crafted;

  CraftCleanupSchedule(CraftedPermissions crafted) {
    this.crafted = crafted;
  }

  @Scheduled(initialDelayString = "${airlock.craft.cleanup-interval}", fixedDelayString = "${airlock.craft.cleanup-interval}")
  @SchedulerLock(name = "airlock-craft-cleanup", lockAtMostFor = "PT10M")
  public void cleanup() {
    try {
      crafted.removeLeftovers(RequestService.SYSTEM_ACTOR);
    } catch (RuntimeException e) {
      log.warn("Removing leftover crafted permission sets failed; will try again: {}", LogSafe.of(e.getMessage()));
    }
  }
}
