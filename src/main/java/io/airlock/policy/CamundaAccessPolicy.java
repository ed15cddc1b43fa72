package io.airlock.policy;

import io.airlock.process.AccessRequestProcess;
import io.airlock.request.AccessPolicy;
import io.airlock.request.AccessRequest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.camunda.bpm.dmn.engine.DmnDecisionResult;
import org.camunda.bpm.dmn.engine.DmnDecisionResultEntries;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.stereotype.Component;

/**
 * {@link AccessPolicy} on the DMN tables in {@code dmn/} (latest deployed version), evaluated
 * by the engine's decision service with the stored request as input, as Airlock itself (the
 * signed-in user's authorizations do not decide whether policy runs). The engine keeps each
 * evaluation in its history (Cockpit, Decisions) and {@link DecisionAuditPlugin} audits it with
 * the request's id.
 *
 * <p>Inputs both tables may use: system, target, permission, principal, requester,
 * requesterGroups (list), principalIsRequester, durationMinutes (rounded up: PT60M59S is 61; for a
 * rework, the whole span from the first grant to the new end), supersedes (the request an edit or
 * rework replaces, or null), justification, ticket; the approval table also maxDurationMinutes and scopeName.
 */
@Component
class CamundaAccessPolicy implements AccessPolicy {

  private final DecisionService decisions;
  private final IdentityService identity;

  CamundaAccessPolicy(DecisionService decisions, IdentityService identity) {
    this.decisions = decisions;
    this.identity = identity;
  }

  @Override
  public Scope scope(AccessRequest r, boolean principalIsRequester) {
    DmnDecisionResult result = evaluate(AccessRequestProcess.Decisions.ACCESS_SCOPES, r, inputs(r, principalIsRequester));
    DmnDecisionResultEntries row = result.getFirstResult();
    if (row == null || row.getEntry("scopeName") == null) {
      return null;
    }
    String groups = row.getEntry("approverGroups");
    Number max = row.getEntry("maxDurationMinutes");
    Boolean forOthers = row.getEntry("mayRequestForOthers");
    Number quorum = row.getEntry("approvalsRequired");
    return new Scope(row.getEntry("scopeName"),
        groups == null ? List.of() : Arrays.stream(groups.split("\\s*,\\s*")).filter(g -> !g.isBlank()).toList(),
        max == null ? 0 : max.longValue(), Boolean.TRUE.equals(forOthers), quorum == null ? 1 : quorum.intValue(),
        row.getEntry("escalationGroup"), Boolean.TRUE.equals(row.getEntry("breakGlassAllowed")));
  }

  @Override
  public Approval approval(AccessRequest r, Scope scope, boolean principalIsRequester) {
    Map<String, Object> in = inputs(r, principalIsRequester);
    in.put(AccessRequestProcess.Variables.SCOPE_NAME, scope.name());
    in.put(AccessRequestProcess.Variables.MAX_DURATION_MINUTES, scope.maxDurationMinutes());
    DmnDecisionResultEntries row = evaluate(AccessRequestProcess.Decisions.AUTO_APPROVAL, r, in).getFirstResult();
    if (row == null) {
      return null;
    }
    return new Approval(row.getEntry("approvalOutcome"), row.getEntry("approvalReason"));
  }

  private static Map<String, Object> inputs(AccessRequest r, boolean principalIsRequester) {
    Map<String, Object> in = new HashMap<>();
    in.put(AccessRequestProcess.Variables.SYSTEM, r.getSystem());
    in.put(AccessRequestProcess.Variables.TARGET, r.getTarget());
    in.put(AccessRequestProcess.Variables.PERMISSION, r.getPermission());
    in.put(AccessRequestProcess.Variables.PRINCIPAL, r.getPrincipal());
    in.put(AccessRequestProcess.Variables.REQUESTER, r.getRequester());
    in.put(AccessRequestProcess.Variables.REQUESTER_GROUPS, r.requesterGroupList());
    in.put("principalIsRequester", principalIsRequester);
    long seconds = r.parsedDuration().getSeconds();
    if (r.getChainStart() != null && r.getCreatedAt() != null) {
      // A rework: the policy bounds the whole span since the first grant, not only this piece.
      seconds = java.time.Duration.between(r.getChainStart(), r.getCreatedAt().plus(r.parsedDuration())).getSeconds();
    }
    in.put("supersedes", r.getSupersedes());
    in.put("breakGlass", r.getBreakGlass() != null);
    in.put(AccessRequestProcess.Variables.DURATION_MINUTES, (seconds + 59) / 60);
    in.put(AccessRequestProcess.Variables.JUSTIFICATION, r.getJustification());
    in.put(AccessRequestProcess.Variables.TICKET, r.getTicket());
    return in;
  }

  private DmnDecisionResult evaluate(String key, AccessRequest r, Map<String, Object> inputs) {
    return asAirlock(() -> DecisionAuditPlugin.forRequest(r.getId(),
        () -> decisions.evaluateDecisionByKey(key).variables(inputs).evaluate()));
  }

  private <T> T asAirlock(Supplier<T> work) {
    Authentication previous = identity.getCurrentAuthentication();
    identity.clearAuthentication();
    try {
      return work.get();
    } finally {
      if (previous != null) {
        identity.setAuthentication(previous);
      }
    }
  }
}
