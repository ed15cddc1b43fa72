package io.airlock.process;

import io.airlock.request.AccessLifecycle;
import io.airlock.request.RequestStatus;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * Called from the model's execution listeners as {@code ${requestStatus.update(execution, 'X')}}.
 * The use cases move the request's status themselves at each step; the model reports only what
 * has no step of its own: {@code REVOKING}, when the timer or the revoke message fires (refused
 * unless the clock or an entitled actor's recorded request allows it).
 */
@Component("requestStatus")
public class RequestStatusListener {

  private final AccessLifecycle lifecycle;
  private final IdentityService identity;

  RequestStatusListener(AccessLifecycle lifecycle, IdentityService identity) {
    this.lifecycle = lifecycle;
    this.identity = identity;
  }

  public void update(DelegateExecution execution, String status) {
    if (!RequestStatus.REVOKING.name().equals(status)) {
      throw new IllegalArgumentException("The model may report only REVOKING; Airlock's steps set " + status);
    }
    EngineErrors.translate(() -> lifecycle.revocationDue(Steps.of(execution, identity)));
  }
}
