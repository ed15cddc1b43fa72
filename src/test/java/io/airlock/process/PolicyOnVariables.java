package io.airlock.process;

import io.airlock.process.AccessRequestModel.Decisions;
import io.airlock.process.AccessRequestModel.Variables;
import io.airlock.request.RequestStatus;
import io.airlock.policy.PolicyInputs;
import io.airlock.sandbox.DemoOrganization;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.regex.Pattern;
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

  /** Tuesday 10:00 UTC: business hours, so the tests do not depend on when they run. */
  static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 1, 10, 0, 0, 0, ZoneId.of("UTC"));

  /** The tables' variables as Airlock builds them, from the process variables and the demo organization. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> inputs(DelegateExecution execution) {
    String target = (String) execution.getVariable(Variables.TARGET);
    PolicyInputs.Target facts = DemoOrganization.ACCOUNTS.stream().filter(a -> a.id().equals(target)).findFirst()
        .map(a -> new PolicyInputs.Target(a.id(), a.name(), a.parentId().equals(DemoOrganization.PROD_OU_ID)
            ? "Workloads/Prod" : a.parentId().equals(DemoOrganization.NON_PROD_OU_ID) ? "Workloads/NonProd" : "",
            a.tags()))
        .orElse(new PolicyInputs.Target(target, null, null, null));
    String permission = (String) execution.getVariable(Variables.PERMISSION);
    List<String> groups = (List<String>) execution.getVariable(Variables.REQUESTER_GROUPS);
    return PolicyInputs.of(new PolicyInputs.Request((String) execution.getVariable(Variables.SYSTEM), facts,
        permission, permission.startsWith("craft:"), (String) execution.getVariable(Variables.REQUESTER), groups,
        (String) execution.getVariable(Variables.PRINCIPAL), groups, true,
        Duration.parse((String) execution.getVariable(Variables.DURATION)),
        (String) execution.getVariable(Variables.JUSTIFICATION), (String) execution.getVariable(Variables.TICKET),
        Boolean.TRUE.equals(execution.getVariable(Variables.BREAK_GLASS)), null),
        GROUPS, Pattern.compile("\\b[A-Z][A-Z0-9]{1,9}-\\d{1,9}\\b"), NOW);
  }

  private static final Map<String, String> GROUPS = Map.of("requesters", "airlock-requesters", "approvers",
      "airlock-approvers", "auditors", "airlock-auditors", "operators", "airlock-operators", "admins", "camunda-admin",
      "policyAuthors", "airlock-policy-authors");

  static final class CheckScope implements JavaDelegate {
    private final List<String> statuses;

    CheckScope(List<String> statuses) {
      this.statuses = statuses;
    }

    @Override
    public void execute(DelegateExecution execution) {
      DmnDecisionResultEntries row = execution.getProcessEngineServices().getDecisionService()
          .evaluateDecisionByKey(Decisions.ACCESS_SCOPES).variables(inputs(execution)).evaluate()
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
      Number max = (Number) execution.getVariable(Variables.MAX_DURATION_MINUTES);
      DmnDecisionResultEntries row = execution.getProcessEngineServices().getDecisionService()
          .evaluateDecisionByKey(Decisions.AUTO_APPROVAL).variables(PolicyInputs.withScope(inputs(execution),
              (String) execution.getVariable(Variables.SCOPE_NAME), max == null ? 0 : max.longValue())).evaluate()
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
