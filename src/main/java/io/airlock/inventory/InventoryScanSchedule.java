package io.airlock.inventory;

import io.airlock.logging.LogSafe;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Rescans AWS on a fixed delay (first soon after start-up), so validation and the API see
 * accounts, users and permission sets created outside Airlock.
 */
@Component
@ConditionalOnProperty(name = "airlock.inventory.scheduled", havingValue = "true", matchIfMissing = true)
class InventoryScanSchedule {

  private static final Logger log = LoggerFactory.getLogger(InventoryScanSchedule.class);

  private final InventoryService inventory;

  InventoryScanSchedule(InventoryService inventory) {
    this.inventory = inventory;
  }

  @Scheduled(initialDelayString = "${airlock.inventory.initial-delay}", fixedDelayString = "${airlock.inventory.interval}")
  @SchedulerLock(name = "airlock-inventory-scan", lockAtMostFor = "PT10M")
  public void scan() {
    try {
      inventory.scan("airlock");
    } catch (RuntimeException e) {
      // The previous inventory stays; validation falls back to live look-ups for names it lacks.
      log.warn("Inventory scan failed, keeping the previous one: {}", LogSafe.of(e.getMessage()));
    }
  }
}
