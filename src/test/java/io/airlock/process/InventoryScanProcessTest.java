package io.airlock.process;

import static io.airlock.process.InventoryScanModel.PROCESS_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.managementService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.repositoryService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.runtimeService;

import io.airlock.process.InventoryScanModel.Beans;
import io.airlock.process.InventoryScanModel.Elements;
import io.airlock.process.InventoryScanModel.Variables;
import io.airlock.inventory.ScanSummary;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.community.process_test_coverage.junit5.platform7.ProcessEngineCoverageExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs {@code bpmn/inventory-scan.bpmn} on an in-memory engine with fake steps: the timer start
 * from the configured cron, the start on demand, the ask for a scan and the wait for it (moved on
 * by {@link InventoryScannedCorrelation}, as a stored scan does, only by a scan that started at or
 * after the ask; asked again after three hours without one), the order of the steps (each its own
 * job, so a failure stops there as an incident), the summary for Cockpit and both ends.
 */
@Deployment(resources = "bpmn/inventory-scan.bpmn")
class InventoryScanProcessTest {

  @RegisterExtension
  static ProcessEngineCoverageExtension engine =
      ProcessEngineCoverageExtension.builder().assertClassCoverageAtLeast(0.9).build();

  /** Every 15 minutes: not the default, so the test shows the configured value is used. */
  private static final String CRON = "0 0/15 * * * ?";
  /** The engine's clock, held still from the start of each test (whole seconds: times compare exactly). */
  private final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  ProcessEngine processEngine;

  private final List<String> steps = new ArrayList<>();
  private final Map<String, Integer> findings = new HashMap<>();
  private RuntimeException failAsk;
  private InventoryScannedCorrelation scans;

  /** The schedule bean as the model reads it: a getter. */
  public static class Schedules {
    public String getDriftCron() {
      return CRON;
    }
  }

  @BeforeEach
  void registerBeans() {
    BpmnAwareTests.init(processEngine);
    ClockUtil.setCurrentTime(Date.from(NOW));
    scans = new InventoryScannedCorrelation(runtimeService(), processEngine.getIdentityService());
    Mocks.register(Beans.SCHEDULES, new Schedules());
    // As the real delegate: records when it asked (the scan itself runs after the job commits).
    Mocks.register(Beans.ASK_FOR_SCAN_DELEGATE, (JavaDelegate) e -> {
      steps.add("ask");
      if (failAsk != null) {
        throw failAsk;
      }
      e.setVariable(Variables.SCAN_ASKED_AT, ClockUtil.getCurrentTime());
    });
    Mocks.register(Beans.REVOKE_ENDED_GRANTS_DELEGATE, step("revokeEndedGrants", Variables.ORPHANS_REVOKED));
    Mocks.register(Beans.REMOVE_LEFTOVER_SETS_DELEGATE, step("removeLeftoverSets", Variables.CRAFTED_SETS_REMOVED));
    Mocks.register(Beans.REPORT_STANDING_DELEGATE, (JavaDelegate) e -> {
      steps.add("reportStanding");
      e.setVariable(Variables.STANDING_FOUND, findings.getOrDefault(Variables.STANDING_FOUND, 0));
      e.setVariable(Variables.STANDING_REMOVED, findings.getOrDefault(Variables.STANDING_REMOVED, 0));
    });
    Mocks.register(Beans.FAIL_MISSING_TARGETS_DELEGATE, step("failMissingTargets", Variables.REQUESTS_FAILED));
    // The real summary delegate decides driftFound from the counts; a fake with the same rule.
    Mocks.register(Beans.RECORD_SUMMARY_DELEGATE, (JavaDelegate) e -> {
      steps.add("recordSummary");
      int found = 0;
      for (String v : List.of(Variables.ORPHANS_REVOKED, Variables.CRAFTED_SETS_REMOVED, Variables.STANDING_FOUND,
          Variables.REQUESTS_FAILED)) {
        found += (Integer) e.getVariable(v);
      }
      e.setVariable(Variables.DRIFT_FOUND, found > 0);
    });
  }

  private JavaDelegate step(String name, String variable) {
    return e -> {
      steps.add(name);
      e.setVariable(variable, findings.getOrDefault(variable, 0));
    };
  }

  /** A scan that started at {@code started} was stored, with 4 accounts and 9 assignments. */
  private int scanStored(Instant started) {
    return scans.correlate(new ScanSummary(started, started.plusSeconds(90), "airlock", 90_000, 120, 4, 7, 3, 8, 5, 9,
        ScanSummary.FULL, started.plusSeconds(90), 0));
  }

  @AfterEach
  void reset() {
    Mocks.reset();
    ClockUtil.reset();
    BpmnAwareTests.reset();
  }

