package io.airlock.process;

/**
 * The contract between {@code bpmn/inventory-scan.bpmn} and the application code: process key,
 * element ids, bean names and the summary variables a run leaves for Cockpit. Change a value
 * here only together with the model; the process test deploys the real file with these.
 */
public final class InventoryScanModel {

  public static final String PROCESS_KEY = "inventory-scan";

  private InventoryScanModel() {}

  /** Ids of the BPMN elements. */
  public static final class Elements {
    /** The timer start event; a run on demand starts here too (its only start event). */
    public static final String START_SCHEDULED = "StartEvent_Scheduled";
    /** Asks for a scan (after its job commits) and records when: {@link Variables#SCAN_ASKED_AT}. */
    public static final String TASK_ASK_FOR_SCAN = "Task_AskForScan";
    /** Where the run waits: for the scan's message, or for the timer that asks again. */
    public static final String GATEWAY_AWAIT_SCAN = "Gateway_AwaitScan";
    /** A scan that started at or after the ask was stored: {@link Messages#INVENTORY_SCANNED}. */
    public static final String EVENT_INVENTORY_SCANNED = "Event_InventoryScanned";
    /** No such scan within PT3H (a node died mid-scan, the scan failed): back to asking. */
    public static final String EVENT_SCAN_OVERDUE = "Event_ScanOverdue";
    public static final String TASK_REVOKE_ENDED_GRANTS = "Task_RevokeEndedGrants";
    public static final String TASK_REMOVE_LEFTOVER_SETS = "Task_RemoveLeftoverSets";
    public static final String TASK_REPORT_STANDING = "Task_ReportStandingAccess";
    public static final String TASK_FAIL_MISSING_TARGETS = "Task_FailRequestsWithMissingTargets";
    public static final String TASK_RECORD_SUMMARY = "Task_RecordSummary";
    public static final String GATEWAY_DRIFT_FOUND = "Gateway_DriftFound";
    public static final String END_DRIFT_RECONCILED = "End_DriftReconciled";
    public static final String END_NO_DRIFT = "End_NoDrift";

    private Elements() {}
  }

  /** Names of the Spring beans the model refers to (also in {@link ExpressionBeans#ALLOWED}). */
  public static final class Beans {
    /** JavaDelegates of the service tasks, in order. */
    public static final String ASK_FOR_SCAN_DELEGATE = "driftAskForScanDelegate";
    public static final String REVOKE_ENDED_GRANTS_DELEGATE = "driftRevokeEndedGrantsDelegate";
    public static final String REMOVE_LEFTOVER_SETS_DELEGATE = "driftRemoveLeftoverSetsDelegate";
    public static final String REPORT_STANDING_DELEGATE = "driftReportStandingDelegate";
    public static final String FAIL_MISSING_TARGETS_DELEGATE = "driftFailMissingTargetsDelegate";
    public static final String RECORD_SUMMARY_DELEGATE = "driftRecordSummaryDelegate";
    /** {@code driftCron}: the timer start event's cron, from {@code airlock.drift.cron}. */
    public static final String SCHEDULES = "airlockSchedules";
    /**
     * The scan step of the models before the wait (versions of inventory-scan deployed before
     * 7 December 2026, whose first task scanned in its job): kept so that their runs in flight at
     * an upgrade finish. No model of this release uses it.
     */
    public static final String LEGACY_SCAN_DELEGATE = "driftScanDelegate";

    private Beans() {}
  }

  /** Message names (not ids) to correlate. */
  public static final class Messages {
    /**
     * A scan was stored: correlated by Airlock after the scan's commit, each run on its own, to every run waiting
     * whose {@link Variables#SCAN_ASKED_AT} is at or before the scan's start; carries
     * {@link Variables#ACCOUNTS_SCANNED} and {@link Variables#ASSIGNMENTS_SCANNED}.
     */
    public static final String INVENTORY_SCANNED = "InventoryScanned";

    private Messages() {}
  }

  /** Summary of a run, as process variables (Integer), copies for Cockpit: the audit log has the findings. */
  public static final class Variables {
    /** Date: when the run last asked for a scan; only a scan that started at or after it moves the run on. */
    public static final String SCAN_ASKED_AT = "scanAskedAt";
    public static final String ACCOUNTS_SCANNED = "accountsScanned";
    public static final String ASSIGNMENTS_SCANNED = "assignmentsScanned";
    public static final String ORPHANS_REVOKED = "orphansRevoked";
    public static final String CRAFTED_SETS_REMOVED = "craftedSetsRemoved";
    public static final String STANDING_FOUND = "standingFound";
    public static final String STANDING_REMOVED = "standingRemoved";
    public static final String REQUESTS_FAILED = "requestsFailed";
    /** Boolean: anything revoked, removed, failed or standing. */
    public static final String DRIFT_FOUND = "driftFound";

    private Variables() {}
  }
}
