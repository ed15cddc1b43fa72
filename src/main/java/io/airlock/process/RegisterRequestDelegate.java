package io.airlock.process;

import static io.airlock.process.AccessRequestProcess.Variables.*;

import io.airlock.request.AccessRequest;
import io.airlock.request.RequestService;
import io.airlock.request.SubmitRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.stereotype.Component;

/**
 * "Register access request": stores the request (REST API and Tasklist start form alike),
 * makes its id the business key, and gives the decisions their inputs.
 */
@Component("registerRequestDelegate")
class RegisterRequestDelegate implements JavaDelegate {

  private final RequestService requests;
  private final IdentityService identity;

  RegisterRequestDelegate(RequestService requests, IdentityService identity) {
    this.requests = requests;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    String id = execution.getProcessBusinessKey();
    if (id == null || id.isBlank()) {
      id = UUID.randomUUID().toString();
      execution.setProcessBusinessKey(id);
    }
    String requester = (String) execution.getVariable(REQUESTER);
    SubmitRequest input = new SubmitRequest(
        text(execution, SYSTEM), text(execution, TARGET), text(execution, PRINCIPAL), text(execution, PERMISSION),
        text(execution, DURATION), text(execution, JUSTIFICATION), text(execution, TICKET));
    AccessRequest r = requests.register(id, requester, input);

    List<String> groups = new ArrayList<>(CamundaGroups.of(identity, requester));
    execution.setVariable(REQUEST_ID, id);
    execution.setVariable(DURATION, r.getDuration());
    execution.setVariable(DURATION_MINUTES, r.parsedDuration().toMinutes());
    execution.setVariable(REQUESTER_GROUPS, Variables.objectValue(groups).serializationDataFormat("application/json").create());
  }

  private static String text(DelegateExecution execution, String name) {
    Object v = execution.getVariable(name);
    return v == null ? null : v.toString();
  }
}
