package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.GRANT_END;

import io.airlock.process.AccessRequestModel.Errors;
import io.airlock.request.AccessLifecycle;
import io.airlock.request.AccessRejectedException;
import java.time.Instant;
import java.util.Date;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * "Grant access in AWS" (async, retried). The use case grants only an approved request of this
 * instance. A rejection by AWS is a business outcome (BPMN error); anything else throws, the
 * job retries, and Cockpit shows an incident at the end.
 */
@Component("grantAccessDelegate")
class GrantAccessDelegate implements JavaDelegate {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GrantAccessDelegate.class);

  private final AccessLifecycle lifecycle;
  private final IdentityService identity;

  GrantAccessDelegate(AccessLifecycle lifecycle, IdentityService identity) {
    this.lifecycle = lifecycle;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    try {
      // First committed on its own: the grant's start and end, before anything reaches AWS.
      lifecycle.recordGrantSending(Steps.of(execution, identity));
      Instant end = lifecycle.grant(Steps.of(execution, identity));
      execution.setVariable(GRANT_END, Date.from(end));
    } catch (AccessRejectedException e) {
      log.warn("AWS rejected the grant of request {}: {}", execution.getProcessBusinessKey(), e.getMessage());
      throw new BpmnError(Errors.GRANT_REJECTED, e.getMessage());
    }
  }
}
