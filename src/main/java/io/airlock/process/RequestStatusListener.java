package io.airlock.process;

import static io.airlock.process.AccessRequestProcess.Variables.*;

import io.airlock.request.RequestService;
import io.airlock.request.RequestService.PolicyDecision;
import io.airlock.request.RequestStatus;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.stereotype.Component;

/**
 * Called from the model's execution listeners as {@code ${requestStatus.update(execution, 'X')}}:
 * records the request's new status, and what the policy decided, on Airlock's request.
 */
@Component("requestStatus")
public class RequestStatusListener {

  private final RequestService requests;
  private final IdentityService identity;

  RequestStatusListener(RequestService requests, IdentityService identity) {
    this.requests = requests;
    this.identity = identity;
  }

  public void update(DelegateExecution execution, String status) {
    PolicyDecision decision = null;
    if (execution.hasVariable(SCOPE_NAME) || execution.hasVariable(APPROVAL_OUTCOME)) {
      decision = new PolicyDecision(
          (String) execution.getVariable(SCOPE_NAME),
          (String) execution.getVariable(APPROVER_GROUPS),
          (String) execution.getVariable(APPROVAL_OUTCOME),
          (String) execution.getVariable(APPROVAL_REASON));
    }
    Authentication auth = identity.getCurrentAuthentication();
    requests.recordStatus(execution.getProcessBusinessKey(), RequestStatus.valueOf(status),
        auth == null ? null : auth.getUserId(), decision);
  }
}
