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
  private final SessionTermination sessions;

  private final AccessProcess process;
  private final org.springframework.context.ApplicationEventPublisher events;
  private final NodeClock nodeClock;
  private final StepUp stepUp;

  public AccessLifecycle(AccessRequestMapper requests, RequestValidator validator, AccessGateway gateway,
      AccessPolicy policy, AuditLog audit, CraftedPermissions crafted, PrincipalMapping principals, Clock clock,
      SessionTermination sessions, @org.springframework.context.annotation.Lazy AccessProcess process,
      org.springframework.context.ApplicationEventPublisher events, NodeClock nodeClock, StepUp stepUp) {
    this.stepUp = stepUp;
    this.nodeClock = nodeClock;
    this.process = process;
    this.sessions = sessions;
    this.events = events;
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
    AccessRequest r = bound(step, "policy.scope");
    requireStatus(r, step, "policy.scope", RequestStatus.SUBMITTED);
    boolean self = principalIsRequester(r);
    AccessPolicy.Scope scope = policy.scope(r, self);
    String rejection = null;
    if (scope == null) {
      rejection = "No scope allows " + r.getRequester() + " to ask for " + r.getPermission() + " on " + r.getTarget();
    } else if (!self && !scope.mayRequestForOthers()) {
      rejection = "Scope '" + scope.name() + "' allows asking only for yourself, not for " + r.getPrincipal();
    }
    if (rejection != null) {
      r.setDecisionReason(rejection);
      moveTo(r, RequestStatus.REJECTED_OUT_OF_SCOPE, step.actor(), Map.of("reason", rejection));
      return null;
    }
    r.setScopeName(scope.name());
    r.setApproverGroups(String.join(",", scope.approverGroups()));
    r.setMaxDurationMinutes(scope.maxDurationMinutes());
    r.setApprovalsRequired(scope.approvalsRequired());
    r.setEscalationGroup(blankToNull(scope.escalationGroup()));
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
    AccessRequest r = bound(step, "policy.approval");
    requireStatus(r, step, "policy.approval", RequestStatus.SUBMITTED);
    if (r.getScopeName() == null) {
      throw refuse(step, "policy.approval", r, "the scope has not been checked");
    }
    AccessPolicy.Scope scope = new AccessPolicy.Scope(r.getScopeName(), r.approverGroupList(),
        r.getMaxDurationMinutes() == null ? 0 : r.getMaxDurationMinutes(), true, r.quorum(), r.getEscalationGroup(),
        Boolean.TRUE.equals(r.getBreakGlass()));
    AccessPolicy.Approval approval = policy.approval(r, scope, principalIsRequester(r));
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
      case AccessPolicy.Approval.APPROVE -> approved(r);
      case AccessPolicy.Approval.DENY -> RequestStatus.DENIED;
      default -> RequestStatus.PENDING_REVIEW;
    };
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("scope", r.getScopeName());
    details.put("approverGroups", r.approverGroupList());
    details.put("outcome", outcome);
    details.put("reason", reason);
    details.put("breakGlass", breakGlass);
    moveTo(r, next, step.actor(), details);
    if (breakGlass) {
      audit.record(SYSTEM_ACTOR, "breakglass.granted", r.getId(), Map.of("requester", r.getRequester(),
          "reviewers", r.approverGroupList()));
    }
    return new AccessPolicy.Approval(outcome, reason, breakGlass);
  }

  // ---- review ---------------------------------------------------------------------------

  /**
   * Why {@code reviewer} may not review the request, or empty when they may: never the
   * requester, never the principal, only a member of the scope's approver groups.
   */
  @Transactional(readOnly = true)
  public Optional<String> reviewRefusal(AccessRequest r, Caller reviewer) {
    if (reviewer == null || reviewer.userId() == null) {
      return Optional.of("Sign in to review access requests");
    }
    if (reviewer.userId().equals(r.getRequester())) {
      return Optional.of("You cannot review your own access request (" + r.getId() + "): another approver must");
    }
    if (isPrincipal(reviewer.userId(), r)) {
      return Optional.of("You cannot review request " + r.getId() + ": it grants access to you ("
          + r.getPrincipal() + "), so another approver must");
    }
    if (reviewer.userId().equals(r.getChangedBy())) {
      return Optional.of("You changed request " + r.getId() + " (it replaces " + r.getSupersedes()
          + "): another approver must review it");
    }
    List<String> approverGroups = r.approverGroupList();
    if (approverGroups.isEmpty() || !reviewer.inAnyGroup(approverGroups)) {
      return Optional.of("Only members of " + (approverGroups.isEmpty() ? "the scope's approver groups"
          : String.join(", ", approverGroups)) + " may review request " + r.getId());
    }
    return Optional.empty();
  }

  /**
   * Checks and records an approver's decision (the review task's complete listener, however
   * the task was completed). {@code shown} are the values the review form displayed; they
   * must be the stored request's, or nothing is approved. An approval needs a recent second
   * factor ({@link StepUp}).
   */
  @Transactional
  public boolean recordReview(ProcessStep step, Caller reviewer, String outcome, String comment, Map<String, Object> shown) {
    AccessRequest r = bound(step, "review");
    Optional<String> refusal = reviewRefusal(r, reviewer);
    if (refusal.isPresent()) {
      audit.refused(reviewer == null ? null : reviewer.userId(), "refused.review", r.getId(),
          Map.of("reason", refusal.get(), "processInstanceId", String.valueOf(step.processInstanceId())));
      throw new ForbiddenActionException(refusal.get());
    }
    if (r.getStatus() != RequestStatus.PENDING_REVIEW) {
      throw new ConflictingStateException("Request " + r.getId() + " is " + r.getStatus() + ", not waiting for review");
    }
    Map<String, Object> diverged = divergence(r, shown);
    if (!diverged.isEmpty()) {
      audit.refused(reviewer.userId(), "refused.review", r.getId(), Map.of(
          "reason", "the review shows values that differ from the stored request", "differences", diverged));
      throw new ForbiddenActionException("Request " + r.getId() + " was changed outside Airlock: the review shows "
          + diverged.keySet() + " that differ from what would be granted; nothing was approved");
    }
    ReviewDecision.Outcome parsed;
    try {
      parsed = ReviewDecision.Outcome.valueOf(String.valueOf(outcome));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("reviewOutcome",
          "choose APPROVE or DENY, was '" + outcome + "'")));
    }
    if (parsed == ReviewDecision.Outcome.APPROVE) {
      stepUp.requireForApproval(reviewer.userId(), "refused.review", r.getId(), "request " + r.getId());
    }
    checkReviewComment(comment);
    if (parsed == ReviewDecision.Outcome.DENY && (comment == null || comment.isBlank())) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("reviewComment",
          "is required to deny: say why, the requester sees it")));
    }
    Instant now = clock.instant();
    List<String> approvers = requests.findApprovers(r.getId());
    if (parsed == ReviewDecision.Outcome.APPROVE && approvers.contains(reviewer.userId())) {
      String why = "You approved request " + r.getId() + " already; it needs " + r.quorum()
          + " approvals from different approvers";
      audit.refused(reviewer.userId(), "refused.review", r.getId(), Map.of("reason", why));
      throw new ForbiddenActionException(why);
    }
    r.setReviewer(reviewer.userId());
    r.setReviewOutcome(parsed.name());
    r.setReviewComment(comment);
    r.setReviewedAt(now);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("outcome", parsed.name());
    details.put("comment", comment);
    details.put("approverGroups", r.approverGroupList());
    boolean moreNeeded = false;
    if (parsed == ReviewDecision.Outcome.APPROVE) {
      requests.insertApproval(r.getId(), reviewer.userId(), now);
      int approvals = approvers.size() + 1;
      moreNeeded = approvals < r.quorum();
      details.put("approvals", approvals);
      details.put("approvalsRequired", r.quorum());
    }
    audit.record(reviewer.userId(), parsed == ReviewDecision.Outcome.APPROVE ? "review.approved" : "review.denied",
        r.getId(), details);
    if (moreNeeded) {
      r.setUpdatedAt(now);
      requests.update(r); // still PENDING_REVIEW: the next approver reviews it
      return true;
    }
    moveTo(r, parsed == ReviewDecision.Outcome.APPROVE ? approved(r) : RequestStatus.DENIED,
        reviewer.userId(), Map.of("reviewer", reviewer.userId()));
    return false;
  }

  /** An approved request is granted now (GRANTING), or at its scheduled start (SCHEDULED). */
  private RequestStatus approved(AccessRequest r) {
    return r.getStartAt() != null && r.getStartAt().isAfter(clock.instant()) ? RequestStatus.SCHEDULED
        : RequestStatus.GRANTING;
  }

  /** The displayed values that differ from the stored request (name → shown, stored). */
  private static Map<String, Object> divergence(AccessRequest r, Map<String, Object> shown) {
    Map<String, Object> stored = displayed(r);
    Map<String, Object> diff = new LinkedHashMap<>();
    if (shown == null) {
      return diff;
    }
    stored.forEach((name, value) -> {
      if (shown.containsKey(name)) {
        String s = shown.get(name) == null ? null : String.valueOf(shown.get(name));
        if (!Objects.equals(blankToNull(s), blankToNull(value == null ? null : String.valueOf(value)))) {
          diff.put(name, Map.of("shown", String.valueOf(s), "stored", String.valueOf(value)));
        }
      }
    });
    return diff;
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

  /** What the review form shows of a request: the process variables Airlock keeps as copies. */
  public static Map<String, Object> displayed(AccessRequest r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("requester", r.getRequester());
    m.put("principal", r.getPrincipal());
    m.put("target", r.getTarget());
    m.put("permission", r.getPermission());
    m.put("duration", r.getDuration());
    m.put("justification", r.getJustification());
    m.put("ticket", r.getTicket());
    m.put("craftPolicy", r.getCraftPolicy());
    return m;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** An approver's edit replaced a pending request: it ends SUPERSEDED, pointing at the edit. */
  @Transactional
  public void supersedePending(String originalId, String editId, String editor) {
    AccessRequest original = requests.lockById(originalId).orElseThrow(() -> new RequestNotFoundException(originalId));
    if (original.getStatus() != RequestStatus.PENDING_REVIEW) {
      throw new ConflictingStateException("Request " + originalId + " is " + original.getStatus()
          + "; only a request waiting for review can be edited");
    }
    original.setSupersededBy(editId);
    original.setDecisionReason("Edited by " + editor + ": replaced by request " + editId);
    moveTo(original, RequestStatus.SUPERSEDED, editor, Map.of("by", editId));
  }

  /**
   * A review waited too long (the review task's timer): the scope's escalation group may now
   * review too. Returns that group, or null when the scope names none.
   */
  @Transactional
  public String escalate(ProcessStep step) {
    AccessRequest r = bound(step, "escalate");
    requireStatus(r, step, "escalate", RequestStatus.PENDING_REVIEW);
    String group = r.getEscalationGroup();
    if (group == null || r.approverGroupList().contains(group)) {
      audit.record(SYSTEM_ACTOR, "review.escalated", r.getId(), Map.of("group", String.valueOf(group),
          "approverGroups", r.approverGroupList()));
      return group;
    }
    List<String> groups = new java.util.ArrayList<>(r.approverGroupList());
    groups.add(group);
    r.setApproverGroups(String.join(",", groups));
    r.setUpdatedAt(clock.instant());
    requests.update(r);
    audit.record(SYSTEM_ACTOR, "review.escalated", r.getId(), Map.of("group", group, "approverGroups", groups));
    events.publishEvent(RequestEvent.review(r, RequestEvent.Kind.REVIEW_ESCALATED, groups));
    return group;
  }

  /**
   * A review has waited a while (the review task's reminder timer): its approvers are reminded.
   * Nothing changes on the request; a request no longer waiting for review is left alone.
   */
  @Transactional
  public void remindApprovers(ProcessStep step) {
    AccessRequest r = bound(step, "remind");
    if (r.getStatus() != RequestStatus.PENDING_REVIEW) {
      return;
    }
    audit.record(SYSTEM_ACTOR, "review.reminded", r.getId(), Map.of("approverGroups", r.approverGroupList()));
    events.publishEvent(RequestEvent.review(r, RequestEvent.Kind.REVIEW_REMINDER, r.approverGroupList()));
  }

  /** A review's comment, on every kind of review: at most 1,000 characters of text people can read. */
  private static void checkReviewComment(String comment) {
    if (comment != null && comment.length() > 1000) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("reviewComment",
          "must be at most 1000 characters")));
    }
    TextRules.check("reviewComment", comment).ifPresent(e -> {
      throw new InvalidRequestException(List.of(e));
    });
  }

  /**
   * The review after the fact of break-glass access: an eligible approver keeps it, or rejects
   * it with a comment, which records a revoke request (the process then revokes at once).
   * Returns whether the access is to be revoked now.
   */
  @Transactional
  public boolean recordBreakGlassReview(ProcessStep step, Caller reviewer, String outcome, String comment) {
    AccessRequest r = bound(step, "breakglass-review");
    if (!Boolean.TRUE.equals(r.getBreakGlass())) {
      throw refuse(step, "breakglass-review", r, "it was not granted as break-glass");
    }
    Optional<String> refusal = reviewRefusal(r, reviewer);
    if (refusal.isPresent()) {
      audit.refused(reviewer == null ? null : reviewer.userId(), "refused.breakglass-review", r.getId(),
          Map.of("reason", refusal.get()));
      throw new ForbiddenActionException(refusal.get());
    }
    ReviewDecision.Outcome parsed;
    try {
      parsed = ReviewDecision.Outcome.valueOf(String.valueOf(outcome));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("reviewOutcome",
          "choose APPROVE (keep it) or DENY (revoke it now), was '" + outcome + "'")));
    }
    if (parsed == ReviewDecision.Outcome.APPROVE) {
      // Keeping break-glass access is an approval; rejecting it only takes access away.
      stepUp.requireForApproval(reviewer.userId(), "refused.breakglass-review", r.getId(), "request " + r.getId());
    }
    checkReviewComment(comment);
    if (parsed == ReviewDecision.Outcome.DENY && (comment == null || comment.isBlank())) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("reviewComment",
          "is required to reject break-glass access: say why, the requester sees it")));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("comment", comment);
    details.put("status", r.getStatus().name());
    boolean revokeNow = parsed == ReviewDecision.Outcome.DENY && r.getStatus() == RequestStatus.ACTIVE;
    if (revokeNow) {
      Instant now = clock.instant();
      r.setRevokeRequestedBy(reviewer.userId());
      r.setRevokeRequestedAt(now);
      r.setRevokeReason(truncate("break-glass rejected: " + comment, 512));
      r.setUpdatedAt(now);
      requests.update(r);
    }
    audit.record(reviewer.userId(), parsed == ReviewDecision.Outcome.APPROVE ? "breakglass.accepted"
        : "breakglass.rejected", r.getId(), details);
    return revokeNow;
  }

  /** Nobody reviewed the request in time (the review task's timer): EXPIRED. */
  @Transactional
  public void expire(ProcessStep step) {
    AccessRequest r = bound(step, "expire");
    requireStatus(r, step, "expire", RequestStatus.PENDING_REVIEW);
    r.setDecisionReason("Nobody reviewed the request in time; ask again if you still need the access");
    moveTo(r, RequestStatus.EXPIRED, step.actor(), Map.of());
  }

  /** The requester (checked by the caller) withdraws a request waiting for review: CANCELLED. */
  @Transactional
  public AccessRequest withdraw(String id, String actor, String reason) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (r.getStatus() != RequestStatus.PENDING_REVIEW && r.getStatus() != RequestStatus.SCHEDULED) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus()
          + "; only a request waiting for review or for its scheduled start can be withdrawn");
    }
    r.setDecisionReason(truncate("Withdrawn by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason), 512));
    moveTo(r, RequestStatus.CANCELLED, actor, Map.of("withdrawn", true, "reason", String.valueOf(reason)));
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
    AccessRequest r = bound(step, "grant");
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
    Map<String, Object> details = grantTimes(r);
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
    AccessRequest r = bound(step, "grant");
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
      revokeNow(r, SYSTEM_ACTOR, "its end " + r.getGrantEnd() + " passed before AWS confirmed the grant");
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
      lockAssignment(r);
      result = gateway.grant(assignment(r));
    } catch (AccessRejectedException e) {
      r.setDecisionReason(truncate("AWS rejected the grant: " + e.getMessage(), 512));
      moveTo(r, RequestStatus.FAILED, SYSTEM_ACTOR, Map.of("reason", String.valueOf(e.getMessage())));
      throw e;
    }
    // From the moment the create was first sent (recorded before it), not from AWS's answer.
    Instant start = r.getGrantStart() != null ? r.getGrantStart() : clock.instant();
    Instant end = r.endFrom(start);
    r.setGrantStart(start);
    r.setGrantEnd(end);
    Map<String, Object> details = awsDetails(r, result);
    details.putAll(craftDetails);
    details.put("grantStart", start.toString());
    details.put("grantEnd", end.toString());
    details.put("approvedBy", byReview ? approvers : List.of("policy"));
    audit.record(SYSTEM_ACTOR, "access.granted", r.getId(), details);
    moveTo(r, RequestStatus.ACTIVE, SYSTEM_ACTOR, Map.of("grantEnd", end.toString()));
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
        throw refuse(step, "grant", r, "it is scheduled to start at " + r.getStartAt());
      }
    } else {
      requireStatus(r, step, "grant", RequestStatus.GRANTING);
    }
    boolean byPolicy = AccessPolicy.Approval.APPROVE.equals(r.getDecisionOutcome());
    List<String> approvers = requests.findApprovers(r.getId());
    boolean byReview = "APPROVE".equals(r.getReviewOutcome()) && approvers.size() >= r.quorum()
        && approvers.stream().noneMatch(a -> a.equals(r.getRequester()) || a.equals(r.getChangedBy())
            || principals.isSamePerson(a, r.getPrincipal()));
    if (!byPolicy && !byReview) {
      throw refuse(step, "grant", r, "no approval is recorded (neither the policy nor an eligible approver approved it)");
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
    r.setRevokeReason(reason == null ? null : truncate(reason, 512));
    r.setUpdatedAt(now);
    requests.update(r);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("status", r.getStatus().name());
    details.put("reason", reason);
    audit.record(actor, "revoke.requested", id, details);
    return r;
  }

  /**
   * Who may act on the principal's task "Your access" (end now, ask for more time): only the
   * principal of the request, signed in on the completion, from the request's own process
   * instance, while the access is ACTIVE. A refusal is audited as {@code refused.<action>}.
   */
  @Transactional
  public AccessRequest requirePrincipalOfActiveAccess(ProcessStep step, Caller caller, String action) {
    AccessRequest r = bound(step, action);
    if (caller == null) {
      throw refuse(step, action, r, "nobody is signed in");
    }
    if (!isPrincipal(caller.userId(), r)) {
      throw refuse(step, action, r, "only its principal (" + r.getPrincipal() + ") may, in the task \"Your access\"");
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
    AccessRequest r = bound(step, "revoke");
    if (r.getStatus() == RequestStatus.REVOKING || r.getStatus().isTerminal()) {
      return;
    }
    requireStatus(r, step, "revoke", RequestStatus.ACTIVE);
    nodeClock.requireAgreement("revoke request " + r.getId());
    requireRevokeAllowed(r, step);
    moveTo(r, RequestStatus.REVOKING, step.actor(), Map.of("why", revokeWhy(r)));
  }

  /**
   * Removes the access in AWS, unless another active request still covers the same
   * assignment: then AWS is left as it is and the revoke is recorded as covered.
   */
  @Transactional
  public void revoke(ProcessStep step) {
    AccessRequest r = bound(step, "revoke");
    if (r.getStatus() == RequestStatus.REVOKED || r.getStatus() == RequestStatus.SUPERSEDED) {
      return;
    }
    if (!r.getStatus().mayHoldAccess()) {
      throw refuse(step, "revoke", r, "it is " + r.getStatus() + " and holds no access");
    }
    if (r.getStatus() != RequestStatus.GRANTING) {
      requireRevokeAllowed(r, step);
    }
    revokeNow(r, SYSTEM_ACTOR, revokeWhy(r));
  }

  private void revokeNow(AccessRequest r, String actor, String why) {
    nodeClock.requireAgreement("revoke request " + r.getId());
    Instant now = clock.instant();
    Map<String, Object> details;
    if (r.getPermissionSetArn() == null) {
      details = new LinkedHashMap<>(); // a crafted request that never got its permission set
    } else {
      lockAssignment(r);
      List<String> coveredBy = requests.findOtherActiveGrants(r.getId(), r.getTarget(), r.getPrincipalId(),
          r.getPermissionSetArn(), now);
      if (coveredBy.isEmpty()) {
        details = removeAccess(r, actor);
      } else {
        details = new LinkedHashMap<>();
        details.put("keptForRequests", coveredBy);
        log.info("Request {} ended; assignment kept in AWS for active requests {}", r.getId(), coveredBy);
      }
    }
    details.put("why", why);
    r.setRevokedAt(now);
    audit.record(actor, "access.revoked", r.getId(), details);
    moveTo(r, r.getSupersededBy() != null ? RequestStatus.SUPERSEDED : RequestStatus.REVOKED, actor, Map.of());
  }

  /**
   * Removes the assignment and ends the sessions obtained through it (the caller holds the
   * assignment lock and has checked that no other grant covers it). A crafted set is the
   * request's alone: its sessions are denied first, then the assignment and the set go. For any
   * other set the deny comes once the assignment is gone, for the sessions issued until then.
   */
  private Map<String, Object> removeAccess(AccessRequest r, String actor) {
    Map<String, Object> ended = new LinkedHashMap<>();
    if (r.isCrafted()) {
      sessions.endBeforeDeletingCraftedSet(r, actor, ended);
    }
    boolean asked = r.getRevokeRequestedAt() != null
        && (r.getGrantEnd() == null || r.getRevokeRequestedAt().isBefore(r.getGrantEnd()));
    Map<String, Object> details = awsDetails(r, gateway.revoke(assignment(r),
        asked ? r.getRevokeRequestedAt() : r.getGrantEnd(), asked ? "requested" : "expiry"));
    if (r.isCrafted()) {
      crafted.remove(r, details);
    } else {
      sessions.endAfterRevoke(r, actor, ended);
    }
    details.putAll(ended);
    return details;
  }

  private void requireRevokeAllowed(AccessRequest r, ProcessStep step) {
    boolean due = r.getGrantEnd() != null && !clock.instant().plus(CLOCK_TOLERANCE).isBefore(r.getGrantEnd());
    if (!due && r.getRevokeRequestedBy() == null) {
      throw refuse(step, "revoke", r, "its access ends at " + r.getGrantEnd() + " and nobody entitled asked to end it "
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

  // ---- when the process is gone ---------------------------------------------------------

  /**
   * The request's process instance ended. Nothing to do when it ended the request; when it was
   * cancelled or deleted first, a request that had no access yet ends CANCELLED, and one that
   * may hold access is left to the reconciler, which revokes it. Returns whether access may be
   * held, so the caller can wake the reconciler once this commits.
   */
  @Transactional
  public boolean processEnded(String requestId, String processInstanceId, String actor) {
    if (requestId == null) {
      return false;
    }
    Optional<AccessRequest> found = requests.lockById(requestId);
    if (found.isEmpty() || !Objects.equals(found.get().getProcessInstanceId(), processInstanceId)) {
      return false; // not the instance that owns the request: it never changed it
    }
    AccessRequest r = found.get();
    if (r.getStatus().isTerminal()) {
      return false;
    }
    if (r.getStatus().mayHoldAccess()) {
      audit.record(actor == null ? SYSTEM_ACTOR : actor, "request.process-ended", requestId, Map.of(
          "processInstanceId", processInstanceId, "status", r.getStatus().name(),
          "next", "the reconciler revokes the access"));
      return true;
    }
    r.setDecisionReason("The request's process was cancelled by " + (actor == null ? SYSTEM_ACTOR : actor)
        + " before access was granted");
    moveTo(r, RequestStatus.CANCELLED, actor, Map.of("processInstanceId", processInstanceId));
    return false;
  }

  /**
   * Hands a request that may hold access, and whose process is gone, to a new process instance
   * that revokes it (so retries and incidents show in Cockpit). Refused when the request has
   * moved on meanwhile (another node adopted it).
   */
  @Transactional
  public void adoptForRevocation(String requestId, String formerInstanceId, String newInstanceId) {
    AccessRequest r = requests.lockById(requestId).orElseThrow(() -> new RequestNotFoundException(requestId));
    if (!Objects.equals(r.getProcessInstanceId(), formerInstanceId) || !r.getStatus().mayHoldAccess()) {
      throw new ConflictingStateException("Request " + requestId + " was reconciled meanwhile");
    }
    Instant now = clock.instant();
    r.setProcessInstanceId(newInstanceId);
    if (r.getRevokeRequestedBy() == null) {
      r.setRevokeRequestedBy(RECONCILER_ACTOR);
      r.setRevokeRequestedAt(now);
      r.setRevokeReason("its process instance " + formerInstanceId + " is gone");
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("formerProcessInstanceId", formerInstanceId);
    details.put("processInstanceId", newInstanceId);
    details.put("reason", "process gone while access may be held");
    audit.record(RECONCILER_ACTOR, "request.adopted", requestId, details);
    if (r.getStatus() == RequestStatus.REVOKING) {
      r.setUpdatedAt(now);
      requests.update(r);
    } else {
      moveTo(r, RequestStatus.REVOKING, RECONCILER_ACTOR, Map.of("why", r.getRevokeReason()));
    }
  }

  /**
   * Revokes access whose end passed more than {@code grace} ago, whatever its process does
   * (a timer moved, a job suspended). False when the request is not overdue (any more).
   */
  @Transactional
  public boolean revokeOverdue(String requestId, Duration grace) {
    AccessRequest r = requests.lockById(requestId).orElseThrow(() -> new RequestNotFoundException(requestId));
    if (!r.getStatus().mayHoldAccess() || r.getGrantEnd() == null
        || !r.getGrantEnd().plus(grace).isBefore(clock.instant())) {
      return false;
    }
    revokeNow(r, RECONCILER_ACTOR, r.getStatus() == RequestStatus.GRANTING
        ? "overdue: its grant was sent at " + r.getGrantStart() + ", never confirmed, and its end " + r.getGrantEnd()
            + " has passed"
        : "overdue: access ended at " + r.getGrantEnd() + " and was still in place");
    return true;
  }

  /**
   * A grant sent to AWS more than {@code after} ago and still not confirmed (AWS throttled or
   * failed its status, the job is waiting for a retry or in an incident, the node died): asks
   * AWS whether the assignment exists. If it does, the request is ACTIVE from the moment the
   * create was first sent, with the end recorded then, audited as {@code access.granted} by the
   * reconciler; the caller then lets the process go on to its timer. If it does not, nothing
   * changes: the grant's job goes on retrying, and at the recorded end the reconciler revokes
   * whatever is there ({@link #revokeOverdue}). Returns whether it was confirmed.
   */
  @Transactional
  public boolean confirmGrant(String requestId, Duration after) {
    AccessRequest r = requests.lockById(requestId).orElseThrow(() -> new RequestNotFoundException(requestId));
    if (r.getStatus() != RequestStatus.GRANTING || r.getGrantStart() == null || r.getGrantEnd() == null
        || r.getPermissionSetArn() == null || !r.getGrantStart().plus(after).isBefore(clock.instant())
        || !clock.instant().isBefore(r.getGrantEnd())) {
      return false;
    }
    nodeClock.requireAgreement("confirm the grant of request " + r.getId());
    lockAssignment(r);
    if (!gateway.isAssigned(assignment(r))) {
      return false;
    }
    Map<String, Object> details = grantTimes(r);
    details.put("confirmedBy", "the reconciler found the assignment in AWS; the grant's own step had not confirmed it");
    audit.record(RECONCILER_ACTOR, "access.granted", r.getId(), details);
    moveTo(r, RequestStatus.ACTIVE, RECONCILER_ACTOR, Map.of("grantEnd", r.getGrantEnd().toString()));
    log.warn("Request {}: its grant, sent at {}, was not confirmed by its job; the assignment is in AWS, so it is"
        + " ACTIVE until {}", r.getId(), r.getGrantStart(), r.getGrantEnd());
    return true;
  }

  /**
   * Ends a request for the integration's teardown: its access is removed from AWS whatever
   * other requests cover (everything Airlock granted goes), its crafted permission set is
   * deleted, and it ends REVOKED (it had access) or FAILED (it had not yet). The caller has
   * cancelled the request's process first.
   */
  @Transactional
  public Map<String, Object> endForTeardown(String id, String actor) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    Instant now = clock.instant();
    RequestStatus from = r.getStatus();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "teardown");
    details.put("from", from.name());
    if (r.getPermissionSetArn() != null && from.mayHoldAccess()) {
      lockAssignment(r);
      details.putAll(removeAccess(r, actor));
      r.setStatus(RequestStatus.REVOKED);
      r.setRevokedAt(now);
    } else if (!from.isTerminal()) {
      r.setStatus(RequestStatus.FAILED);
      r.setDecisionReason("Airlock's AWS integration was torn down by " + actor + " before access was granted");
    }
    r.setUpdatedAt(now);
    requests.update(r);
    details.put("to", r.getStatus().name());
    audit.record(actor, r.getStatus() == RequestStatus.REVOKED ? "access.revoked" : "request.status", id, details);
    return details;
  }

  // ---- drift (bpmn/inventory-scan.bpmn) -------------------------------------------------

  /**
   * An assignment in AWS that a request of Airlock's was granted, whose grant has ended, and
   * that no request holds now (revoked but put back behind Airlock's back, or a revoke that
   * left it): removed, and reported as {@code drift.orphan-revoked} in the same transaction.
   * Checked again under the assignment's lock and in AWS itself, so a grant running at the same
   * moment is never cut short. Returns the ended request it came from, or empty when it is not
   * an orphan (any more).
   */
  @Transactional
  public Optional<String> revokeOrphan(Assignment a, String actor) {
    requests.ensureAssignmentLock(a.accountId(), a.principalId(), a.permissionSetArn());
    requests.lockAssignment(a.accountId(), a.principalId(), a.permissionSetArn());
    if (!requests.findHolders(a.accountId(), a.principalId(), a.permissionSetArn()).isEmpty()) {
      return Optional.empty();
    }
    Optional<String> ended = requests.findLastEndedGrant(a.accountId(), a.principalId(), a.permissionSetArn());
    if (ended.isEmpty() || !gateway.isAssigned(a)) {
      return Optional.empty();
    }
    AccessRequest r = requests.findById(ended.get()).orElseThrow(() -> new RequestNotFoundException(ended.get()));
    Map<String, Object> details = awsDetails(r, gateway.revoke(a));
    details.put("requestStatus", r.getStatus().name());
    details.put("grantEnd", r.getGrantEnd() == null ? null : r.getGrantEnd().toString());
    details.put("revokedAt", r.getRevokedAt() == null ? null : r.getRevokedAt().toString());
    details.put("finding", "assignment Airlock granted is still in AWS after its request ended");
    audit.record(actor, "drift.orphan-revoked", r.getId(), details);
    log.warn("Drift: {} on {} for {} was still assigned after request {} ended ({}): revoked", r.getPermission(),
        a.accountId(), a.principalId(), r.getId(), r.getStatus());
    return ended;
  }

  /**
   * Standing access (not from Airlock) that configuration says to remove: removed and
   * reported as {@code drift.standing-removed}, unless a request of Airlock's holds it now or
   * it is gone already. Returns whether it was removed.
   */
  @Transactional
  public boolean removeStanding(Assignment a, String permissionSetName, String actor) {
    requests.ensureAssignmentLock(a.accountId(), a.principalId(), a.permissionSetArn());
    requests.lockAssignment(a.accountId(), a.principalId(), a.permissionSetArn());
    if (!requests.findHolders(a.accountId(), a.principalId(), a.permissionSetArn()).isEmpty() || !gateway.isAssigned(a)) {
      return false;
    }
    OperationResult result = gateway.revoke(a);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("accountId", a.accountId());
    details.put("permissionSetArn", a.permissionSetArn());
    details.put("permissionSet", permissionSetName);
    details.put("principalId", a.principalId());
    details.put("operationId", result.operationId());
    details.put("status", result.status());
    details.put("awsRequestIds", result.awsRequestIds());
    details.put("finding", "standing access outside Airlock, removed as airlock.drift.remove-standing names it");
    audit.record(actor, "drift.standing-removed", null, details);
    log.warn("Drift: standing {} on {} for {} removed (airlock.drift.remove-standing)", permissionSetName,
        a.accountId(), a.principalId());
    return true;
  }

  /**
   * A request whose account or permission set no longer exists in AWS ends FAILED with
   * {@code reason}, reported as {@code drift.request-failed}. Only a request still waiting
   * (PENDING_REVIEW, SCHEDULED) or ACTIVE is failed; the caller has cancelled its process in
   * the same transaction. Returns whether it was failed.
   */
  @Transactional
  public boolean failForMissingTarget(String id, String reason, String actor) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    RequestStatus from = r.getStatus();
    if (from != RequestStatus.PENDING_REVIEW && from != RequestStatus.SCHEDULED && from != RequestStatus.ACTIVE) {
      return false;
    }
    Instant now = clock.instant();
    if (from == RequestStatus.ACTIVE) {
      r.setRevokedAt(now); // what it granted went with the account or the permission set
    }
    r.setDecisionReason(truncate(reason, 512));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("from", from.name());
    details.put("target", r.getTarget());
    details.put("permission", r.getPermission());
    details.put("permissionSetArn", r.getPermissionSetArn());
    details.put("reason", reason);
    audit.record(actor, "drift.request-failed", id, details);
    moveTo(r, RequestStatus.FAILED, actor, Map.of("reason", reason));
    return true;
  }

  // ---- helpers --------------------------------------------------------------------------

  /** The request, row-locked, if {@code step} comes from the process instance that owns it; else refused. */
  private AccessRequest bound(ProcessStep step, String action) {
    Optional<AccessRequest> found = step.requestId() == null ? Optional.empty() : requests.lockById(step.requestId());
    if (found.isEmpty()) {
      audit.refused(step.actor(), "refused." + action, null, Map.of("reason", "no such request",
          "businessKey", String.valueOf(step.requestId()), "processInstanceId", String.valueOf(step.processInstanceId())));
      throw new ForbiddenActionException("Process instance " + step.processInstanceId() + " has no request of Airlock's ("
          + step.requestId() + "): requests start at 'Access requested'");
    }
    AccessRequest r = found.get();
    if (!Objects.equals(r.getProcessInstanceId(), step.processInstanceId())) {
      throw refuse(step, action, r, "it belongs to process instance " + r.getProcessInstanceId() + ", not "
          + step.processInstanceId());
    }
    return r;
  }

  private void requireStatus(AccessRequest r, ProcessStep step, String action, RequestStatus expected) {
    if (r.getStatus() != expected) {
      throw refuse(step, action, r, "it is " + r.getStatus() + ", not " + expected);
    }
  }

  private ForbiddenActionException refuse(ProcessStep step, String action, AccessRequest r, String why) {
    String message = "Refused to " + action.replace('.', ' ') + " request " + r.getId() + ": " + why;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", why);
    details.put("status", r.getStatus().name());
    details.put("processInstanceId", String.valueOf(step.processInstanceId()));
    audit.refused(step.actor(), "refused." + action, r.getId(), details);
    return new ForbiddenActionException(message);
  }

  private void moveTo(AccessRequest r, RequestStatus status, String actor, Map<String, Object> extra) {
    RequestStatus from = r.getStatus();
    r.setStatus(status);
    r.setUpdatedAt(clock.instant());
    requests.update(r);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("from", from.name());
    details.put("to", status.name());
    details.putAll(extra);
    audit.record(actor == null ? SYSTEM_ACTOR : actor, "request.status", r.getId(), details);
    events.publishEvent(RequestEvent.statusChanged(r, from));
  }

  /** Whether the signed-in user {@code userId} is the request's principal in Identity Center. */
  boolean isPrincipal(String userId, AccessRequest r) {
    if (principals.isSamePerson(userId, r.getPrincipal())) {
      return true;
    }
    Optional<String> id = validator.principalIdOf(principals.identityCenterNameOf(userId));
    return id.isPresent() && id.get().equals(r.getPrincipalId());
  }

  private boolean principalIsRequester(AccessRequest r) {
    return isPrincipal(r.getRequester(), r);
  }

  /**
   * Serializes grant and revoke of one assignment across requests, threads and nodes: the lock
   * is held until the transaction ends, AWS calls included. Without it a revoke could see no
   * other ACTIVE grant, while a second request's grant finds the assignment still in place
   * and is recorded ACTIVE just before the revoke removes it.
   */
  private void lockAssignment(AccessRequest r) {
    requests.ensureAssignmentLock(r.getTarget(), r.getPrincipalId(), r.getPermissionSetArn());
    requests.lockAssignment(r.getTarget(), r.getPrincipalId(), r.getPermissionSetArn());
  }

  private static Assignment assignment(AccessRequest r) {
    return new Assignment(r.getTarget(), r.getPermissionSetArn(), r.getPrincipalId());
  }

  /** The assignment and the grant's recorded start and end, for its audit entries. */
  private static Map<String, Object> grantTimes(AccessRequest r) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("accountId", r.getTarget());
    d.put("permissionSetArn", r.getPermissionSetArn());
    d.put("principalId", r.getPrincipalId());
    d.put("grantStart", r.getGrantStart().toString());
    d.put("grantEnd", r.getGrantEnd().toString());
    return d;
  }

  private static Map<String, Object> awsDetails(AccessRequest r, OperationResult result) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("accountId", r.getTarget());
    d.put("permissionSetArn", r.getPermissionSetArn());
    d.put("principalId", r.getPrincipalId());
    d.put("operationId", result.operationId());
    d.put("status", result.status());
    d.put("alreadyInPlace", result.alreadyInPlace());
    d.put("awsRequestIds", result.awsRequestIds());
    return d;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
