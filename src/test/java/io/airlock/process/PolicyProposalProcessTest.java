package io.airlock.process;

import static io.airlock.process.PolicyProposalModel.PROCESS_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.repositoryService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.runtimeService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.taskService;

import io.airlock.process.PolicyProposalModel.Beans;
import io.airlock.process.PolicyProposalModel.Elements;
import io.airlock.process.PolicyProposalModel.Variables;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.community.process_test_coverage.junit5.platform7.ProcessEngineCoverageExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs {@code bpmn/policy-proposal.bpmn} on an in-memory engine with fake steps: simulate, review
 * by the policy approvers (the guard's recorded decision routes, not the form's value), put in
 * force or superseded, rejected, and expired when nobody reviews it in 14 days.
 */
@Deployment(resources = {"bpmn/policy-proposal.bpmn", "forms/review-policy-proposal.form"})
class PolicyProposalProcessTest {

  @RegisterExtension
  static ProcessEngineCoverageExtension engine =
      ProcessEngineCoverageExtension.builder().assertClassCoverageAtLeast(0.9).build();

  ProcessEngine processEngine;

  private final List<String> steps = new ArrayList<>();
  /** What the (fake) domain records for the decision, whatever the form sent. */
  private boolean recordedApproval;
  private boolean inForce = true;

  @BeforeEach
  void registerBeans() {
    BpmnAwareTests.init(processEngine);
    Mocks.register(Beans.SIMULATE_DELEGATE, (JavaDelegate) e -> {
      steps.add("simulate");
      e.setVariable(Variables.PROPOSAL_SIMULATION, "3 requests would flip from MANUAL to APPROVE");
    });
    Mocks.register(Beans.REVIEW_GUARD, (TaskListener) (DelegateTask t) -> {
      if (TaskListener.EVENTNAME_CREATE.equals(t.getEventName())) {
        t.setName("Review " + t.getVariable(Variables.PROPOSAL_TITLE) + " by " + t.getVariable(Variables.PROPOSAL_AUTHOR));
      } else {
        steps.add("review");
        t.getExecution().setVariable(Variables.PROPOSAL_APPROVED, recordedApproval);
      }
    });
    Mocks.register(Beans.PUT_IN_FORCE_DELEGATE, (JavaDelegate) e -> {
      steps.add("putInForce");
      e.setVariable(Variables.POLICY_IN_FORCE, inForce);
    });
    Mocks.register(Beans.EXPIRE_DELEGATE, (JavaDelegate) e -> steps.add("expire"));
  }

  @AfterEach
  void reset() {
    Mocks.reset();
    ClockUtil.reset();
    BpmnAwareTests.reset();
  }

  @Test
  void isNamedWithHistoryTimeToLive() {
    ProcessDefinition process = repositoryService().createProcessDefinitionQuery()
        .processDefinitionKey(PROCESS_KEY).singleResult();
    assertThat(process.getName()).isEqualTo("Review a policy proposal");
    assertThat(process.getHistoryTimeToLive()).isEqualTo(400);
  }

  @Test
  void anApprovedProposalIsPutInForce() {
    ProcessInstance pi = start();
    reviewed(pi, "APPROVE", true);
    assertThat(pi).isWaitingAt(Elements.TASK_PUT_IN_FORCE);
    execute(job());
    assertThat(pi).isEnded().hasPassed(Elements.END_IN_FORCE);
    assertThat(steps).containsExactly("simulate", "review", "putInForce");
  }

  @Test
  void theRecordedDecisionRoutesNotTheForm() {
    ProcessInstance pi = start();
    // the form says APPROVE, but the domain refused to record an approval (false): nothing is put in force
    reviewed(pi, "APPROVE", false);
    assertThat(pi).isEnded().hasPassed(Elements.END_REJECTED).hasNotPassed(Elements.TASK_PUT_IN_FORCE);
  }

  @Test
  void aProposalOvertakenByAnotherChangeIsSuperseded() {
    inForce = false;
    ProcessInstance pi = start();
    reviewed(pi, "APPROVE", true);
    execute(job());
    assertThat(pi).isEnded().hasPassed(Elements.END_SUPERSEDED);
  }

  @Test
  void aProposalNobodyReviewsExpiresAfter14Days() {
    ProcessInstance pi = start();
    execute(job());
    assertThat(pi).isWaitingAt(Elements.TASK_REVIEW);
    ClockUtil.setCurrentTime(new Date(ClockUtil.getCurrentTime().getTime() + 14L * 24 * 3600 * 1000 + 1000));
    execute(job());
    assertThat(pi).isEnded().hasPassed(Elements.END_EXPIRED);
    assertThat(steps).containsExactly("simulate", "expire");
  }

  private ProcessInstance start() {
    ProcessInstance pi = runtimeService().createProcessInstanceByKey(PROCESS_KEY).businessKey("7")
        .setVariables(Map.of(Variables.PROPOSAL_ID, 7L, Variables.PROPOSAL_TITLE, "Policy proposal 7: auto-approval.dmn",
            Variables.PROPOSAL_AUTHOR, "pat", Variables.POLICY_APPROVER_GROUP, "airlock-policy-approvers"))
        .execute();
    assertThat(pi).isWaitingAt(Elements.TASK_SIMULATE);
    return pi;
  }

  private void reviewed(ProcessInstance pi, String decision, boolean recorded) {
    execute(job());
    assertThat(pi).isWaitingAt(Elements.TASK_REVIEW);
    Task review = task(pi);
    assertThat(review.getName()).isEqualTo("Review Policy proposal 7: auto-approval.dmn by pat");
    assertThat(taskService().createTaskQuery().taskCandidateGroup("airlock-policy-approvers").count()).isEqualTo(1);
    assertThat(runtimeService().getVariable(pi.getId(), Variables.PROPOSAL_SIMULATION)).asString()
        .contains("would flip");
    recordedApproval = recorded;
    complete(review, Map.of(Variables.PROPOSAL_DECISION, decision));
  }
}
