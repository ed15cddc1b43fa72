package io.airlock.web;

import io.airlock.request.AccessRequest;
import java.time.Instant;

/** A request as the API shows it. */
record RequestView(
    String id,
    String status,
    String system,
    String target,
    String principal,
    String permission,
    String duration,
    String justification,
    String ticket,
    String requester,
    String scope,
    String approverGroups,
    String decision,
    String reason,
    String reviewer,
    String reviewComment,
    Instant grantStart,
    Instant grantEnd,
    Instant revokedAt,
    Instant createdAt,
    Instant updatedAt,
    String permissionSetArn,
    String craftTemplate,
    String craftPolicy,
    String reviewOutcome,
    String revokeRequestedBy,
    String revokeReason,
    String supersedes,
    String supersededBy,
    String changedBy,
    Instant startAt,
    Integer approvalsRequired,
    Long maxDurationMinutes,
    Boolean breakGlass,
    ExtensionView extension,
    java.util.List<io.airlock.request.RequestService.TimelineEntry> timeline,
    java.util.List<io.airlock.policy.PolicyDecisions.DecisionRecord> policyDecisions) {

  /**
   * What an extension extends: the live access of request {@code extendsRequest} that ends at
   * {@code from}, held until {@code to} once approved, {@code by} more ("PT42M", "42 min").
   */
  record ExtensionView(String extendsRequest, Instant from, Instant to, String by, String byText) {

    static ExtensionView of(AccessRequest.Extension e) {
      return e == null ? null : new ExtensionView(e.extendsRequest(), e.from(), e.to(), e.by().toString(),
          io.airlock.request.RequestLabels.human(e.by()));
    }
  }

  static RequestView of(AccessRequest r) {
    return new RequestView(r.getId(), r.getStatus().name(), r.getSystem(), r.getTarget(), r.getPrincipal(),
        r.getPermission(), r.getDuration(), r.getJustification(), r.getTicket(), r.getRequester(),
        r.getScopeName(), r.getApproverGroups(), r.getDecisionOutcome(), r.getDecisionReason(), r.getReviewer(),
        r.getReviewComment(), r.getGrantStart(), r.getGrantEnd(), r.getRevokedAt(), r.getCreatedAt(), r.getUpdatedAt(),
        r.getPermissionSetArn(), r.getCraftTemplate(), r.getCraftPolicy(), r.getReviewOutcome(),
        r.getRevokeRequestedBy(), r.getRevokeReason(), r.getSupersedes(), r.getSupersededBy(), r.getChangedBy(),
        r.getStartAt(), r.getApprovalsRequired(), r.getMaxDurationMinutes(), r.getBreakGlass(), ExtensionView.of(r.extension()), null, null);
  }

  /** The same view with the request's timeline (only the single-request answer carries it). */
  RequestView withTimeline(java.util.List<io.airlock.request.RequestService.TimelineEntry> entries) {
    return new RequestView(id, status, system, target, principal, permission, duration, justification, ticket,
        requester, scope, approverGroups, decision, reason, reviewer, reviewComment, grantStart, grantEnd, revokedAt,
        createdAt, updatedAt, permissionSetArn, craftTemplate, craftPolicy, reviewOutcome, revokeRequestedBy,
        revokeReason, supersedes, supersededBy, changedBy, startAt, approvalsRequired, maxDurationMinutes, breakGlass,
        extension, entries, policyDecisions);
  }

  /**
   * The same view with how policy judged the request: per decision table, the definition id
   * and version, the variables, the matched rules and the outputs, as recorded at the time.
   */
  RequestView withPolicyDecisions(java.util.List<io.airlock.policy.PolicyDecisions.DecisionRecord> records) {
    return new RequestView(id, status, system, target, principal, permission, duration, justification, ticket,
        requester, scope, approverGroups, decision, reason, reviewer, reviewComment, grantStart, grantEnd, revokedAt,
        createdAt, updatedAt, permissionSetArn, craftTemplate, craftPolicy, reviewOutcome, revokeRequestedBy,
        revokeReason, supersedes, supersededBy, changedBy, startAt, approvalsRequired, maxDurationMinutes, breakGlass,
        extension, timeline, records);
  }
}
