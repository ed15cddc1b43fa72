package io.airlock.process;

import io.airlock.request.AccessLifecycle;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** "Remind approvers": the review still waits; the use case records it and tells the approvers. */
@Component("remindApproversDelegate")
class RemindApproversDelegate implements JavaDelegate {

  private final AccessLifecycle lifecycle;
  private final IdentityService identity;

  RemindApproversDelegate(AccessLifecycle lifecycle, IdentityService identity) {
    this.lifecycle = lifecycle;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    lifecycle.remindApprovers(Steps.of(execution, identity));
  }
}
