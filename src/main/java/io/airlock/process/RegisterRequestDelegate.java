package io.airlock.process;

import static io.airlock.process.AccessRequestProcess.Variables.*;

import io.airlock.request.AccessRequest;
import io.airlock.request.CraftSpec;
import io.airlock.request.RequestService;
import io.airlock.request.SubmitRequest;
import java.util.ArrayList;
import java.util.Arrays;
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
        text(execution, DURATION), text(execution, JUSTIFICATION), text(execution, TICKET), craft(execution));
    AccessRequest r = requests.register(id, requester, input);
    // The decisions see what will be granted: a crafted request is "craft:<TEMPLATE>".
    execution.setVariable(PERMISSION, r.getPermission());
    if (r.isCrafted()) {
      execution.setVariable(CRAFT_POLICY, r.getCraftPolicy());
    }

    List<String> groups = new ArrayList<>(CamundaGroups.of(identity, requester));
    execution.setVariable(REQUEST_ID, id);
    execution.setVariable(DURATION, r.getDuration());
    execution.setVariable(DURATION_MINUTES, r.parsedDuration().toMinutes());
    execution.setVariable(REQUESTER_GROUPS, Variables.objectValue(groups).serializationDataFormat("application/json").create());
  }

  /** The craft part of the start form or API call; null when an existing permission set is asked for. */
  private static CraftSpec craft(DelegateExecution execution) {
    String template = text(execution, CRAFT_TEMPLATE);
    if (template == null || template.isBlank() || template.equals("NONE")) {
      return null;
    }
    return new CraftSpec(template, list(text(execution, CRAFT_BUCKETS)), list(text(execution, CRAFT_SERVICES)),
        text(execution, CRAFT_POLICY));
  }

  private static List<String> list(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) {
      return List.of();
    }
    return Arrays.stream(commaSeparated.split("[,\\s]+")).filter(s -> !s.isBlank()).toList();
  }

  private static String text(DelegateExecution execution, String name) {
    Object v = execution.getVariable(name);
    return v == null ? null : v.toString();
  }
}
