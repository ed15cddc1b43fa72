package io.airlock.process;

import static io.airlock.process.AccessRequestModel.PROCESS_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.formService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.historyService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.managementService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.repositoryService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.runtimeService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.taskService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.withVariables;

import io.airlock.process.AccessRequestModel.ApprovalOutcome;
import io.airlock.request.RequestStatus;
import io.airlock.process.AccessRequestModel.Beans;
import io.airlock.process.AccessRequestModel.Decisions;
import io.airlock.process.AccessRequestModel.Elements;
import io.airlock.process.AccessRequestModel.Messages;
import io.airlock.process.AccessRequestModel.Variables;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.form.CamundaFormRef;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.bpm.engine.variable.value.ObjectValue;
import org.camunda.community.process_test_coverage.junit5.platform7.ProcessEngineCoverageExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs {@code bpmn/access-request.bpmn} with the real decisions and forms on an in-memory engine.
 * The beans the model calls are fakes; the tests fire jobs and timers themselves.
 */
@Deployment(resources = {
    "bpmn/access-request.bpmn",
    "dmn/access-scopes.dmn",
    "dmn/auto-approval.dmn",
    "forms/request-aws-access.form",
    "forms/review-access-request.form",
    "forms/your-access.form"})
class AccessRequestProcessTest {

  /**
   * Every flow node and sequence flow is covered except the two flows out of the event-based
   * gateway {@code Gateway_AwaitStart}: Camunda 7 reports no "take" for them, so the bar stays just
   * under what the coverage tool can see. The events after the gateway are asserted.
   */
  @RegisterExtension
  static ProcessEngineCoverageExtension engine =
      ProcessEngineCoverageExtension.builder().assertClassCoverageAtLeast(0.93).build();

  private static final String SANDBOX = "222222222222";
  private static final String PRODUCTION = "444444444444";
  private static final String MANAGEMENT = "111111111111";
  private static final String APPROVERS = "airlock-approvers";
  private static final String REQUESTERS = "airlock-requesters";

  ProcessEngine processEngine;

  /** The statuses Airlock's steps would move the request to, in order. */
  private final List<String> statuses = new ArrayList<>();
  private final List<String> escalations = new ArrayList<>();
  private final List<String> reminders = new ArrayList<>();
  private final RecordingRequestStatus requestStatus = new RecordingRequestStatus(statuses);
  private final FakeRegisterRequest registerRequest = new FakeRegisterRequest();
  private final FakeGrantAccess grantAccess = new FakeGrantAccess(statuses);
  private final RecordingDelegate revokeAccess = new RecordingDelegate(statuses);
  private final RecordingReviewGuard reviewGuard = new RecordingReviewGuard(statuses);
  private final RecordingAccessTaskGuard accessTaskGuard = new RecordingAccessTaskGuard();

  @BeforeEach
  void registerBeans() {
    BpmnAwareTests.init(processEngine);
    ClockUtil.setCurrentTime(Date.from(Instant.parse("2025-06-02T09:00:00Z")));
    Mocks.register(Beans.REQUEST_STATUS, requestStatus);
    Mocks.register(Beans.REGISTER_REQUEST_DELEGATE, registerRequest);
    Mocks.register(Beans.GRANT_ACCESS_DELEGATE, grantAccess);
    Mocks.register(Beans.REVOKE_ACCESS_DELEGATE, revokeAccess);
    Mocks.register(Beans.REVIEW_GUARD, reviewGuard);
    Mocks.register(Beans.REVIEW_TASK_NAMER, (TaskListener) task -> task.setName("Review: " + task.getVariable("principal")));
    Mocks.register(Beans.EXPIRE_REQUEST_DELEGATE, (JavaDelegate) execution -> statuses.add(RequestStatus.EXPIRED.name()));
    Mocks.register(Beans.REMIND_APPROVERS_DELEGATE, (JavaDelegate) execution -> reminders.add(execution.getProcessBusinessKey()));
    Mocks.register(Beans.ESCALATE_REVIEW_DELEGATE, (JavaDelegate) execution -> escalations.add(execution.getProcessBusinessKey()));
    Mocks.register(Beans.BREAK_GLASS_REVIEW_GUARD, (TaskListener) task -> {
      if ("DENY".equals(task.getVariable(Variables.REVIEW_OUTCOME))) {
        task.getExecution().getProcessInstance().setVariable(Variables.BREAK_GLASS_REJECTED, true);
      }
    });
    // As the real namer does from the stored request: the principal's task, due at the grant's end.
    Mocks.register(Beans.ACCESS_TASK_NAMER, (TaskListener) task -> {
      task.setName("Your access: " + task.getVariable(Variables.PERMISSION));
      task.setDueDate((Date) task.getVariable(Variables.GRANT_END));
      task.setAssignee(((String) task.getVariable(Variables.PRINCIPAL)).replace("@example.org", ""));
    });
    Mocks.register(Beans.ACCESS_TASK_GUARD, accessTaskGuard);
    Mocks.register(Beans.CHECK_SCOPE_DELEGATE, new PolicyOnVariables.CheckScope(statuses));
    Mocks.register(Beans.DECIDE_APPROVAL_DELEGATE, new PolicyOnVariables.DecideApproval(statuses));
  }

