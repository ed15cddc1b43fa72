package io.airlock.request;

import io.airlock.audit.AuditLog;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reviews of a request: who may review it (four eyes: never the requester, the principal or the
 * approver who changed it; only the scope's approver groups), an approver's decision with its
 * quorum and second factor, the review after the fact of break-glass access, escalation and
 * reminders, and a review nobody made in time; an edit's original superseded, a withdrawal.
 * Each on the row-locked request, refused and audited when it may not happen.
 */
@Service
public class Reviews {

  private final AccessRequestMapper requests;
  private final AuditLog audit;
  private final Clock clock;
  private final ApplicationEventPublisher events;
  private final StepUp stepUp;
  private final RequestCore core;

  Reviews(AccessRequestMapper requests, AuditLog audit, Clock clock, ApplicationEventPublisher events, StepUp stepUp,
      RequestCore core) {
    this.requests = requests;
    this.audit = audit;
    this.clock = clock;
    this.events = events;
    this.stepUp = stepUp;
    this.core = core;
  }

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
    if (core.isPrincipal(reviewer.userId(), r)) {
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
    AccessRequest r = core.bound(step, "review");
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
    core.moveTo(r, parsed == ReviewDecision.Outcome.APPROVE ? core.approved(r) : RequestStatus.DENIED,
        reviewer.userId(), Map.of("reviewer", reviewer.userId()));
    return false;
  }

  /** The displayed values that differ from the stored request (name → shown, stored). */
  private static Map<String, Object> divergence(AccessRequest r, Map<String, Object> shown) {
    Map<String, Object> stored = r.displayed();
    Map<String, Object> diff = new LinkedHashMap<>();
    if (shown == null) {
      return diff;
    }
    stored.forEach((name, value) -> {
      if (shown.containsKey(name)) {
        String s = shown.get(name) == null ? null : String.valueOf(shown.get(name));
        if (!Objects.equals(RequestCore.blankToNull(s), RequestCore.blankToNull(value == null ? null : String.valueOf(value)))) {
          diff.put(name, Map.of("shown", String.valueOf(s), "stored", String.valueOf(value)));
        }
      }
    });
    return diff;
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
    core.moveTo(original, RequestStatus.SUPERSEDED, editor, Map.of("by", editId));
  }

  /**
   * A review waited too long (the review task's timer): the scope's escalation group may now
   * review too. Returns that group, or null when the scope names none.
   */
  @Transactional
  public String escalate(ProcessStep step) {
    AccessRequest r = core.bound(step, "escalate");
    core.requireStatus(r, step, "escalate", RequestStatus.PENDING_REVIEW);
    String group = r.getEscalationGroup();
    if (group == null || r.approverGroupList().contains(group)) {
      audit.record(AccessLifecycle.SYSTEM_ACTOR, "review.escalated", r.getId(), Map.of("group", String.valueOf(group),
          "approverGroups", r.approverGroupList()));
      return group;
    }
    List<String> groups = new java.util.ArrayList<>(r.approverGroupList());
    groups.add(group);
    r.setApproverGroups(String.join(",", groups));
    r.setUpdatedAt(clock.instant());
    requests.update(r);
    audit.record(AccessLifecycle.SYSTEM_ACTOR, "review.escalated", r.getId(), Map.of("group", group, "approverGroups", groups));
    events.publishEvent(RequestEvent.review(r, RequestEvent.Kind.REVIEW_ESCALATED, groups));
    return group;
  }

  /**
   * A review has waited a while (the review task's reminder timer): its approvers are reminded.
   * Nothing changes on the request; a request no longer waiting for review is left alone.
   */
  @Transactional
  public void remindApprovers(ProcessStep step) {
    AccessRequest r = core.bound(step, "remind");
    if (r.getStatus() != RequestStatus.PENDING_REVIEW) {
      return;
    }
    audit.record(AccessLifecycle.SYSTEM_ACTOR, "review.reminded", r.getId(), Map.of("approverGroups", r.approverGroupList()));
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
    AccessRequest r = core.bound(step, "breakglass-review");
    if (!Boolean.TRUE.equals(r.getBreakGlass())) {
      throw core.refuse(step, "breakglass-review", r, "it was not granted as break-glass");
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
      r.setRevokeReason(core.truncate("break-glass rejected: " + comment, 512));
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
    AccessRequest r = core.bound(step, "expire");
    core.requireStatus(r, step, "expire", RequestStatus.PENDING_REVIEW);
    r.setDecisionReason("Nobody reviewed the request in time; ask again if you still need the access");
    core.moveTo(r, RequestStatus.EXPIRED, step.actor(), Map.of());
  }

  /** The requester (checked by the caller) withdraws a request waiting for review: CANCELLED. */
  @Transactional
  public AccessRequest withdraw(String id, String actor, String reason) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (r.getStatus() != RequestStatus.PENDING_REVIEW && r.getStatus() != RequestStatus.SCHEDULED) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus()
          + "; only a request waiting for review or for its scheduled start can be withdrawn");
    }
    r.setDecisionReason(core.truncate("Withdrawn by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason), 512));
    core.moveTo(r, RequestStatus.CANCELLED, actor, Map.of("withdrawn", true, "reason", String.valueOf(reason)));
    return r;
  }
}
