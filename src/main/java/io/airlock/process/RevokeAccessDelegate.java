package io.airlock.process;

import io.airlock.request.RequestService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** "Revoke access in AWS" (async, retried until it succeeds or an operator steps in). */
@Component("revokeAccessDelegate")
class RevokeAccessDelegate implements JavaDelegate {

  private final RequestService requests;

  RevokeAccessDelegate(RequestService requests) {
    this.requests = requests;
  }

  @Override
  public void execute(DelegateExecution execution) {
    requests.revoke(execution.getProcessBusinessKey());
  }
}
