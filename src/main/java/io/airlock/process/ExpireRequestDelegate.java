package io.airlock.process;

import io.airlock.request.AccessLifecycle;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** "Expire access request": the review's timer fired; the use case records EXPIRED. */
@Component("expireRequestDelegate")
class ExpireRequestDelegate implements JavaDelegate {

  private final AccessLifecycle lifecycle;
  private final IdentityService identity;

  ExpireRequestDelegate(AccessLifecycle lifecycle, IdentityService identity) {
    this.lifecycle = lifecycle;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    lifecycle.expire(Steps.of(execution, identity));
  }
}
