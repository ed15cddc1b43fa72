package io.airlock.process;

import io.airlock.request.AccessLifecycle;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * "Revoke access in AWS" (async, retried until it succeeds or an operator steps in). The use
 * case revokes only access this instance's request holds, when the clock or an entitled
 * actor's recorded request allows it.
 */
@Component("revokeAccessDelegate")
class RevokeAccessDelegate implements JavaDelegate {

  private final AccessLifecycle lifecycle;
  private final IdentityService identity;

  RevokeAccessDelegate(AccessLifecycle lifecycle, IdentityService identity) {
    this.lifecycle = lifecycle;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    lifecycle.revoke(Steps.of(execution, identity));
  }
}
