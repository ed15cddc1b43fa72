package io.airlock.inventory;

import io.airlock.logging.LogSafe;
import java.time.Duration;
import net.javacrumbs.shedlock.core.LockExtender;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Rescans AWS on a fixed delay (first soon after start-up), so validation and the API see
 * accounts, users and permission sets created outside Airlock: only what changed since the last
 * scan, and everything once a day ({@link InventoryService#refresh}).
 */
@Component
@ConditionalOnProperty(name = "airlock.inventory.scheduled", havingValue = "true", matchIfMissing = true)
class InventoryScanSchedule {

  private static final Logger log = LoggerFactory.getLogger(InventoryScanSchedule.class);

  static final String LOCK_AT_MOST_FOR = "PT10M";

  private final InventoryService inventory;

  InventoryScanSchedule(InventoryService inventory) {
    this.inventory = inventory;
  }

  /** Keeps this node's lock while the scan runs; a lock that cannot be extended only costs a second scan. */
  private static void extendLock() {
    try {
      LockExtender.extendActiveLock(Duration.parse(LOCK_AT_MOST_FOR), Duration.ZERO);
    } catch (RuntimeException e) {
      log.warn("Inventory scan lock not extended (another node may start a scan too): {}", LogSafe.of(e.toString()));
    }
  }

  @Scheduled(initialDelayString = "${airlock.inventory.initial-delay}", fixedDelayString = "${airlock.inventory.interval}")
  @SchedulerLock(name = "airlock-inventory-scan", lockAtMostFor = LOCK_AT_MOST_FOR)
  public void scan() {
    try {
      // A large organization takes an hour under the quota: the lock is extended while the scan
      // runs, so no other node starts a second scan; a node that dies frees it within 10 minutes.
      inventory.refresh("airlock", InventoryScanSchedule::extendLock);
    } catch (RuntimeException e) {
      // The previous inventory stays; validation falls back to live look-ups for names it lacks.
      log.warn("Inventory scan failed, keeping the previous one: {}", LogSafe.of(e.getMessage()));
    }
  }
}
