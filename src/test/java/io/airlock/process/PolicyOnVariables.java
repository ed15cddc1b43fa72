package io.airlock.process;

import io.airlock.process.AccessRequestProcess.Decisions;
import io.airlock.process.AccessRequestProcess.Variables;
import io.airlock.request.RequestStatus;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.dmn.engine.DmnDecisionResultEntries;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * Stand-ins for the policy delegates in process tests: they evaluate the real decision tables,
 * as Airlock's policy adapter does, but on the process variables (there is no stored request),
 * and record the status Airlock's step would move the request to.
 */
final class PolicyOnVariables {

  private PolicyOnVariables() {}

  static final class CheckScope implements JavaDelegate {
    private final List<String> statuses;

    CheckScope(List<String> statuses) {
      this.statuses = statuses;
    }

    @Override
    public void execute(DelegateExecution execution) {
      DmnDecisionResultEntries row = execution.getProcessEngineServices().getDecisionService()
          .evaluateDecisionByKey(Decisions.ACCESS_SCOPES).variables(execution.getVariables()).evaluate()
          .getFirstResult();
      Map<String, Object> scope = row == null ? Map.of() : row.getEntryMap();
      execution.setVariable(Variables.SCOPE_NAME, scope.get("scopeName"));
      execution.setVariable(Variables.APPROVER_GROUPS, scope.get("approverGroups"));
      execution.setVariable(Variables.MAX_DURATION_MINUTES, scope.get("maxDurationMinutes"));
      if (scope.get("scopeName") == null) {
        statuses.add(RequestStatus.REJECTED_OUT_OF_SCOPE.name());
      }
    }
  }

  static final class DecideApproval implements JavaDelegate {
    private final List<String> statuses;

    DecideApproval(List<String> statuses) {
      this.statuses = statuses;
    }

    @Override
    public void execute(DelegateExecution execution) {
      DmnDecisionResultEntries row = execution.getProcessEngineServices().getDecisionService()
          .evaluateDecisionByKey(Decisions.AUTO_APPROVAL).variables(execution.getVariables()).evaluate()
          .getFirstResult();
      String outcome = row == null ? "MANUAL" : row.getEntry("approvalOutcome");
      boolean breakGlass = Boolean.TRUE.equals(execution.getVariable(Variables.BREAK_GLASS)) && !"DENY".equals(outcome);
      outcome = breakGlass ? "APPROVE" : outcome;
      execution.setVariable(Variables.BREAK_GLASS, breakGlass);
      execution.setVariable(Variables.APPROVAL_OUTCOME, outcome);
      execution.setVariable(Variables.APPROVAL_REASON, row == null ? "Needs an approver's review" : row.getEntry("approvalReason"));
      statuses.add(switch (outcome) {
        case "APPROVE" -> RequestStatus.GRANTING.name();
        case "DENY" -> RequestStatus.DENIED.name();
        default -> RequestStatus.PENDING_REVIEW.name();
      });
    }
  }
}
