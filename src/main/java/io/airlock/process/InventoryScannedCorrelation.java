package io.airlock.process;

import io.airlock.inventory.InventoryScanned;
import io.airlock.inventory.ScanSummary;
import io.airlock.process.InventoryScanModel.Messages;
import io.airlock.process.InventoryScanModel.Variables;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Set;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.Execution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Moves the drift runs waiting for a scan on, when a scan is stored: every run waiting at
 * {@value Messages#INVENTORY_SCANNED} that asked ({@value Variables#SCAN_ASKED_AT}) at or before
 * the scan started gets the message with the scan's counts. A scan that started before a run
 * asked may have read AWS before the run needed it, so it does not count for that run.
 *
 * <p>Synchronous, in the scan's transaction (the engine joins it): the runs move on if and only if
 * the scan commits, and a run cannot miss a scan that committed after its wait did. The scan
 * thread may be an HTTP request signed in as an operator, who may not correlate messages: the
 * correlation runs as Airlock, without an engine authentication, as on the schedule's thread.
 */
@Component
class InventoryScannedCorrelation {

  private static final Logger log = LoggerFactory.getLogger(InventoryScannedCorrelation.class);

  private final RuntimeService runtime;
  private final IdentityService identity;

  InventoryScannedCorrelation(RuntimeService runtime, IdentityService identity) {
    this.runtime = runtime;
    this.identity = identity;
  }

  @EventListener
  void on(InventoryScanned scanned) {
    correlate(scanned.summary());
  }

  /** Correlates the scan to the runs it serves; returns how many moved on. */
  int correlate(ScanSummary scan) {
    return EngineIdentity.asAirlock(identity, () -> {
      Set<String> served = new LinkedHashSet<>();
      for (Execution waiting : runtime.createExecutionQuery().processDefinitionKey(InventoryScanModel.PROCESS_KEY)
          .messageEventSubscriptionName(Messages.INVENTORY_SCANNED).list()) {
        if (askedBy(waiting, scan.startedAt())) {
          served.add(waiting.getProcessInstanceId());
        }
      }
      for (String run : served) {
        // correlateAll: a run that stopped waiting meanwhile is no error, it is just not moved.
        runtime.createMessageCorrelation(Messages.INVENTORY_SCANNED).processInstanceId(run)
            .setVariable(Variables.ACCOUNTS_SCANNED, scan.accounts())
            .setVariable(Variables.ASSIGNMENTS_SCANNED, scan.assignments())
            .correlateAllWithResult();
      }
      if (!served.isEmpty()) {
        log.info("Inventory scan of {} moved {} drift run(s) on: {}", scan.startedAt(), served.size(), served);
      }
      return served.size();
    });
  }

  /** Whether the run asked for a scan at or before {@code started} (a run that never asked waits for its timer). */
  private boolean askedBy(Execution waiting, Instant started) {
    Object asked = runtime.getVariable(waiting.getId(), Variables.SCAN_ASKED_AT);
    return asked instanceof Date at && started != null && !at.toInstant().isAfter(started);
  }
}
