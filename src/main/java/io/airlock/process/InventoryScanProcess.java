package io.airlock.process;

/**
 * The contract between {@code bpmn/inventory-scan.bpmn} and the application code: process key,
 * element ids, bean names and the summary variables a run leaves for Cockpit. Change a value
 * here only together with the model; the process test deploys the real file with these.
 */
public final class InventoryScanProcess {

  public static final String PROCESS_KEY = "inventory-scan";

  private InventoryScanProcess() {}

  /** Ids of the BPMN elements. */
  public static final class Elements {
    /** The timer start event; a run on demand starts here too (its only start event). */
    public static final String START_SCHEDULED = "StartEvent_Scheduled";
    public static final String TASK_SCAN_AWS = "Task_ScanAws";
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
    public static final String SCAN_AWS_DELEGATE = "driftScanDelegate";
    public static final String REVOKE_ENDED_GRANTS_DELEGATE = "driftRevokeEndedGrantsDelegate";
    public static final String REMOVE_LEFTOVER_SETS_DELEGATE = "driftRemoveLeftoverSetsDelegate";
    public static final String REPORT_STANDING_DELEGATE = "driftReportStandingDelegate";
    public static final String FAIL_MISSING_TARGETS_DELEGATE = "driftFailMissingTargetsDelegate";
    public static final String RECORD_SUMMARY_DELEGATE = "driftRecordSummaryDelegate";
    /** {@code driftCron}: the timer start event's cron, from {@code airlock.drift.cron}. */
    public static final String SCHEDULES = "airlockSchedules";

    private Beans() {}
  }

  /** Summary of a run, as process variables (Integer), copies for Cockpit: the audit log has the findings. */
  public static final class Variables {
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