  @Test
  void isDeployedNamedWithHistoryTimeToLiveAndAnHourlyTimerFromConfiguration() {
    ProcessDefinition process = repositoryService().createProcessDefinitionQuery()
        .processDefinitionKey(PROCESS_KEY).singleResult();
    assertThat(process.getName()).isEqualTo("Scan AWS and reconcile drift");
    assertThat(process.getHistoryTimeToLive()).isEqualTo(30);
    Job timer = managementService().createJobQuery().processDefinitionKey(PROCESS_KEY).timers().singleResult();
    assertThat(timer).as("the timer start event is scheduled at deployment").isNotNull();
    // Due at the next quarter hour: the configured cron, not a literal in the model.
    Instant due = timer.getDuedate().toInstant();
    assertThat(due.getEpochSecond() % 900).isZero();
    assertThat(due).isBefore(Instant.now().plusSeconds(901));
  }

  @Test
  void theTimerStartsARunThatGoesThroughEveryStepInOrderAndReportsDrift() {
    findings.put(Variables.ORPHANS_REVOKED, 1);
    findings.put(Variables.STANDING_FOUND, 2);
    Job timer = managementService().createJobQuery().processDefinitionKey(PROCESS_KEY).timers().singleResult();
    ClockUtil.setCurrentTime(timer.getDuedate());
    managementService().executeJob(timer.getId());

    ProcessInstance run = runtimeService().createProcessInstanceQuery().processDefinitionKey(PROCESS_KEY).singleResult();
    assertThat(run).hasPassed(Elements.START_SCHEDULED).isWaitingAt(Elements.TASK_ASK_FOR_SCAN);
    execute(job());
    assertThat(run).as("waits for the scan it asked for").isWaitingAt(Elements.GATEWAY_AWAIT_SCAN);
    assertThat(scanStored(timer.getDuedate().toInstant())).isEqualTo(1);
    for (String task : List.of(Elements.TASK_REVOKE_ENDED_GRANTS, Elements.TASK_REMOVE_LEFTOVER_SETS,
        Elements.TASK_REPORT_STANDING, Elements.TASK_FAIL_MISSING_TARGETS, Elements.TASK_RECORD_SUMMARY)) {
      assertThat(run).as("each step is its own job").isWaitingAt(task);
      execute(job());
    }
    assertThat(run).isEnded().hasPassed(Elements.EVENT_INVENTORY_SCANNED, Elements.END_DRIFT_RECONCILED)
        .hasNotPassed(Elements.END_NO_DRIFT, Elements.EVENT_SCAN_OVERDUE);
    assertThat(steps).containsExactly("ask", "revokeEndedGrants", "removeLeftoverSets", "reportStanding",
        "failMissingTargets", "recordSummary");
    assertThat(run).variables().containsEntry(Variables.ORPHANS_REVOKED, 1).containsEntry(Variables.STANDING_FOUND, 2)
        .containsEntry(Variables.ASSIGNMENTS_SCANNED, 9).containsEntry(Variables.DRIFT_FOUND, true);
    // The next run is scheduled again.
    assertThat(managementService().createJobQuery().processDefinitionKey(PROCESS_KEY).timers().count()).isEqualTo(1);
  }

  @Test
  void aRunOnDemandWithNothingFoundEndsAsNoDrift() {
    ProcessInstance run = runtimeService().startProcessInstanceByKey(PROCESS_KEY);
    assertThat(run).hasPassed(Elements.START_SCHEDULED).isWaitingAt(Elements.TASK_ASK_FOR_SCAN);
    execute(job());
    assertThat(scanStored(NOW)).isEqualTo(1);
    while (!managementService().createJobQuery().processInstanceId(run.getId()).list().isEmpty()) {
      execute(job());
    }
    assertThat(run).isEnded().hasPassed(Elements.END_NO_DRIFT).hasNotPassed(Elements.END_DRIFT_RECONCILED);
    assertThat(run).variables().containsEntry(Variables.DRIFT_FOUND, false);
  }

  @Test
  void aRunWaitsUntilAScanThatStartedAtOrAfterItsAskIsStoredAndCarriesItsCounts() {
    ProcessInstance run = runtimeService().startProcessInstanceByKey(PROCESS_KEY);
    assertThat(run).isWaitingAt(Elements.TASK_ASK_FOR_SCAN);
    execute(job());
    assertThat(run).isWaitingAt(Elements.GATEWAY_AWAIT_SCAN);
    assertThat(run).variables().containsEntry(Variables.SCAN_ASKED_AT, Date.from(NOW))
        .doesNotContainKey(Variables.ACCOUNTS_SCANNED);
    // A second run asks ten minutes later.
    ClockUtil.setCurrentTime(Date.from(NOW.plus(Duration.ofMinutes(10))));
    ProcessInstance later = runtimeService().startProcessInstanceByKey(PROCESS_KEY);
    assertThat(later).isWaitingAt(Elements.TASK_ASK_FOR_SCAN);
    execute(job());

    // A scan already running when the run asked (it may have read AWS before): neither moves.
    assertThat(scanStored(NOW.minusSeconds(1))).isZero();
    assertThat(run).isWaitingAt(Elements.GATEWAY_AWAIT_SCAN);
    assertThat(later).isWaitingAt(Elements.GATEWAY_AWAIT_SCAN);
    assertThat(steps).containsExactly("ask", "ask");

    // A scan that started with the first ask: the first run moves on with its counts, the later one waits.
    assertThat(scanStored(NOW.plusSeconds(1))).isEqualTo(1);
    assertThat(run).hasPassed(Elements.EVENT_INVENTORY_SCANNED).isWaitingAt(Elements.TASK_REVOKE_ENDED_GRANTS);
    assertThat(run).variables().containsEntry(Variables.ACCOUNTS_SCANNED, 4)
        .containsEntry(Variables.ASSIGNMENTS_SCANNED, 9);
    assertThat(later).isWaitingAt(Elements.GATEWAY_AWAIT_SCAN);
    assertThat(steps).as("nothing else ran yet: each step is a job").containsExactly("ask", "ask");

    // The next scan serves the later run; the first, no longer waiting, is not moved twice.
    assertThat(scanStored(NOW.plus(Duration.ofMinutes(10)))).isEqualTo(1);
    assertThat(later).isWaitingAt(Elements.TASK_REVOKE_ENDED_GRANTS);
    assertThat(run).isWaitingAt(Elements.TASK_REVOKE_ENDED_GRANTS);
  }

