package io.airlock.process;

import static io.airlock.process.InventoryScanModel.Variables.*;

import io.airlock.request.DriftReconciliation;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * The thin delegates of {@code bpmn/inventory-scan.bpmn}, one per service task, each calling one
 * step of {@link DriftReconciliation} and leaving its count as a variable for Cockpit. The steps
 * read nothing from variables but the summary's counts. The scan's counts arrive with the message
 * the run waits for ({@link InventoryScannedCorrelation}).
 */
final class DriftDelegates {

  private DriftDelegates() {}

  /**
   * Asks for a scan and records when: the scan runs after this job commits, under the cluster's
   * scan lock and not in this job (whose lock would not cover an hour-long scan); the run then
   * waits at its message until a scan that started at or after the ask is stored.
   */
  @Component(InventoryScanModel.Beans.ASK_FOR_SCAN_DELEGATE)
  static class AskForScan implements JavaDelegate {
    private final DriftReconciliation drift;

    AskForScan(DriftReconciliation drift) {
      this.drift = drift;
    }

    @Override
    public void execute(DelegateExecution execution) {
      execution.setVariable(SCAN_ASKED_AT, Date.from(drift.askForScan()));
    }
  }

  /**
   * The first step of a run of an older model (before the wait): the schedule's scan, in this job,
   * under the cluster's scan lock (skipped while another node scans: the steps then work from the
   * last scan). Incremental scans are short; a run of an old version that finds a full scan due
   * pays it here once.
   */
  @Component(InventoryScanModel.Beans.LEGACY_SCAN_DELEGATE)
  static class LegacyScan implements JavaDelegate {
    private final DriftReconciliation drift;

    LegacyScan(DriftReconciliation drift) {
      this.drift = drift;
    }

    @Override
    public void execute(DelegateExecution execution) {
      io.airlock.inventory.ScanSummary summary = drift.scanInThisStep();
      execution.setVariable(ACCOUNTS_SCANNED, summary.accounts());
      execution.setVariable(ASSIGNMENTS_SCANNED, summary.assignments());
    }
  }

  @Component(InventoryScanModel.Beans.REVOKE_ENDED_GRANTS_DELEGATE)
  static class RevokeEndedGrants implements JavaDelegate {
    private final DriftReconciliation drift;

    RevokeEndedGrants(DriftReconciliation drift) {
      this.drift = drift;
    }

    @Override
    public void execute(DelegateExecution execution) {
      execution.setVariable(ORPHANS_REVOKED, drift.revokeEndedGrants());
    }
  }

  @Component(InventoryScanModel.Beans.REMOVE_LEFTOVER_SETS_DELEGATE)
  static class RemoveLeftoverSets implements JavaDelegate {
    private final DriftReconciliation drift;

    RemoveLeftoverSets(DriftReconciliation drift) {
      this.drift = drift;
    }

    @Override
    public void execute(DelegateExecution execution) {
      execution.setVariable(CRAFTED_SETS_REMOVED, drift.removeLeftoverCraftedSets());
    }
  }

  @Component(InventoryScanModel.Beans.REPORT_STANDING_DELEGATE)
  static class ReportStanding implements JavaDelegate {
    private final DriftReconciliation drift;

    ReportStanding(DriftReconciliation drift) {
      this.drift = drift;
    }

    @Override
    public void execute(DelegateExecution execution) {
      DriftReconciliation.Standing standing = drift.reportStanding();
      execution.setVariable(STANDING_FOUND, standing.found());
      execution.setVariable(STANDING_REMOVED, standing.removed());
    }
  }

  @Component(InventoryScanModel.Beans.FAIL_MISSING_TARGETS_DELEGATE)
  static class FailMissingTargets implements JavaDelegate {
    private final DriftReconciliation drift;

    FailMissingTargets(DriftReconciliation drift) {
      this.drift = drift;
    }

    @Override
    public void execute(DelegateExecution execution) {
      execution.setVariable(REQUESTS_FAILED, drift.failRequestsWithMissingTargets());
    }
  }

  @Component(InventoryScanModel.Beans.RECORD_SUMMARY_DELEGATE)
  static class RecordSummary implements JavaDelegate {
    private final DriftReconciliation drift;

    RecordSummary(DriftReconciliation drift) {
      this.drift = drift;
    }

    @Override
    public void execute(DelegateExecution execution) {
      Map<String, Object> counts = new LinkedHashMap<>();
      for (String name : List.of(ACCOUNTS_SCANNED, ASSIGNMENTS_SCANNED, ORPHANS_REVOKED, CRAFTED_SETS_REMOVED,
          STANDING_FOUND, STANDING_REMOVED, REQUESTS_FAILED)) {
        counts.put(name, count(execution, name));
      }
      boolean found = count(execution, ORPHANS_REVOKED) + count(execution, CRAFTED_SETS_REMOVED)
          + count(execution, STANDING_FOUND) + count(execution, REQUESTS_FAILED) > 0;
      counts.put(DRIFT_FOUND, found);
      execution.setVariable(DRIFT_FOUND, found);
      drift.recordSummary(execution.getProcessInstanceId(), counts);
    }

    private static int count(DelegateExecution execution, String name) {
      return execution.getVariable(name) instanceof Number n ? n.intValue() : 0;
    }
  }
}
