package io.airlock.process;

import static io.airlock.process.AccessRequestProcess.Variables.GRANT_END;

import io.airlock.process.AccessRequestProcess.Errors;
import io.airlock.request.AccessRejectedException;
import io.airlock.request.RequestService;
import java.time.Instant;
import java.util.Date;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * "Grant access in AWS" (async, retried). A rejection by AWS is a business outcome (BPMN
 * error); anything else throws, the job retries, and Cockpit shows an incident at the end.
 */
@Component("grantAccessDelegate")
class GrantAccessDelegate implements JavaDelegate {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GrantAccessDelegate.class);

  private final RequestService requests;

  GrantAccessDelegate(RequestService requests) {
    this.requests = requests;
  }

  @Override
  public void execute(DelegateExecution execution) {
    try {
      Instant end = requests.grant(execution.getProcessBusinessKey());
      execution.setVariable(GRANT_END, Date.from(end));
    } catch (AccessRejectedException e) {
      log.warn("AWS rejected the grant of request {}: {}", execution.getProcessBusinessKey(), e.getMessage());
      throw new BpmnError(Errors.GRANT_REJECTED, e.getMessage());
    }
  }
}