  @Test
  void threeHoursWithoutAScanAskAgainAndOnlyAScanAfterTheNewAskCounts() {
    ProcessInstance run = runtimeService().startProcessInstanceByKey(PROCESS_KEY);
    assertThat(run).isWaitingAt(Elements.TASK_ASK_FOR_SCAN);
    execute(job());
    assertThat(run).isWaitingAt(Elements.GATEWAY_AWAIT_SCAN);
    Job overdue = managementService().createJobQuery().processInstanceId(run.getId()).timers().singleResult();
    assertThat(overdue.getDuedate().toInstant()).as("PT3H after the ask").isEqualTo(NOW.plus(Duration.ofHours(3)));

    // The node that was scanning died: nothing comes. Three hours on, the run asks again.
    Instant again = NOW.plus(Duration.ofHours(3));
    ClockUtil.setCurrentTime(Date.from(again));
    managementService().executeJob(overdue.getId());
    assertThat(run).hasPassed(Elements.EVENT_SCAN_OVERDUE).isWaitingAt(Elements.TASK_ASK_FOR_SCAN);
    execute(job());
    assertThat(steps).containsExactly("ask", "ask");
    assertThat(run).isWaitingAt(Elements.GATEWAY_AWAIT_SCAN);
    assertThat(run).variables().containsEntry(Variables.SCAN_ASKED_AT, Date.from(again));
    assertThat(managementService().createJobQuery().processInstanceId(run.getId()).timers().singleResult()
        .getDuedate().toInstant()).as("a new timer from the new ask").isEqualTo(again.plus(Duration.ofHours(3)));

    // A scan that started between the two asks no longer counts; one after the second does.
    assertThat(scanStored(NOW.plus(Duration.ofHours(1)))).isZero();
    assertThat(run).isWaitingAt(Elements.GATEWAY_AWAIT_SCAN);
    assertThat(scanStored(again)).isEqualTo(1);
    assertThat(run).isWaitingAt(Elements.TASK_REVOKE_ENDED_GRANTS);
    assertThat(managementService().createJobQuery().processInstanceId(run.getId()).timers().count())
        .as("the timer went with the wait").isZero();
  }

  @Test
  void aFailingAskStopsTheRunBeforeAnyChangeAndIsRetried() {
    failAsk = new IllegalStateException("database unavailable");
    ProcessInstance run = runtimeService().startProcessInstanceByKey(PROCESS_KEY);
    Job ask = managementService().createJobQuery().processInstanceId(run.getId()).singleResult();
    try {
      managementService().executeJob(ask.getId());
    } catch (IllegalStateException expected) {
      // the job executor would record the failure the same way
    }
    assertThat(run).isWaitingAt(Elements.TASK_ASK_FOR_SCAN);
    assertThat(steps).containsExactly("ask");
    Job retried = managementService().createJobQuery().jobId(ask.getId()).singleResult();
    assertThat(retried.getRetries()).as("R3/PT5M").isEqualTo(2);
    assertThat(retried.getExceptionMessage()).contains("database unavailable");
  }

  @Test
  void aSuspendedWaitingRunDoesNotFailTheScanThatServesOthers() {
    ProcessInstance suspended = runtimeService().startProcessInstanceByKey(PROCESS_KEY);
    execute(BpmnAwareTests.job(suspended));
    ProcessInstance other = runtimeService().startProcessInstanceByKey(PROCESS_KEY);
    execute(BpmnAwareTests.job(other));
    // An operator suspends one run in Cockpit.
    runtimeService().suspendProcessInstanceById(suspended.getId());

    // The correlation runs in the scan's transaction: an exception here rolls the scan back.
    assertThat(scanStored(NOW.plusSeconds(1))).isGreaterThanOrEqualTo(1);
    assertThat(other).isWaitingAt(Elements.TASK_REVOKE_ENDED_GRANTS);
  }
}
