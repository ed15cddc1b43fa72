package io.airlock.inventory;

import io.airlock.logging.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Rescans AWS on a fixed delay (first soon after start-up), so validation and the API see
 * accounts, users and permission sets created outside Airlock: only what changed since the last
 * scan, and everything once a day ({@link InventoryService#refresh}). The scan takes the cluster's
 * scan lock ({@link InventoryScans#LOCK}, the same as a full scan a drift run asks for): while
 * another node scans, this turn is skipped.
 */
@Component
@ConditionalOnProperty(name = "airlock.inventory.scheduled", havingValue = "true", matchIfMissing = true)
class InventoryScanSchedule {

  private static final Logger log = LoggerFactory.getLogger(InventoryScanSchedule.class);

  private final InventoryScans scans;

  InventoryScanSchedule(InventoryScans scans) {
    this.scans = scans;
  }

  @Scheduled(initialDelayString = "${airlock.inventory.initial-delay}", fixedDelayString = "${airlock.inventory.interval}")
  public void scan() {
    try {
      // A large organization takes an hour under the quota: the lock is extended while the scan
      // runs, so no other node starts a second scan; a node that dies frees it within 10 minutes.
      if (!scans.refreshUnlessRunning("airlock")) {
        log.debug("Inventory scan skipped: another scan holds the lock");
      }
    } catch (RuntimeException e) {
      // The previous inventory stays; validation falls back to live look-ups for names it lacks.
      log.warn("Inventory scan failed, keeping the previous one: {}", LogSafe.of(e.getMessage()));
    }
  }
}
