package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.APPROVER_GROUPS;

import io.airlock.request.Reviews;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * "Escalate review": the review has waited too long; the use case adds the scope's escalation
 * group to the request's approver groups, and the review task gets it as a candidate group, so
 * its members see the task in Tasklist and may complete it.
 */
@Component("escalateReviewDelegate")
class EscalateReviewDelegate implements JavaDelegate {

  private final Reviews reviews;
  private final IdentityService identity;

  EscalateReviewDelegate(Reviews reviews, IdentityService identity) {
    this.reviews = reviews;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    String group = reviews.escalate(Steps.of(execution, identity));
    if (group == null) {
      return;
    }
    TaskService tasks = execution.getProcessEngineServices().getTaskService();
    tasks.createTaskQuery().processInstanceId(execution.getProcessInstanceId())
        .taskDefinitionKey(AccessRequestModel.Elements.TASK_REVIEW_REQUEST).list()
        .forEach(task -> tasks.addCandidateGroup(task.getId(), group));
    Object groups = execution.getVariable(APPROVER_GROUPS);
    if (groups == null || !String.valueOf(groups).contains(group)) {
      execution.setVariable(APPROVER_GROUPS, groups == null ? group : groups + "," + group);
    }
  }
}
