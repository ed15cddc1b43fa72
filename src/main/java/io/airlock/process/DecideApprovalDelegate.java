package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.APPROVAL_OUTCOME;
import static io.airlock.process.AccessRequestModel.Variables.APPROVAL_REASON;

import io.airlock.request.AccessLifecycle;
import io.airlock.request.AccessPolicy;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * "Decide on auto-approval" (business rule task): the use case evaluates dmn/auto-approval.dmn
 * on the stored request and moves it to GRANTING, DENIED or PENDING_REVIEW; the outcome is
 * copied into variables for the gateway and the review form.
 */
@Component("decideApprovalDelegate")
class DecideApprovalDelegate implements JavaDelegate {

  private final AccessLifecycle lifecycle;
  private final IdentityService identity;

  DecideApprovalDelegate(AccessLifecycle lifecycle, IdentityService identity) {
    this.lifecycle = lifecycle;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    AccessPolicy.Approval[] result = new AccessPolicy.Approval[1];
    EngineErrors.translate(() -> result[0] = lifecycle.decideApproval(Steps.of(execution, identity)));
    AccessPolicy.Approval approval = result[0];
    execution.setVariable(APPROVAL_OUTCOME, approval.outcome());
    execution.setVariable(APPROVAL_REASON, approval.reason());
    execution.setVariable(AccessRequestModel.Variables.BREAK_GLASS, approval.breakGlass());
  }
}
