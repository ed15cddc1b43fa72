package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.*;

import io.airlock.request.AccessLifecycle;
import io.airlock.request.AccessRequest;
import io.airlock.request.CraftSpec;
import io.airlock.request.SubmitRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.stereotype.Component;

/**
 * "Register access request": stores the request (REST API and Tasklist start form alike) and
 * binds it to this process instance. The requester is the user signed in on the start call,
 * never a variable; the request id is new, never a business key a caller chose. The stored
 * values are then copied into the variables the forms show.
 */
@Component("registerRequestDelegate")
class RegisterRequestDelegate implements JavaDelegate {

  private final AccessLifecycle lifecycle;
  private final IdentityService identity;

  RegisterRequestDelegate(AccessLifecycle lifecycle, IdentityService identity) {
    this.lifecycle = lifecycle;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    String id = UUID.randomUUID().toString();
    Authentication auth = identity.getCurrentAuthentication();
    String requester = auth == null ? null : auth.getUserId();
    List<String> groups = requester == null ? List.of()
        : auth.getGroupIds() != null && !auth.getGroupIds().isEmpty() ? auth.getGroupIds()
        : CamundaGroups.of(identity, requester);
    SubmitRequest input = new SubmitRequest(
        text(execution, SYSTEM), text(execution, TARGET), text(execution, PRINCIPAL), text(execution, PERMISSION),
        text(execution, DURATION), text(execution, JUSTIFICATION), text(execution, TICKET), craft(execution),
        text(execution, START_AT), "true".equals(text(execution, BREAK_GLASS)));
    AccessRequest r = EngineErrors.answer(() -> lifecycle.register(id, execution.getProcessInstanceId(), requester,
        groups, input));
    execution.setProcessBusinessKey(id);
    execution.setVariable(REQUEST_ID, id);
    r.displayed().forEach(execution::setVariable);
    execution.setVariable(SYSTEM, r.getSystem());
    execution.setVariable(DURATION_MINUTES, r.parsedDuration().toMinutes());
    execution.setVariable(START_AT, r.getStartAt() == null ? null : java.util.Date.from(r.getStartAt()));
    execution.setVariable(BREAK_GLASS, false); // set by the policy step: granted as break-glass
    execution.setVariable(REQUESTER_GROUPS,
        Variables.objectValue(new ArrayList<>(r.requesterGroupList())).serializationDataFormat("application/json").create());
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
