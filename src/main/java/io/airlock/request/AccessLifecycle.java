package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.request.AccessGateway.Assignment;
import io.airlock.request.AccessGateway.OperationResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The request's state machine, held in Airlock's table; the process drives it, but cannot
 * skip a state. Every step names the process instance it comes from, and only the instance
 * that registered the request (or the one the reconciler handed it to) may move it:
 *
 * <pre>
 * SUBMITTED ─scope─► REJECTED_OUT_OF_SCOPE
 *     │ approval ──► DENIED │ PENDING_REVIEW ─review─► DENIED │ GRANTING │ SCHEDULED
 *     └────────────────────────────────────────────────────────► GRANTING │ SCHEDULED
 * PENDING_REVIEW ─(nobody reviewed in time)─► EXPIRED;  ─(an approver's edit)─► SUPERSEDED
 * PENDING_REVIEW │ SCHEDULED ─(withdrawn)─► CANCELLED
 * SCHEDULED ─(its start)─► GRANTING ─grant─► ACTIVE │ FAILED
 * ACTIVE ─(clock, or a recorded revoke request)─► REVOKING ─revoke─► REVOKED, or SUPERSEDED when a
 *     rework or an extension took its place (the new request holds the access)
 * process gone before access: CANCELLED; process gone with access: the reconciler revokes
 * </pre>
 *
 * Grant needs the policy's APPROVE or the recorded review of an eligible approver; revoke
 * needs access held and either the clock or an entitled actor's recorded request. A refused
 * step changes nothing, throws {@link ForbiddenActionException} and is audited.
 *
 * <p>Registration, policy, grant and revoke are here; reviews (four eyes, quorum, break-glass,
 * escalation, expiry, withdrawal) are {@link Reviews}; what happens when the process is gone is
 * {@link ProcessGone}; the drift run's and the teardown's repairs are {@link DriftRepairs}; and
 * what they all share (bind, refuse, move to, revoke now) is {@link RequestCore}.
 */
@Service
public class AccessLifecycle {

  /** Actor recorded for changes the engine makes on its own (jobs, timers). */
  public static final String SYSTEM_ACTOR = "airlock";
  /** Actor of the reconciler's revokes. */
  public static final String RECONCILER_ACTOR = "airlock:reconciler";
  /** A timer may fire a little before the stored end (milliseconds in the engine, microseconds here). */
  private static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(AccessLifecycle.class);

  /**
   * The request the next registration on this thread replaces: set only by Airlock's own edit
   * and rework use cases around their start of the new request, never from engine input.
   */
  private static final ThreadLocal<Replacement> REPLACING = new ThreadLocal<>();

  /**
   * What an edit or a rework replaces, and who changed it; for an extension also the end it
   * extends and by how much (null otherwise).
   */
  record Replacement(String originalId, String changedBy, Instant chainStart, Instant extendsEnd, Duration extendBy) {

    Replacement(String originalId, String changedBy, Instant chainStart) {
      this(originalId, changedBy, chainStart, null, null);
    }
  }

  /** Runs {@code start} (which registers one request) as the replacement of {@code replacement.originalId}. */
  static <T> T replacing(Replacement replacement, java.util.function.Supplier<T> start) {
    REPLACING.set(replacement);
    try {
      return start.get();
    } finally {
      REPLACING.remove();
    }
  }

  private final AccessRequestMapper requests;
  private final RequestValidator validator;
  private final AccessGateway gateway;
  private final AccessPolicy policy;
  private final AuditLog audit;
  private final CraftedPermissions crafted;
  private final PrincipalMapping principals;
  private final Clock clock;

  private final RequestWorkflow process;
  private final NodeClock nodeClock;

  private final RequestCore core;

  public AccessLifecycle(AccessRequestMapper requests, RequestValidator validator, AccessGateway gateway,
      AccessPolicy policy, AuditLog audit, CraftedPermissions crafted, PrincipalMapping principals, Clock clock,
      @org.springframework.context.annotation.Lazy RequestWorkflow process,
      NodeClock nodeClock, RequestCore core) {
    this.core = core;
    this.nodeClock = nodeClock;
    this.process = process;
    this.requests = requests;
    this.validator = validator;
    this.gateway = gateway;
    this.policy = policy;
    this.audit = audit;
    this.crafted = crafted;
    this.principals = principals;
    this.clock = clock;
  }

  // ---- submit ---------------------------------------------------------------------------

  /**
   * Stores a submitted request, bound to the process instance that registers it. The
   * requester is the signed-in user of the start call, never a variable; without one the start
   * is refused. An empty principal means the requester's own Identity Center user.
   */
  @Transactional
  public AccessRequest register(String id, String processInstanceId, String requester, List<String> requesterGroups,
      SubmitRequest input) {
    if (requester == null || requester.isBlank()) {
      audit.refused(null, "refused.start", null, Map.of("reason", "no signed-in user",
          "processInstanceId", String.valueOf(processInstanceId)));
      throw new ForbiddenActionException("Sign in to request access: a request is filed by the signed-in user");
    }
    if (input != null && (input.principal() == null || input.principal().isBlank())) {
      input = new SubmitRequest(input.system(), input.target(), principals.identityCenterNameOf(requester),
          input.permission(), input.duration(), input.justification(), input.ticket(), input.craft(), input.startAt(),
          input.breakGlass());
    }
    RequestValidator.ValidRequest valid = validator.validate(input);
    Instant now = clock.instant();
    AccessRequest r = new AccessRequest();
    r.setId(id);
    r.setProcessInstanceId(processInstanceId);
    r.setSystem(input.system());
    r.setTarget(input.target());
    r.setPrincipal(input.principal());
    r.setPrincipalId(valid.principalId());
    r.setPermission(valid.permission());
    r.setPermissionSetArn(valid.permissionSetArn());
    r.setStartAt(valid.startAt());
    r.setBreakGlass(Boolean.TRUE.equals(input.breakGlass()) ? Boolean.FALSE : null); // asked; the scope decides
    r.setCraftTemplate(valid.craftTemplate());
    r.setCraftPolicy(valid.craftPolicy());
    r.setCraftSpec(valid.craftTemplate() == null ? null : input.craft().toJson());
    r.setDuration(valid.duration().toString());
    r.setJustification(input.justification().trim());
    r.setTicket(input.ticket() == null || input.ticket().isBlank() ? null : input.ticket().trim());
    r.setRequester(requester);
    r.setRequesterGroups(String.join(",", requesterGroups == null ? List.of() : requesterGroups));
    r.setStatus(RequestStatus.SUBMITTED);
    r.setCreatedAt(now);
    r.setUpdatedAt(now);
    Replacement replacing = REPLACING.get();
    REPLACING.remove(); // one registration only
    if (replacing != null) {
      r.setSupersedes(replacing.originalId());
      r.setChangedBy(replacing.changedBy());
      r.setChainStart(replacing.chainStart());
      r.setExtendsEnd(replacing.extendsEnd());
      r.setExtendBy(replacing.extendBy() == null ? null : replacing.extendBy().toString());
    }
    requests.insert(r);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("system", r.getSystem());
    details.put("target", r.getTarget());
    details.put("principal", r.getPrincipal());
    details.put("principalId", r.getPrincipalId());
    details.put("permission", r.getPermission());
    details.put("permissionSetArn", r.getPermissionSetArn());
    details.put("duration", r.getDuration());
    details.put("justification", r.getJustification());
    details.put("ticket", r.getTicket());
    details.put("startAt", r.getStartAt() == null ? null : r.getStartAt().toString());
    details.put("requesterGroups", r.requesterGroupList());
    details.put("processInstanceId", processInstanceId);
    if (replacing != null) {
      details.put("supersedes", replacing.originalId());
      details.put("changedBy", replacing.changedBy());
      if (r.extension() != null) {
        details.put("extendsEnd", r.extension().from().toString());
        details.put("extendsTo", r.extension().to().toString());
        details.put("extendBy", r.getExtendBy());
      }
    }
    if (r.isCrafted()) {
      details.put("craftTemplate", r.getCraftTemplate());
      details.put("craftPolicy", r.getCraftPolicy());
      details.put("craftedPermissionSetName", crafted.nameFor(id));
    }
    audit.record(requester, "request.submitted", id, details);
    return r;
  }

  // ---- policy ---------------------------------------------------------------------------

  /** The scopes table on the stored request; null (and REJECTED_OUT_OF_SCOPE) when none allows it. */
  @Transactional
  public AccessPolicy.Scope checkScope(ProcessStep step) {
    AccessRequest r = core.bound(step, "policy.scope");
    core.requireStatus(r, step, "policy.scope", RequestStatus.SUBMITTED);
    boolean self = core.principalIsRequester(r);
    AccessPolicy.Scope scope = policy.scope(r, self);
    String rejection = null;
    if (scope == null) {
      rejection = "No scope allows " + r.getRequester() + " to ask for " + r.getPermission() + " on " + r.getTarget();
    } else if (!self && !scope.mayRequestForOthers()) {
      rejection = "Scope '" + scope.name() + "' allows asking only for yourself, not for " + r.getPrincipal();
    }
    if (rejection != null) {
      r.setDecisionReason(rejection);
      core.moveTo(r, RequestStatus.REJECTED_OUT_OF_SCOPE, step.actor(), Map.of("reason", rejection));
      return null;
    }
    r.setScopeName(scope.name());
    r.setApproverGroups(String.join(",", scope.approverGroups()));
    r.setMaxDurationMinutes(scope.maxDurationMinutes());
    r.setApprovalsRequired(scope.approvalsRequired());
    r.setEscalationGroup(RequestCore.blankToNull(scope.escalationGroup()));
    if (r.getBreakGlass() != null && scope.breakGlassAllowed()) {
      r.setBreakGlass(Boolean.TRUE);
    }
    r.setUpdatedAt(clock.instant());
    requests.update(r);
    return scope;
  }

  /** The auto-approval table: GRANTING (approved by policy), DENIED or PENDING_REVIEW. */
  @Transactional
  public AccessPolicy.Approval decideApproval(ProcessStep step) {
    AccessRequest r = core.bound(step, "policy.approval");
    core.requireStatus(r, step, "policy.approval", RequestStatus.SUBMITTED);
    if (r.getScopeName() == null) {
      throw core.refuse(step, "policy.approval", r, "the scope has not been checked");
    }
    AccessPolicy.Scope scope = new AccessPolicy.Scope(r.getScopeName(), r.approverGroupList(),
        r.getMaxDurationMinutes() == null ? 0 : r.getMaxDurationMinutes(), true, r.quorum(), r.getEscalationGroup(),
        Boolean.TRUE.equals(r.getBreakGlass()));
    AccessPolicy.Approval approval = policy.approval(r, scope, core.principalIsRequester(r));
    String outcome = approval == null || approval.outcome() == null ? AccessPolicy.Approval.MANUAL : approval.outcome();
    String reason = approval == null || approval.reason() == null ? "Needs an approver's review" : approval.reason();
    boolean breakGlass = Boolean.TRUE.equals(r.getBreakGlass()) && !AccessPolicy.Approval.DENY.equals(outcome);
    if (breakGlass) {
      outcome = AccessPolicy.Approval.APPROVE;
      reason = "Break-glass: granted at once; an approver of the scope reviews it afterwards";
    } else if (Boolean.FALSE.equals(r.getBreakGlass())) {
      reason = "Break-glass is not allowed in scope '" + r.getScopeName() + "'. " + reason;
    }
    r.setDecisionOutcome(outcome);
    r.setDecisionReason(reason);
    RequestStatus next = switch (outcome) {
      case AccessPolicy.Approval.APPROVE -> core.approved(r);
      case AccessPolicy.Approval.DENY -> RequestStatus.DENIED;
      default -> RequestStatus.PENDING_REVIEW;
    };
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("scope", r.getScopeName());
    details.put("approverGroups", r.approverGroupList());
    details.put("outcome", outcome);
    details.put("reason", reason);
    details.put("breakGlass", breakGlass);
    core.moveTo(r, next, step.actor(), details);
    if (breakGlass) {
      audit.record(SYSTEM_ACTOR, "breakglass.granted", r.getId(), Map.of("requester", r.getRequester(),
          "reviewers", r.approverGroupList()));
    }
    return new AccessPolicy.Approval(outcome, reason, breakGlass);
  }

  /** The request a process step is about, for reading (names and descriptions of its tasks). */
  @Transactional(readOnly = true)
  public AccessRequest read(ProcessStep step) {
    AccessRequest r = requests.findById(step.requestId()).orElseThrow(() -> new RequestNotFoundException(step.requestId()));
    if (step.processInstanceId() == null || !step.processInstanceId().equals(r.getProcessInstanceId())) {
      throw new ForbiddenActionException("Process instance " + step.processInstanceId() + " does not belong to request "
          + r.getId());
    }
    return r;
  }

  // ---- grant ----------------------------------------------------------------------------

  /**
   * The first step of a grant, committed on its own before anything is sent to AWS: from this
   * moment access may exist, so the grant's start is now and its end is fixed (start plus the
   * duration), recorded and audited ({@code access.grant-sending}). A retried grant keeps the
   * first start: time counts from the first moment access may exist. Whatever happens to the
   * grant afterwards (AWS throttles, the node dies, the job ends in an incident), the request
   * has an end, and the reconciler confirms or revokes it by then ({@link #confirmGrant},
   * {@link #revokeOverdue}). Returns false when there is nothing to send: the grant completed
   * already, or the request ended meanwhile.
   */
  @Transactional(propagation = org.springframework.transaction.annotation.Propagation.REQUIRES_NEW)
  public boolean recordGrantSending(ProcessStep step) {
    AccessRequest r = core.bound(step, "grant");
    if (r.getStatus() != RequestStatus.GRANTING && r.getStatus() != RequestStatus.SCHEDULED) {
      return false; // granted by an earlier run of this job, or ended: grant() answers it
    }
    List<String> approvers = requireGrantAllowed(r, step);
    nodeClock.requireAgreement("grant request " + r.getId());
    Instant now = clock.instant();
    boolean first = r.getGrantStart() == null;
    if (first) {
      r.setGrantStart(now);
      r.setGrantEnd(r.endFrom(now));
      r.setUpdatedAt(now);
      requests.update(r);
    }
    Map<String, Object> details = core.grantTimes(r);
    details.put("attempt", first ? "first" : "retry (the end stays as first recorded)");
    details.put("approvedBy", approvers == null ? List.of("policy") : approvers);
    audit.record(SYSTEM_ACTOR, "access.grant-sending", r.getId(), details);
    return true;
  }

  /**
   * Grants the access in AWS; returns when it ends. Only an approved request (policy APPROVE,
   * or the recorded review of an eligible approver) in GRANTING is granted. A rejection by AWS
   * is a business outcome (the request ends FAILED), so it must not doom the job's transaction.
   * The start and end are those {@link #recordGrantSending} fixed before the call.
   */
  @Transactional(noRollbackFor = AccessRejectedException.class)
  public Instant grant(ProcessStep step) {
    AccessRequest r = core.bound(step, "grant");
    if (r.getStatus() == RequestStatus.ACTIVE && r.getGrantEnd() != null) {
      return r.getGrantEnd(); // a retried job after a commit that already happened, or the reconciler confirmed it
    }
    if ((r.getStatus() == RequestStatus.REVOKED || r.getStatus() == RequestStatus.SUPERSEDED)
        && r.getGrantStart() != null && r.getGrantEnd() != null) {
      return r.getGrantEnd(); // ended by the reconciler while the grant was in doubt: the instance goes on to its end
    }
    List<String> approvers = requireGrantAllowed(r, step);
    boolean byReview = approvers != null;
    if (r.getGrantEnd() != null && !clock.instant().isBefore(r.getGrantEnd())) {
      // Its time ran out while AWS did not confirm (throttled, down, a node died): nothing is
      // created now, and whatever an earlier attempt created goes.
      core.revokeNow(r, SYSTEM_ACTOR, "its end " + r.getGrantEnd() + " passed before AWS confirmed the grant");
      return r.getGrantEnd();
    }
    if (r.getSupersedes() != null) {
      endReplaced(r);
    }
    Map<String, Object> craftDetails = new LinkedHashMap<>();
    OperationResult result;
    try {
      if (r.isCrafted()) {
        r.setPermissionSetArn(crafted.ensure(r, craftDetails));
      }
      core.lockAssignment(r);
      result = gateway.grant(core.assignment(r));
    } catch (AccessRejectedException e) {
      r.setDecisionReason(core.truncate("AWS rejected the grant: " + e.getMessage(), 512));
      core.moveTo(r, RequestStatus.FAILED, SYSTEM_ACTOR, Map.of("reason", String.valueOf(e.getMessage())));
      throw e;
    }
    // From the moment the create was first sent (recorded before it), not from AWS's answer.
    Instant start = r.getGrantStart() != null ? r.getGrantStart() : clock.instant();
    Instant end = r.endFrom(start);
    r.setGrantStart(start);
    r.setGrantEnd(end);
    Map<String, Object> details = core.awsDetails(r, result);
    details.putAll(craftDetails);
    details.put("grantStart", start.toString());
    details.put("grantEnd", end.toString());
    details.put("approvedBy", byReview ? approvers : List.of("policy"));
    audit.record(SYSTEM_ACTOR, "access.granted", r.getId(), details);
    core.moveTo(r, RequestStatus.ACTIVE, SYSTEM_ACTOR, Map.of("grantEnd", end.toString()));
    log.info("Granted {} on {} to {} until {} (request {})", r.getPermission(), r.getTarget(), r.getPrincipal(), end,
        r.getId());
    return end;
  }

  /**
   * Whether this request may be granted now: SCHEDULED and due, or GRANTING, with the policy's
   * APPROVE or the recorded approvals of enough eligible approvers. Returns those approvers
   * (null when the policy approved it); refuses (audited) otherwise.
   */
  private List<String> requireGrantAllowed(AccessRequest r, ProcessStep step) {
    if (r.getStatus() == RequestStatus.SCHEDULED) {
      if (r.getStartAt() != null && clock.instant().plus(CLOCK_TOLERANCE).isBefore(r.getStartAt())) {
        throw core.refuse(step, "grant", r, "it is scheduled to start at " + r.getStartAt());
      }
    } else {
      core.requireStatus(r, step, "grant", RequestStatus.GRANTING);
    }
    boolean byPolicy = AccessPolicy.Approval.APPROVE.equals(r.getDecisionOutcome());
    List<String> approvers = requests.findApprovers(r.getId());
    boolean byReview = "APPROVE".equals(r.getReviewOutcome()) && approvers.size() >= r.quorum()
        && approvers.stream().noneMatch(a -> a.equals(r.getRequester()) || a.equals(r.getChangedBy())
            || principals.isSamePerson(a, r.getPrincipal()));
    if (!byPolicy && !byReview) {
      throw core.refuse(step, "grant", r, "no approval is recorded (neither the policy nor an eligible approver approved it)");
    }
    return byReview ? approvers : null;
  }

  /**
   * A rework is being granted: the access it replaces ends, through its own process, once this
   * commits (its revoke keeps the assignment the rework now covers, and ends it SUPERSEDED).
   * Locks the replaced request before the assignment, in the order its own revoke does.
   */
  private void endReplaced(AccessRequest rework) {
    AccessRequest original = requests.lockById(rework.getSupersedes()).orElse(null);
    if (original == null || original.getStatus() != RequestStatus.ACTIVE) {
      return; // it ended meanwhile: the rework is granted on its own approval
    }
    Instant now = clock.instant();
    original.setSupersededBy(rework.getId());
    original.setRevokeRequestedBy(SYSTEM_ACTOR);
    original.setRevokeRequestedAt(now);
    original.setRevokeReason("superseded by " + rework.getId());
    original.setUpdatedAt(now);
    requests.update(original);
    audit.record(SYSTEM_ACTOR, "request.superseded", original.getId(), Map.of("by", rework.getId()));
    process.requestRevoke(original.getId());
  }

  // ---- revoke ---------------------------------------------------------------------------

  /**
   * An entitled actor (checked by the caller) asks to end the access now: recorded, so that the
   * process's revoke is allowed before the clock says so.
   */
  @Transactional
  public AccessRequest recordRevokeRequest(String id, String actor, String reason) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (r.getStatus() != RequestStatus.ACTIVE) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus() + "; only ACTIVE access can be revoked");
    }
    Instant now = clock.instant();
    r.setRevokeRequestedBy(actor);
    r.setRevokeRequestedAt(now);
    r.setRevokeReason(reason == null ? null : core.truncate(reason, 512));
    r.setUpdatedAt(now);
    requests.update(r);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("status", r.getStatus().name());
    details.put("reason", reason);
    audit.record(actor, "revoke.requested", id, details);
    return r;
  }

  /**
   * As {@link #recordRevokeRequest}, for Airlock's own early ends: under the request's lock, only
   * while it is ACTIVE and nobody has asked to end it yet (a person's or a rework's reason is not
   * overwritten). Returns whether it was recorded.
   */
  @Transactional
  public boolean recordRevokeRequestUnlessEnding(String id, String actor, String reason) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (r.getStatus() != RequestStatus.ACTIVE || r.getRevokeRequestedAt() != null) {
      return false;
    }
    recordRevokeRequest(id, actor, reason);
    return true;
  }

  /**
   * Who may act on the principal's task "Your access" (end now, ask for more time): only the
   * principal of the request, signed in on the completion, from the request's own process
   * instance, while the access is ACTIVE. A refusal is audited as {@code refused.<action>}.
   */
  @Transactional
  public AccessRequest requirePrincipalOfActiveAccess(ProcessStep step, Caller caller, String action) {
    AccessRequest r = core.bound(step, action);
    if (caller == null) {
      throw core.refuse(step, action, r, "nobody is signed in");
    }
    if (!core.isPrincipal(caller.userId(), r)) {
      throw core.refuse(step, action, r, "only its principal (" + r.getPrincipal() + ") may, in the task \"Your access\"");
    }
    if (r.getStatus() != RequestStatus.ACTIVE) {
      throw new ConflictingStateException("Request " + r.getId() + " is " + r.getStatus() + "; only ACTIVE access can be "
          + "ended or extended");
    }
    return r;
  }

  /**
   * The sign-in name the task "Your access" belongs to: the principal's (see {@link PrincipalMapping}), or
   * null when no sign-in name maps to the principal. Read from the stored request of this instance.
   */
  public String accessTaskAssignee(ProcessStep step) {
    return principals.userIdOf(read(step).getPrincipal());
  }

  /** The timer or the revoke message fired: REVOKING, if the clock or a recorded request allows it. */
  @Transactional
  public void revocationDue(ProcessStep step) {
    AccessRequest r = core.bound(step, "revoke");
    if (r.getStatus() == RequestStatus.REVOKING || r.getStatus().isTerminal()) {
      return;
    }
    core.requireStatus(r, step, "revoke", RequestStatus.ACTIVE);
    nodeClock.requireAgreement("revoke request " + r.getId());
    requireRevokeAllowed(r, step);
    core.moveTo(r, RequestStatus.REVOKING, step.actor(), Map.of("why", revokeWhy(r)));
  }

  /**
   * Removes the access in AWS, unless another active request still covers the same
   * assignment: then AWS is left as it is and the revoke is recorded as covered.
   */
  @Transactional
  public void revoke(ProcessStep step) {
    AccessRequest r = core.bound(step, "revoke");
    if (r.getStatus() == RequestStatus.REVOKED || r.getStatus() == RequestStatus.SUPERSEDED) {
      return;
    }
    if (!r.getStatus().mayHoldAccess()) {
      throw core.refuse(step, "revoke", r, "it is " + r.getStatus() + " and holds no access");
    }
    if (r.getStatus() != RequestStatus.GRANTING) {
      requireRevokeAllowed(r, step);
    }
    core.revokeNow(r, SYSTEM_ACTOR, revokeWhy(r));
  }

  private void requireRevokeAllowed(AccessRequest r, ProcessStep step) {
    boolean due = r.getGrantEnd() != null && !clock.instant().plus(CLOCK_TOLERANCE).isBefore(r.getGrantEnd());
    if (!due && r.getRevokeRequestedBy() == null) {
      throw core.refuse(step, "revoke", r, "its access ends at " + r.getGrantEnd() + " and nobody entitled asked to end it "
          + "earlier (POST /api/requests/" + r.getId() + "/revoke)");
    }
  }

  private String revokeWhy(AccessRequest r) {
    if (r.getRevokeRequestedBy() != null) {
      return "revoke requested by " + r.getRevokeRequestedBy()
          + (r.getRevokeReason() == null ? "" : ": " + r.getRevokeReason());
    }
    return "expired at " + r.getGrantEnd();
  }

  /** Whether the signed-in user {@code userId} is the request's principal in Identity Center. */
  boolean isPrincipal(String userId, AccessRequest r) {
    return core.isPrincipal(userId, r);
  }
}
