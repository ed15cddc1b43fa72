package io.airlock.process;

import static io.airlock.process.InventoryScanProcess.Variables.*;

import io.airlock.inventory.ScanSummary;
import io.airlock.request.DriftReconciliation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * The thin delegates of {@code bpmn/inventory-scan.bpmn}, one per service task, each calling one
 * step of {@link DriftReconciliation} and leaving its count as a variable for Cockpit. The steps
 * read nothing from variables but the summary's counts.
 */
final class DriftDelegates {

  private DriftDelegates() {}

  @Component(InventoryScanProcess.Beans.SCAN_AWS_DELEGATE)
  static class Scan implements JavaDelegate {
    private final DriftReconciliation drift;

    Scan(DriftReconciliation drift) {
      this.drift = drift;
    }

    @Override
    public void execute(DelegateExecution execution) {
      ScanSummary summary = drift.scan();
      execution.setVariable(ACCOUNTS_SCANNED, summary.accounts());
      execution.setVariable(ASSIGNMENTS_SCANNED, summary.assignments());
    }
  }

  @Component(InventoryScanProcess.Beans.REVOKE_ENDED_GRANTS_DELEGATE)
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

  @Component(InventoryScanProcess.Beans.REMOVE_LEFTOVER_SETS_DELEGATE)
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

  @Component(InventoryScanProcess.Beans.REPORT_STANDING_DELEGATE)
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

  @Component(InventoryScanProcess.Beans.FAIL_MISSING_TARGETS_DELEGATE)
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

  @Component(InventoryScanProcess.Beans.RECORD_SUMMARY_DELEGATE)
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