  @AfterEach
  void reset() {
    Mocks.reset();
    ClockUtil.reset();
    processEngine.getIdentityService().clearAuthentication();
    BpmnAwareTests.reset();
  }

  @Test
  void modelsAreDeployedWithStartFormAndHistoryTimeToLive() throws Exception {
    ProcessDefinition process = repositoryService().createProcessDefinitionQuery()
        .processDefinitionKey(PROCESS_KEY).singleResult();
    assertThat(process.getName()).isEqualTo("Request AWS access");
    assertThat(process.getHistoryTimeToLive()).isEqualTo(180);
    for (String decision : List.of(Decisions.ACCESS_SCOPES, Decisions.AUTO_APPROVAL)) {
      assertThat(repositoryService().createDecisionDefinitionQuery().decisionDefinitionKey(decision)
          .singleResult().getHistoryTimeToLive()).as(decision).isEqualTo(180);
    }
    CamundaFormRef startForm = formService().getStartFormData(process.getId()).getCamundaFormRef();
    assertThat(startForm.getKey()).isEqualTo(AccessRequestModel.Forms.REQUEST_AWS_ACCESS);
    assertThat(startForm.getBinding()).isEqualTo("deployment");
    try (InputStream form = formService().getDeployedStartForm(process.getId())) {
      assertThat(new String(form.readAllBytes(), StandardCharsets.UTF_8))
          // A select: Airlock fills in the signed-in requester's accounts when Tasklist reads it (StartFormChoices).
          .contains("\"key\": \"target\"", "\"type\": \"select\"", "\"searchable\": true");
    }
  }

  @Test
  void outOfScopeRequestIsRejected() {
    // write access to the management account is in no scope: access-scopes matches no row
    ProcessInstance pi = request("alice", List.of(REQUESTERS), MANAGEMENT, "PowerUserAccess", "PT1H");

    assertThat(pi).hasPassedInOrder(Elements.TASK_REGISTER_REQUEST, Elements.TASK_CHECK_SCOPE,
            Elements.GATEWAY_IN_SCOPE, Elements.END_OUT_OF_SCOPE)
        .hasNotPassed(Elements.TASK_DECIDE_APPROVAL)
        .isEnded();
    assertThat(historicVariable(pi, Variables.SCOPE_NAME)).isNull();
    assertThat(historicVariable(pi, Variables.APPROVER_GROUPS)).isNull();
    assertThat(statuses).containsExactly(RequestStatus.REJECTED_OUT_OF_SCOPE.name());
    assertThat(grantAccess.calls).isZero();
  }

  @Test
  void requesterOutsideTheRequesterGroupIsOutOfScope() {
    ProcessInstance pi = request("mallory", List.of("someone-else"), SANDBOX, "ReadOnlyAccess", "PT30M");

    assertThat(pi).hasPassed(Elements.END_OUT_OF_SCOPE).isEnded();
    assertThat(statuses).containsExactly(RequestStatus.REJECTED_OUT_OF_SCOPE.name());
  }

  @Test
  void requestLongerThanTheScopeAllowsIsDeniedAutomatically() {
    // read-only anywhere allows 480 minutes
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT10H");

    assertThat(pi).hasPassedInOrder(Elements.TASK_DECIDE_APPROVAL, Elements.GATEWAY_APPROVAL_OUTCOME,
            Elements.END_REQUEST_DENIED)
        .hasNotPassed(Elements.TASK_REVIEW_REQUEST, Elements.TASK_GRANT_ACCESS)
        .isEnded()
        .variables()
        .containsEntry(Variables.SCOPE_NAME, "Read-only anywhere")
        .containsEntry(Variables.MAX_DURATION_MINUTES, 480L)
        .containsEntry(Variables.APPROVAL_OUTCOME, ApprovalOutcome.DENY)
        .containsEntry(Variables.APPROVAL_REASON, "Denied: 10 h asked, scope 'Read-only anywhere' allows 8 h.");
    assertThat(statuses).containsExactly(RequestStatus.DENIED.name());
  }

  @Test
  void shortReadOnlyRequestIsApprovedGrantedAndRevokedWhenItExpires() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT30M");

    assertThat(pi).isWaitingAt(Elements.TASK_GRANT_ACCESS)
        .hasNotPassed(Elements.TASK_REVIEW_REQUEST)
        .variables()
        .containsEntry(Variables.REQUESTER, "alice")
        .containsEntry(Variables.REQUEST_ID, "REQ-1")
        .containsEntry(Variables.SCOPE_NAME, "Read-only anywhere")
        .containsEntry(Variables.APPROVER_GROUPS, APPROVERS)
        .containsEntry(Variables.APPROVAL_OUTCOME, ApprovalOutcome.APPROVE);
    assertThat(pi).hasBusinessKey("REQ-1");
    ObjectValue groups = runtimeService().getVariableTyped(pi.getId(), Variables.REQUESTER_GROUPS, false);
    assertThat(groups.getSerializationDataFormat()).isEqualTo("application/json");
    assertThat(groups.getValueSerialized()).isEqualTo("[\"airlock-requesters\"]");
    assertThat(statuses).containsExactly(RequestStatus.GRANTING.name());

