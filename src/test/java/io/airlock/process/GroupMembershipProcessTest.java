package io.airlock.process;

import static io.airlock.process.GroupMembershipModel.PROCESS_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.complete;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.runtimeService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.task;

import io.airlock.process.GroupMembershipModel.Beans;
import io.airlock.process.GroupMembershipModel.Elements;
import io.airlock.process.GroupMembershipModel.Variables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.delegate.TaskListener;
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
 * Runs {@code bpmn/group-membership-change.bpmn} with fake steps: the review task goes to the
 * reviewer groups, the gateway follows what the review guard recorded (not the variable sent with
 * the completion), and the change is its own job (retried, then an incident in Cockpit).
 */
@Deployment(resources = {"bpmn/group-membership-change.bpmn", "forms/review-membership-change.form"})
class GroupMembershipProcessTest {

  @RegisterExtension
  static ProcessEngineCoverageExtension engine =
      ProcessEngineCoverageExtension.builder().assertClassCoverageAtLeast(0.9).build();

  ProcessEngine processEngine;

  private final List<String> changed = new ArrayList<>();
  /** What the fake guard records, whatever the completion says. */
  private boolean recordedApproval;

  @BeforeEach
  void registerBeans() {
    BpmnAwareTests.init(processEngine);
    Mocks.register(Beans.REVIEW_GUARD, (TaskListener) t ->
        t.getExecution().getProcessInstance().setVariable(Variables.APPROVED, recordedApproval));
    Mocks.register(Beans.CHANGE_DELEGATE, (JavaDelegate) e -> changed.add(e.getProcessBusinessKey()));
  }

  @AfterEach
  void reset() {
    Mocks.reset();
    BpmnAwareTests.reset();
  }

  private ProcessInstance start(String id) {
    return runtimeService().startProcessInstanceByKey(PROCESS_KEY, id, Map.of(
        Variables.USER, "admin", Variables.GROUP, "airlock-policy-authors", Variables.CHANGE, "ADD",
        Variables.REASON, "fix the table", Variables.REQUESTED_BY, "admin",
        Variables.REVIEWER_GROUPS, "airlock-security,camunda-admin"));
  }

  @Test
  void anApprovedChangeIsMadeInAJobOfItsOwn() {
    ProcessInstance pi = start("change-1");
    assertThat(pi).isWaitingAt(Elements.TASK_REVIEW);
    assertThat(task()).hasCandidateGroup("airlock-security").hasCandidateGroup("camunda-admin")
        .hasName("Review group membership change");
    recordedApproval = true;
    complete(task(), Map.of(Variables.OUTCOME, "APPROVE"));
    assertThat(pi).isWaitingAt(Elements.TASK_CHANGE);
    assertThat(changed).isEmpty();
    execute(job());
    assertThat(changed).containsExactly("change-1");
    assertThat(pi).isEnded().hasPassed(Elements.END_CHANGED);
  }

  @Test
  void theGatewayFollowsTheRecordedDecisionNotTheVariableSent() {
    ProcessInstance pi = start("change-2");
    assertThat(pi).isWaitingAt(Elements.TASK_REVIEW);
    recordedApproval = false;
    complete(task(), Map.of(Variables.OUTCOME, "APPROVE", Variables.APPROVED, true));
    assertThat(pi).isEnded().hasPassed(Elements.END_DENIED).hasNotPassed(Elements.TASK_CHANGE);
    assertThat(changed).isEmpty();
  }
}
