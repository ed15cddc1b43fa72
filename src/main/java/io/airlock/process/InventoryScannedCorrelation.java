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
import io.airlock.logging.LogSafe;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.event.EventListener;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.stereotype.Component;

/**
 * Moves the drift runs waiting for a scan on, when a scan is stored: every run waiting at
 * {@value Messages#INVENTORY_SCANNED} that asked ({@value Variables#SCAN_ASKED_AT}) at or before
 * the scan started gets the message with the scan's counts. A scan that started before a run
 * asked may have read AWS before the run needed it, so it does not count for that run.
 *
 * <p>After the scan commits, each run in a transaction of its own: a run that cannot be moved (its
 * timer fired at that moment, an operator changed it) never undoes the scan (at 10,000 accounts an
 * hour and a half of AWS's quota); that run is logged and moves on when its timer asks again. A run
 * whose wait committed before the scan did is found by the query made after the commit. The scan
 * thread may be an HTTP request signed in as an operator, who may not correlate messages: the
 * correlation runs as Airlock, without an engine authentication, as on the schedule's thread.
 */
@Component
class InventoryScannedCorrelation {

  private static final Logger log = LoggerFactory.getLogger(InventoryScannedCorrelation.class);

  private final RuntimeService runtime;
  private final IdentityService identity;
  /** A new transaction per run; null on an engine without Spring's (the process test). */
  private final TransactionTemplate own;

  @Autowired
  InventoryScannedCorrelation(RuntimeService runtime, IdentityService identity, PlatformTransactionManager tm) {
    this.runtime = runtime;
    this.identity = identity;
    this.own = new TransactionTemplate(tm);
    this.own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  InventoryScannedCorrelation(RuntimeService runtime, IdentityService identity) {
    this.runtime = runtime;
    this.identity = identity;
    this.own = null;
  }

  @EventListener
  void on(InventoryScanned scanned) {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          correlate(scanned.summary());
        }
      });
    } else {
      correlate(scanned.summary());
    }
  }

  /** Correlates the scan to the runs it serves, each on its own; returns how many moved on. */
  int correlate(ScanSummary scan) {
    return EngineIdentity.asAirlock(identity, () -> {
      Set<String> served = inOwnTransaction(() -> {
        Set<String> waiting = new LinkedHashSet<>();
        for (Execution e : runtime.createExecutionQuery().processDefinitionKey(InventoryScanModel.PROCESS_KEY)
            .messageEventSubscriptionName(Messages.INVENTORY_SCANNED).list()) {
          if (askedBy(e, scan.startedAt())) {
            waiting.add(e.getProcessInstanceId());
          }
        }
        return waiting;
      });
      int moved = 0;
      for (String run : served) {
        try {
          // correlateAll: a run that stopped waiting meanwhile is no error, it is just not moved.
          moved += inOwnTransaction(() -> runtime.createMessageCorrelation(Messages.INVENTORY_SCANNED)
              .processInstanceId(run)
              .setVariable(Variables.ACCOUNTS_SCANNED, scan.accounts())
              .setVariable(Variables.ASSIGNMENTS_SCANNED, scan.assignments())
              .correlateAllWithResult().size() > 0 ? 1 : 0);
        } catch (RuntimeException e) {
          log.warn("Drift run {} not moved on by the scan of {} (it asks again when its timer fires): {}", run,
              scan.startedAt(), LogSafe.of(e.getMessage()));
        }
      }
      if (moved > 0) {
        log.info("Inventory scan of {} moved {} drift run(s) on: {}", scan.startedAt(), moved, served);
      }
      return moved;
    });
  }

  private <T> T inOwnTransaction(java.util.function.Supplier<T> work) {
    return own == null ? work.get() : own.execute(s -> work.get());
  }

  /** Whether the run asked for a scan at or before {@code started} (a run that never asked waits for its timer). */
  private boolean askedBy(Execution waiting, Instant started) {
    Object asked = runtime.getVariable(waiting.getId(), Variables.SCAN_ASKED_AT);
    return asked instanceof Date at && started != null && !at.toInstant().isAfter(started);
  }
}