    // Revokes come first in the job executor: the expiry timer and the revoke job outrank grants.
    assertThat(job().getPriority()).isZero();
    execute(job()); // grant
    assertThat(grantAccess.calls).isEqualTo(1);
    assertThat(pi).isWaitingAt(Elements.TASK_MANAGE_ACCESS);
    Job timer = job();
    assertThat(timer.getDuedate()).isEqualTo(Date.from(Instant.parse("2025-06-02T09:30:00Z")));
    assertThat(timer.getPriority()).isEqualTo(100);

    ClockUtil.setCurrentTime(timer.getDuedate());
    execute(timer); // access expired
    assertThat(pi).hasPassed(Elements.EVENT_ACCESS_EXPIRED, Elements.EVENT_REVOCATION_DUE)
        .hasNotPassed(Elements.EVENT_REVOKE_REQUESTED)
        .isWaitingAt(Elements.TASK_REVOKE_ACCESS);
    assertThat(revokeAccess.calls).isZero();
    assertThat(job().getPriority()).isEqualTo(100);

    execute(job()); // revoke
    assertThat(revokeAccess.calls).isEqualTo(1);
    assertThat(pi).hasPassed(Elements.END_ACCESS_REVOKED).isEnded();
    assertThat(statuses).containsExactly(RequestStatus.GRANTING.name(), RequestStatus.ACTIVE.name(),
        RequestStatus.REVOKING.name(), RequestStatus.REVOKED.name());
  }

  @Test
  void productionAdministratorIsApprovedByTwoReviewersAndRevokedOnRequest() throws Exception {
    reviewGuard.approvalsRequired = 2;
    ProcessInstance pi = request("bob", List.of(REQUESTERS, APPROVERS), PRODUCTION, "AdministratorAccess", "PT45M");

    assertThat(pi).isWaitingAt(Elements.TASK_REVIEW_REQUEST)
        .variables()
        .containsEntry(Variables.SCOPE_NAME, "Production administrator")
        .containsEntry(Variables.MAX_DURATION_MINUTES, 60L)
        .containsEntry(Variables.APPROVAL_OUTCOME, ApprovalOutcome.MANUAL)
        .containsEntry(Variables.APPROVAL_REASON, "Production access needs an approver's review.");
    assertThat(task()).hasCandidateGroup(APPROVERS);
    assertReviewFormIsDeployed(task().getId());
    assertThat(taskService().createTaskQuery().taskCandidateGroup(REQUESTERS).count()).isZero();
    assertThat(statuses).containsExactly(RequestStatus.PENDING_REVIEW.name());

    complete(task(), withVariables(Variables.REVIEW_OUTCOME, "APPROVE", Variables.REVIEW_COMMENT, "Incident INC-7"));
    // The quorum needs a second approver: the review comes round again.
    assertThat(pi).hasPassed(Elements.GATEWAY_REVIEWED).hasNotPassed(Elements.EVENT_ACCESS_APPROVED)
        .isWaitingAt(Elements.TASK_REVIEW_REQUEST);
    assertThat(task()).hasCandidateGroup(APPROVERS);
    complete(task(), withVariables(Variables.REVIEW_OUTCOME, "APPROVE", Variables.REVIEW_COMMENT, "Agreed"));
    assertThat(reviewGuard.completedTasks).containsExactly(Elements.TASK_REVIEW_REQUEST, Elements.TASK_REVIEW_REQUEST);
    assertThat(pi).hasPassed(Elements.EVENT_ACCESS_APPROVED).isWaitingAt(Elements.TASK_GRANT_ACCESS);

    execute(job()); // grant
    assertThat(pi).isWaitingAt(Elements.TASK_MANAGE_ACCESS);

    runtimeService().createMessageCorrelation(Messages.REVOKE_REQUESTED)
        .processInstanceBusinessKey("REQ-1")
        .correlate();
    assertThat(pi).hasPassed(Elements.EVENT_REVOKE_REQUESTED, Elements.EVENT_REVOCATION_DUE)
        .hasNotPassed(Elements.EVENT_ACCESS_EXPIRED)
        .isWaitingAt(Elements.TASK_REVOKE_ACCESS);
    assertThat(managementService().createJobQuery().timers().count()).isZero();

    execute(job()); // revoke
    assertThat(pi).hasPassed(Elements.END_ACCESS_REVOKED).isEnded();
    assertThat(statuses).containsExactly(RequestStatus.PENDING_REVIEW.name(), RequestStatus.GRANTING.name(),
        RequestStatus.ACTIVE.name(), RequestStatus.REVOKING.name(), RequestStatus.REVOKED.name());
  }

  @Test
  void reviewerDeniesTheRequest() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "PowerUserAccess", "PT2H");

    assertThat(pi).isWaitingAt(Elements.TASK_REVIEW_REQUEST)
        .variables()
        .containsEntry(Variables.SCOPE_NAME, "Power user outside production")
        .containsEntry(Variables.APPROVAL_REASON, "Needs an approver's review (scope 'Power user outside production').");
    assertThat(task()).hasCandidateGroup(APPROVERS);

    complete(task(), withVariables(Variables.REVIEW_OUTCOME, "DENY", Variables.REVIEW_COMMENT, "Use read-only"));

    assertThat(pi).hasPassedInOrder(Elements.TASK_REVIEW_REQUEST, Elements.GATEWAY_REVIEWED,
            Elements.END_REQUEST_DENIED)
        .hasNotPassed(Elements.TASK_GRANT_ACCESS)
        .isEnded();
    assertThat(statuses).containsExactly(RequestStatus.PENDING_REVIEW.name(), RequestStatus.DENIED.name());
    assertThat(grantAccess.calls).isZero();
  }

  @Test
  void requesterWithdrawsTheRequestWhileItWaitsForReview() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "PowerUserAccess", "PT2H");
    assertThat(pi).isWaitingAt(Elements.TASK_REVIEW_REQUEST);

    runtimeService().createMessageCorrelation(Messages.REQUEST_WITHDRAWN)
        .processInstanceBusinessKey("REQ-1")
        .correlate();

    assertThat(pi).hasPassed(Elements.EVENT_REQUEST_WITHDRAWN, Elements.END_REQUEST_WITHDRAWN)
        .hasNotPassed(Elements.GATEWAY_REVIEWED, Elements.TASK_GRANT_ACCESS)
        .isEnded();
    assertThat(reviewGuard.completedTasks).isEmpty();
    assertThat(grantAccess.calls).isZero();
  }

  @Test
  void anApproversEditInTheReviewFormEndsThisRequestByItsEditedPath() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "PowerUserAccess", "PT2H");
    assertThat(pi).isWaitingAt(Elements.TASK_REVIEW_REQUEST);
    complete(task(), withVariables(Variables.REVIEW_OUTCOME, "EDIT", Variables.EDIT_DURATION, "PT30M",
        Variables.REVIEW_COMMENT, "half an hour is enough"));
    assertThat(pi).hasPassed(Elements.END_REQUEST_EDITED).isEnded();
    assertThat(statuses).endsWith(RequestStatus.SUPERSEDED.name());
    assertThat(grantAccess.calls).isZero();
  }

  @Test
  void aReviewWaitingAnHourRemindsItsApproversAndStaysOpen() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "PowerUserAccess", "PT2H");
    Job reminder = managementService().createJobQuery().processInstanceId(pi.getId())
        .activityId(Elements.EVENT_REVIEW_REMINDER).singleResult();
    assertThat(reminder.getDuedate()).isEqualTo(Date.from(Instant.parse("2025-06-02T10:00:00Z")));

    ClockUtil.setCurrentTime(reminder.getDuedate());
    execute(reminder);

    assertThat(reminders).containsExactly("REQ-1");
    assertThat(escalations).isEmpty();
    assertThat(pi).hasPassed(Elements.EVENT_REVIEW_REMINDER, Elements.TASK_REMIND_APPROVERS,
        Elements.END_APPROVERS_REMINDED).isWaitingAt(Elements.TASK_REVIEW_REQUEST);
    complete(task(), withVariables(Variables.REVIEW_OUTCOME, "DENY", Variables.REVIEW_COMMENT, "not today"));
    assertThat(pi).hasPassed(Elements.END_REQUEST_DENIED).isEnded();
  }

  @Test
  void aReviewWaitingFourHoursIsEscalatedAndStaysOpen() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "PowerUserAccess", "PT2H");
    Job waiting = managementService().createJobQuery().processInstanceId(pi.getId())
        .activityId(Elements.EVENT_REVIEW_WAITING).singleResult();
    assertThat(waiting.getDuedate()).isEqualTo(Date.from(Instant.parse("2025-06-02T13:00:00Z")));

    ClockUtil.setCurrentTime(waiting.getDuedate());
    execute(waiting);

    assertThat(escalations).containsExactly("REQ-1");
    assertThat(pi).hasPassed(Elements.EVENT_REVIEW_WAITING, Elements.TASK_ESCALATE_REVIEW, Elements.END_REVIEW_ESCALATED)
        .isWaitingAt(Elements.TASK_REVIEW_REQUEST);
    complete(task(), withVariables(Variables.REVIEW_OUTCOME, "APPROVE"));
    assertThat(pi).isWaitingAt(Elements.TASK_GRANT_ACCESS);
  }

  @Test
  void aReviewNobodyDoesExpiresTheRequestAfter24Hours() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "PowerUserAccess", "PT2H");
    Job overdue = managementService().createJobQuery().processInstanceId(pi.getId())
        .activityId(Elements.EVENT_REVIEW_OVERDUE).singleResult();
    assertThat(overdue.getDuedate()).isEqualTo(Date.from(Instant.parse("2025-06-03T09:00:00Z")));

    ClockUtil.setCurrentTime(overdue.getDuedate());
    execute(overdue);

    assertThat(pi).hasPassedInOrder(Elements.EVENT_REVIEW_OVERDUE, Elements.TASK_EXPIRE_REQUEST,
            Elements.END_REQUEST_EXPIRED)
        .hasNotPassed(Elements.GATEWAY_REVIEWED)
        .isEnded();
    assertThat(statuses).containsExactly(RequestStatus.PENDING_REVIEW.name(), RequestStatus.EXPIRED.name());
    assertThat(taskService().createTaskQuery().processInstanceId(pi.getId()).count()).isZero();
  }

  @Test
  void anApprovedRequestWithAScheduledStartIsGrantedThen() {
    Date startAt = Date.from(Instant.parse("2025-06-02T13:00:00Z"));
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT30M", startAt);

    assertThat(pi).hasPassed(Elements.GATEWAY_SCHEDULED).isWaitingAt(Elements.GATEWAY_AWAIT_START);
    Job start = job(pi);
    assertThat(start.getDuedate()).isEqualTo(startAt);
    assertThat(grantAccess.calls).isZero();

    ClockUtil.setCurrentTime(startAt);
    execute(start);
    assertThat(pi).hasPassed(Elements.EVENT_SCHEDULED_START).isWaitingAt(Elements.TASK_GRANT_ACCESS);
    execute(job(pi)); // grant
    assertThat(grantAccess.calls).isEqualTo(1);
    assertThat(pi).isWaitingAt(Elements.TASK_MANAGE_ACCESS);
  }

  @Test
  void aScheduledRequestIsWithdrawnBeforeItsStart() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT30M",
        Date.from(Instant.parse("2025-06-03T08:00:00Z")));
    assertThat(pi).isWaitingAt(Elements.GATEWAY_AWAIT_START);

    runtimeService().createMessageCorrelation(Messages.REQUEST_WITHDRAWN).processInstanceBusinessKey("REQ-1").correlate();

    assertThat(pi).hasPassed(Elements.EVENT_SCHEDULE_WITHDRAWN, Elements.END_SCHEDULE_WITHDRAWN)
        .hasNotPassed(Elements.TASK_GRANT_ACCESS).isEnded();
    assertThat(grantAccess.calls).isZero();
  }

  @Test
  void breakGlassIsGrantedAtOnceAndKeptAfterTheReview() {
    ProcessInstance pi = request("bob", List.of(REQUESTERS, APPROVERS), PRODUCTION, "PowerUserAccess", "PT30M", null,
        true);
    assertThat(pi).hasNotPassed(Elements.TASK_REVIEW_REQUEST).isWaitingAt(Elements.TASK_GRANT_ACCESS);
    execute(job(pi)); // grant
    assertThat(pi).hasPassed(Elements.GATEWAY_GRANTED, Elements.GATEWAY_BREAK_GLASS)
        .isWaitingAt(Elements.TASK_MANAGE_ACCESS, Elements.TASK_REVIEW_BREAK_GLASS);
    assertThat(task(Elements.TASK_REVIEW_BREAK_GLASS)).hasCandidateGroup(APPROVERS);
    assertThat(task(Elements.TASK_MANAGE_ACCESS)).isAssignedTo("bob");

    complete(task(Elements.TASK_REVIEW_BREAK_GLASS), withVariables(Variables.REVIEW_OUTCOME, "APPROVE",
        Variables.REVIEW_COMMENT, "Incident INC-9"));
    assertThat(pi).hasPassed(Elements.END_BREAK_GLASS_ACCEPTED).isWaitingAt(Elements.TASK_MANAGE_ACCESS);
  }

  @Test
  void breakGlassRejectedAfterTheFactIsRevokedAtOnce() {
    ProcessInstance pi = request("bob", List.of(REQUESTERS, APPROVERS), PRODUCTION, "PowerUserAccess", "PT30M", null,
        true);
    execute(job(pi)); // grant
    complete(task(Elements.TASK_REVIEW_BREAK_GLASS), withVariables(Variables.REVIEW_OUTCOME, "DENY",
        Variables.REVIEW_COMMENT, "Not an incident"));

    assertThat(pi).hasPassed(Elements.END_BREAK_GLASS_REJECTED, Elements.EVENT_BREAK_GLASS_REJECTED,
            Elements.EVENT_REVOCATION_DUE)
        .hasNotPassed(Elements.EVENT_ACCESS_EXPIRED)
        .isWaitingAt(Elements.TASK_REVOKE_ACCESS);
    assertThat(taskService().createTaskQuery().processInstanceId(pi.getId()).count()).isZero();
    execute(job(pi)); // revoke
    assertThat(pi).hasPassed(Elements.END_ACCESS_REVOKED).isEnded();
  }

  /**
   * A revoke that fails (AWS throttling beyond the SDK's own retries) is tried again within
   * seconds, not minutes: 2, 4, 8, 15, 30 s, then 1, 2 and 5 minutes, twelve retries (about 30
   * minutes) before the incident.
   */
  @Test
  void failingRevokeIsRetriedWithinSecondsThenEndsAsAnIncident() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT30M");
    execute(job(pi)); // grant
    Job timer = job(pi);
    ClockUtil.setCurrentTime(timer.getDuedate());
    execute(timer); // access expired
    revokeAccess.failure = () -> new IllegalStateException("ThrottlingException: Rate exceeded");

    List<Long> waits = new java.util.ArrayList<>();
    Job revokeJob = job(pi);
    while (revokeJob.getRetries() > 0) {
      String jobId = revokeJob.getId();
      Date failedAt = ClockUtil.getCurrentTime();
      assertThatThrownBy(() -> managementService().executeJob(jobId)).hasMessageContaining("Rate exceeded");
      revokeJob = job(pi);
      if (revokeJob.getRetries() > 0) {
        waits.add((revokeJob.getDuedate().getTime() - failedAt.getTime()) / 1000);
        ClockUtil.setCurrentTime(revokeJob.getDuedate());
      }
    }

    assertThat(waits).containsExactly(2L, 4L, 8L, 15L, 30L, 60L, 120L, 300L, 300L, 300L, 300L, 300L);
    assertThat(revokeAccess.calls).isEqualTo(13); // the first try and twelve retries
    Incident incident = runtimeService().createIncidentQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(incident.getActivityId()).isEqualTo(Elements.TASK_REVOKE_ACCESS);
  }

  @Test
  void grantRejectedByAwsEndsTheRequestAsFailed() {
    grantAccess.failure = () -> new BpmnError(AccessRequestModel.Errors.GRANT_REJECTED, "no such account");
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ViewOnlyAccess", "PT15M");

    execute(job(pi)); // grant

    assertThat(pi).hasPassed(Elements.EVENT_GRANT_REJECTED, Elements.END_GRANT_FAILED)
        .hasNotPassed(Elements.TASK_MANAGE_ACCESS)
        .isEnded();
    assertThat(statuses).containsExactly(RequestStatus.GRANTING.name(), RequestStatus.FAILED.name());
  }

  @Test
  void failingGrantIsRetriedAndEndsAsAnIncident() {
    grantAccess.failure = () -> new IllegalStateException("AWS is unavailable");
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT1H");

    Job grantJob = job(pi);
    int executions = 0;
    while (grantJob.getRetries() > 0) {
      String jobId = grantJob.getId();
      assertThatThrownBy(() -> managementService().executeJob(jobId))
          .hasMessageContaining("AWS is unavailable");
      executions++;
      grantJob = job(pi);
    }

    assertThat(executions).isEqualTo(5); // R5/PT1M
    assertThat(grantAccess.calls).isEqualTo(5);
    Incident incident = runtimeService().createIncidentQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(incident).isNotNull();
    assertThat(incident.getIncidentType()).isEqualTo(Incident.FAILED_JOB_HANDLER_TYPE);
    assertThat(incident.getActivityId()).isEqualTo(Elements.TASK_GRANT_ACCESS);
    assertThat(incident.getIncidentMessage()).contains("AWS is unavailable");
    assertThat(pi).isWaitingAt(Elements.TASK_GRANT_ACCESS).isNotEnded();
    assertThat(statuses).containsExactly(RequestStatus.GRANTING.name());
  }

  @Test
  void failedGrantIsRetriedOneMinuteLater() {
    grantAccess.failure = () -> new IllegalStateException("throttled");
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT1H");

    String jobId = job(pi).getId();
    assertThatThrownBy(() -> managementService().executeJob(jobId)).hasMessageContaining("throttled");

    Job retry = job(pi);
    assertThat(retry.getRetries()).isEqualTo(4);
    assertThat(retry.getDuedate()).isEqualTo(Date.from(Instant.parse("2025-06-02T09:01:00Z")));
  }

  @Test
  void whileTheAccessIsActiveItsPrincipalHasATaskDueAtItsEnd() throws Exception {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT30M");
    execute(job(pi)); // grant
    assertThat(pi).isWaitingAt(Elements.TASK_MANAGE_ACCESS);

    assertThat(pi).isWaitingAt(Elements.TASK_MANAGE_ACCESS);
    assertThat(task()).hasDefinitionKey(Elements.TASK_MANAGE_ACCESS).isAssignedTo("alice")
        .hasName("Your access: ReadOnlyAccess")
        .hasDueDate(Date.from(Instant.parse("2025-06-02T09:30:00Z")));
    CamundaFormRef formRef = formService().getTaskFormData(task().getId()).getCamundaFormRef();
    assertThat(formRef.getKey()).isEqualTo(AccessRequestModel.Forms.YOUR_ACCESS);
    assertThat(formRef.getBinding()).isEqualTo("deployment");
    try (InputStream form = formService().getDeployedTaskForm(task().getId())) {
      assertThat(new String(form.readAllBytes(), StandardCharsets.UTF_8))
          .contains("\"key\": \"accessAction\"", "\"END_NOW\"", "\"EXTEND\"", "\"key\": \"extendBy\"");
    }
    // Expiry ends the task with the access.
    Job timer = job();
    ClockUtil.setCurrentTime(timer.getDuedate());
    execute(timer);
    assertThat(pi).hasPassed(Elements.EVENT_ACCESS_EXPIRED).isWaitingAt(Elements.TASK_REVOKE_ACCESS);
    assertThat(taskService().createTaskQuery().processInstanceId(pi.getId()).count()).isZero();
  }

  @Test
  void thePrincipalEndsTheAccessNowFromTheTask() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT30M");
    execute(job(pi)); // grant
    assertThat(pi).isWaitingAt(Elements.TASK_MANAGE_ACCESS);

    complete(task(), withVariables(Variables.ACCESS_ACTION, "END_NOW", Variables.ACCESS_REASON, "done"));

    assertThat(accessTaskGuard.actions).containsExactly("END_NOW");
    assertThat(pi).hasPassedInOrder(Elements.TASK_MANAGE_ACCESS, Elements.GATEWAY_ACCESS_ACTION,
            Elements.EVENT_REVOCATION_DUE)
        .hasNotPassed(Elements.EVENT_ACCESS_EXPIRED, Elements.EVENT_REVOKE_REQUESTED)
        .isWaitingAt(Elements.TASK_REVOKE_ACCESS);
    assertThat(managementService().createJobQuery().timers().count()).isZero();
    execute(job()); // revoke
    assertThat(pi).hasPassed(Elements.END_ACCESS_REVOKED).isEnded();
    assertThat(statuses).containsExactly(RequestStatus.GRANTING.name(), RequestStatus.ACTIVE.name(),
        RequestStatus.REVOKING.name(), RequestStatus.REVOKED.name());
  }

  @Test
  void askingForMoreTimeKeepsTheAccessAndItsTaskUntilTheReworkReplacesIt() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT30M");
    execute(job(pi)); // grant
    assertThat(pi).isWaitingAt(Elements.TASK_MANAGE_ACCESS);
    String first = task().getId();

    complete(task(), withVariables(Variables.ACCESS_ACTION, "EXTEND", Variables.EXTEND_BY, "PT1H",
        Variables.ACCESS_REASON, "the migration runs longer"));

    assertThat(accessTaskGuard.actions).containsExactly("EXTEND");
    assertThat(pi).hasPassed(Elements.GATEWAY_ACCESS_ACTION).hasNotPassed(Elements.EVENT_REVOCATION_DUE)
        .isWaitingAt(Elements.TASK_MANAGE_ACCESS);
    assertThat(task().getId()).isNotEqualTo(first);
    assertThat(task()).isAssignedTo("alice");
    // The end is still the grant's own, until an approved rework replaces the access.
    assertThat(job().getDuedate()).isEqualTo(Date.from(Instant.parse("2025-06-02T09:30:00Z")));
    assertThat(statuses).containsExactly(RequestStatus.GRANTING.name(), RequestStatus.ACTIVE.name());

    runtimeService().createMessageCorrelation(Messages.REVOKE_REQUESTED).processInstanceBusinessKey("REQ-1").correlate();
    assertThat(pi).hasPassed(Elements.EVENT_REVOKE_REQUESTED).isWaitingAt(Elements.TASK_REVOKE_ACCESS);
    assertThat(taskService().createTaskQuery().processInstanceId(pi.getId()).count()).isZero();
  }

  @Test
  void aRefusedChoiceLeavesTheTaskAndTheAccessAsTheyWere() {
    ProcessInstance pi = request("alice", List.of(REQUESTERS), SANDBOX, "ReadOnlyAccess", "PT30M");
    execute(job(pi)); // grant
    assertThat(pi).isWaitingAt(Elements.TASK_MANAGE_ACCESS);
    String taskId = task().getId();

    assertThatThrownBy(() -> taskService().complete(taskId, withVariables(Variables.ACCESS_ACTION, "KEEP_FOREVER")))
        .hasMessageContaining("accessAction");

    assertThat(pi).isWaitingAt(Elements.TASK_MANAGE_ACCESS).hasNotPassed(Elements.GATEWAY_ACCESS_ACTION);
    assertThat(task().getId()).isEqualTo(taskId);
    assertThat(statuses).containsExactly(RequestStatus.GRANTING.name(), RequestStatus.ACTIVE.name());
  }

  // ---------------------------------------------------------------------------------------------

  /** Starts the process as the start form would, signed in as {@code requester}. */
  private ProcessInstance request(String requester, List<String> groups, String target, String permission,
      String duration) {
    return request(requester, groups, target, permission, duration, null);
  }

  /** ... with a scheduled start (null: at approval). */
  private ProcessInstance request(String requester, List<String> groups, String target, String permission,
      String duration, Date startAt) {
    return request(requester, groups, target, permission, duration, startAt, false);
  }

  /** ... asking for break-glass access. */
  private ProcessInstance request(String requester, List<String> groups, String target, String permission,
      String duration, Date startAt, boolean breakGlass) {
    registerRequest.requesterGroups = groups;
    processEngine.getIdentityService().setAuthenticatedUserId(requester);
    try {
      return runtimeService().startProcessInstanceByKey(PROCESS_KEY, withVariables(
          Variables.SYSTEM, "AWS",
          Variables.TARGET, target,
          Variables.PRINCIPAL, requester + "@example.org",
          Variables.PERMISSION, permission,
          Variables.DURATION, duration,
          Variables.JUSTIFICATION, "Investigate the failed deployment",
          Variables.TICKET, "OPS-42",
          Variables.START_AT, startAt,
          Variables.BREAK_GLASS, breakGlass));
    } finally {
      processEngine.getIdentityService().clearAuthentication();
    }
  }

  private void assertReviewFormIsDeployed(String taskId) throws Exception {
    CamundaFormRef formRef = formService().getTaskFormData(taskId).getCamundaFormRef();
    assertThat(formRef.getKey()).isEqualTo(AccessRequestModel.Forms.REVIEW_ACCESS_REQUEST);
    assertThat(formRef.getBinding()).isEqualTo("deployment");
    try (InputStream form = formService().getDeployedTaskForm(taskId)) {
      assertThat(new String(form.readAllBytes(), StandardCharsets.UTF_8))
          .contains("\"key\": \"reviewOutcome\"");
    }
  }

  private Object historicVariable(ProcessInstance pi, String name) {
    HistoricVariableInstance variable = historyService().createHistoricVariableInstanceQuery()
        .processInstanceId(pi.getId()).variableName(name).singleResult();
    assertThat(variable).as("historic variable %s", name).isNotNull();
    return variable.getValue();
  }

  /** Records the statuses the model reports, in order. */
  public static class RecordingRequestStatus {
    final List<String> statuses;

    RecordingRequestStatus(List<String> statuses) {
      this.statuses = statuses;
    }

    public void update(DelegateExecution execution, String status) {
      assertThat(execution.getProcessBusinessKey()).isEqualTo("REQ-1");
      statuses.add(status);
    }
  }

  /** Does what the real delegate does to the process data, without validation. */
  static class FakeRegisterRequest implements JavaDelegate {
    List<String> requesterGroups = List.of();

    @Override
    public void execute(DelegateExecution execution) {
      String requester = execution.getProcessEngineServices().getIdentityService().getCurrentAuthentication()
          .getUserId();
      assertThat(requester).isNotNull();
      execution.setVariable(Variables.REQUESTER, requester);
      execution.setProcessBusinessKey("REQ-1");
      execution.setVariable(Variables.REQUEST_ID, "REQ-1");
      String duration = (String) execution.getVariable(Variables.DURATION);
      execution.setVariable(Variables.DURATION_MINUTES, Duration.parse(duration).toMinutes());
      // a java.util.List, stored as JSON (Java serialization is disabled)
      execution.setVariable(Variables.REQUESTER_GROUPS, new ArrayList<>(requesterGroups));
    }
  }

  /** Sets grantEnd = now + duration, or fails as told. */
  static class FakeGrantAccess implements JavaDelegate {
    final List<String> statuses;
    java.util.function.Supplier<RuntimeException> failure;
    int calls;

    FakeGrantAccess(List<String> statuses) {
      this.statuses = statuses;
    }

    @Override
    public void execute(DelegateExecution execution) {
      calls++;
      if (failure != null) {
        RuntimeException e = failure.get();
        if (e instanceof BpmnError) {
          statuses.add(RequestStatus.FAILED.name());
        }
        throw e;
      }
      statuses.add(RequestStatus.ACTIVE.name());
      long minutes = (Long) execution.getVariable(Variables.DURATION_MINUTES);
      execution.setVariable(Variables.GRANT_END,
          Date.from(ClockUtil.getCurrentTime().toInstant().plus(Duration.ofMinutes(minutes))));
    }
  }

  static class RecordingDelegate implements JavaDelegate {
    final List<String> statuses;
    int calls;
    java.util.function.Supplier<RuntimeException> failure;

    RecordingDelegate(List<String> statuses) {
      this.statuses = statuses;
    }

    @Override
    public void execute(DelegateExecution execution) {
      calls++;
      if (failure != null) {
        throw failure.get();
      }
      statuses.add(RequestStatus.REVOKED.name());
    }
  }

  /** Records the checked choice, refuses any other (as the real guard's use case does). */
  static class RecordingAccessTaskGuard implements TaskListener {
    final List<String> actions = new ArrayList<>();

    @Override
    public void notify(DelegateTask task) {
      if (!TaskListener.EVENTNAME_COMPLETE.equals(task.getEventName())) {
        return;
      }
      String action = String.valueOf(task.getVariable(Variables.ACCESS_ACTION));
      if (!List.of("END_NOW", "EXTEND").contains(action)) {
        throw new IllegalArgumentException("accessAction: must be END_NOW or EXTEND");
      }
      actions.add(action);
    }
  }

  static class RecordingReviewGuard implements TaskListener {
    final List<String> statuses;
    final List<String> completedTasks = new ArrayList<>();
    int approvalsRequired = 1;
    int approvals;

    RecordingReviewGuard(List<String> statuses) {
      this.statuses = statuses;
    }

    @Override
    public void notify(DelegateTask task) {
      assertThat(task.getEventName()).isEqualTo(TaskListener.EVENTNAME_COMPLETE);
      completedTasks.add(task.getTaskDefinitionKey());
      if ("EDIT".equals(task.getVariable(Variables.REVIEW_OUTCOME))) {
        task.getExecution().setVariable(Variables.MORE_APPROVALS_NEEDED, false);
        statuses.add(RequestStatus.SUPERSEDED.name());
        return;
      }
      boolean approved = "APPROVE".equals(task.getVariable(Variables.REVIEW_OUTCOME));
      boolean moreNeeded = approved && ++approvals < approvalsRequired;
      task.getExecution().setVariable(Variables.MORE_APPROVALS_NEEDED, moreNeeded);
      if (!moreNeeded) {
        statuses.add(approved ? RequestStatus.GRANTING.name() : RequestStatus.DENIED.name());
      }
    }
  }
}
