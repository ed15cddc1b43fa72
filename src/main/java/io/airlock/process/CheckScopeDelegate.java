package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.APPROVER_GROUPS;
import static io.airlock.process.AccessRequestModel.Variables.MAX_DURATION_MINUTES;
import static io.airlock.process.AccessRequestModel.Variables.SCOPE_NAME;

import io.airlock.request.AccessLifecycle;
import io.airlock.request.AccessPolicy;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * "Check access scope" (business rule task): the use case evaluates dmn/access-scopes.dmn on
 * the stored request and records the scope; the result is copied into variables for the
 * gateway and the forms. No scope: scopeName stays null and the request is out of scope.
 */
@Component("checkScopeDelegate")
class CheckScopeDelegate implements JavaDelegate {

  private final AccessLifecycle lifecycle;
  private final IdentityService identity;

  CheckScopeDelegate(AccessLifecycle lifecycle, IdentityService identity) {
    this.lifecycle = lifecycle;
    this.identity = identity;
  }

  @Override
  public void execute(DelegateExecution execution) {
    AccessPolicy.Scope[] result = new AccessPolicy.Scope[1];
    EngineErrors.translate(() -> result[0] = lifecycle.checkScope(Steps.of(execution, identity)));
    AccessPolicy.Scope scope = result[0];
    execution.setVariable(SCOPE_NAME, scope == null ? null : scope.name());
    execution.setVariable(APPROVER_GROUPS, scope == null ? null : String.join(",", scope.approverGroups()));
    execution.setVariable(MAX_DURATION_MINUTES, scope == null ? null : scope.maxDurationMinutes());
  }
}
