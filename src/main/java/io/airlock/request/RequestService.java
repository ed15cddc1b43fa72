package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The use cases people start: submit, read, review, revoke early. The process's own steps (and
 * the state machine they move) are {@link AccessLifecycle}'s.
 */
@Service
public class RequestService {

  /** Actor recorded for changes the engine makes on its own (jobs, timers). */
  public static final String SYSTEM_ACTOR = AccessLifecycle.SYSTEM_ACTOR;

  private final AccessRequestMapper requests;
  private final RequestValidator validator;
  private final AccessProcess process;
  private final AccessLifecycle lifecycle;
  private final AuditLog audit;
  private final AirlockProperties.Groups groups;
  private final java.time.Clock clock;

  public RequestService(AccessRequestMapper requests, RequestValidator validator, AccessProcess process,
      AccessLifecycle lifecycle, AuditLog audit, AirlockProperties properties, java.time.Clock clock) {
    this.clock = clock;
    this.requests = requests;
    this.validator = validator;
    this.process = process;
    this.lifecycle = lifecycle;
    this.audit = audit;
    this.groups = properties.groups();
  }

  // ---- requester -------------------------------------------------------------------------

  /**
   * Starts a request; the process's first step registers it, validating every field (as for the
   * Tasklist start form), and applies the policy. Invalid input throws from inside the start,
   * so this transaction rolls back and nothing is started; validating here as well would look
   * every name up twice.
   */
  @Transactional
  public AccessRequest submit(SubmitRequest input, Caller caller) {
    if (input == null) {
      validator.validate(null); // names the missing body
    }
    String id = process.start(caller.userId(), caller.groups(), input);
    return requests.findById(id).orElseThrow(() -> new IllegalStateException("request " + id + " was not registered"));
  }

  @Transactional(readOnly = true)
  public AccessRequest get(String id, Caller caller) {
    AccessRequest r = requests.findById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (!r.getRequester().equals(caller.userId()) && !caller.inAnyGroup(groups.readAll())
        && !lifecycle.isPrincipal(caller.userId(), r)) {
      // Not found rather than forbidden: do not confirm that someone else's request exists.
      throw new RequestNotFoundException(id);
    }
    return r;
  }

  /** The caller's own requests; every request for approvers, auditors, operators and admins. */
  @Transactional(readOnly = true)
  public List<AccessRequest> list(Caller caller, boolean mineOnly, int limit) {
    boolean all = !mineOnly && caller.inAnyGroup(groups.readAll());
    return requests.findAll(all ? null : caller.userId(), Math.max(1, Math.min(limit, 1000)));
  }

  // ---- approver -------------------------------------------------------------------------

  /**
   * Completes the review task through the engine, so the same guard applies as in Tasklist.
   * Who may not review is told so (403) before the request's state is looked at.
   */
  @Transactional
  public AccessRequest review(String id, ReviewDecision decision, Caller caller) {
    AccessRequest r = get(id, caller);
    java.util.Optional<String> refusal = lifecycle.reviewRefusal(r, caller);
    if (refusal.isPresent()) {
      audit.refused(caller.userId(), "refused.review", id, Map.of("reason", refusal.get()));
      throw new ForbiddenActionException(refusal.get());
    }
    if (decision.outcome() == ReviewDecision.Outcome.DENY && (decision.comment() == null || decision.comment().isBlank())) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("comment",
          "is required to deny: say why, the requester sees it")));
    }
    if (r.getStatus() != RequestStatus.PENDING_REVIEW || process.openReviewTask(id).isEmpty()) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus() + ", not waiting for review");
    }
    process.completeReview(id, caller.userId(), caller.groups(), decision);
    return requests.findById(id).orElseThrow();
  }

  /**
   * Ends an active grant now: the requester, the principal, an approver of the request's scope
   * or an admin may. Recorded first, so the process's revoke is allowed before the clock.
   */
  @Transactional
  public AccessRequest requestRevoke(String id, Caller caller) {
    return requestRevoke(id, null, caller);
  }

  /** {@link #requestRevoke(String, Caller)} with the reason the caller gives (recorded, shown). */
  @Transactional
  public AccessRequest requestRevoke(String id, String reason, Caller caller) {
    AccessRequest r = get(id, caller);
    boolean allowed = r.getRequester().equals(caller.userId())
        || lifecycle.isPrincipal(caller.userId(), r)
        || caller.inAnyGroup(List.of(groups.admins()))
        || caller.inAnyGroup(r.approverGroupList());
    if (!allowed) {
      String why = "Only the requester, the principal, an approver of the scope or an admin may revoke request " + id;
      audit.refused(caller.userId(), "refused.revoke", id, Map.of("reason", why));
      throw new ForbiddenActionException(why);
    }
    if (reason != null) {
      TextRules.check("reason", reason).ifPresent(e -> {
        throw new InvalidRequestException(List.of(e));
      });
    }
    lifecycle.recordRevokeRequest(id, caller.userId(), reason == null || reason.isBlank() ? "early revoke" : reason);
    process.requestRevoke(id);
    return requests.findById(id).orElseThrow();
  }

  /** The requester withdraws a request waiting for review; it ends CANCELLED. */
  @Transactional
  public AccessRequest withdraw(String id, String reason, Caller caller) {
    AccessRequest r = get(id, caller);
    if (!r.getRequester().equals(caller.userId())) {
      String why = "Only the requester (" + r.getRequester() + ") may withdraw request " + id;
      audit.refused(caller.userId(), "refused.withdraw", id, Map.of("reason", why));
      throw new ForbiddenActionException(why);
    }
    if (reason != null) {
      TextRules.check("reason", reason).ifPresent(e -> {
        throw new InvalidRequestException(List.of(e));
      });
    }
    AccessRequest withdrawn = lifecycle.withdraw(id, caller.userId(), reason);
    process.withdraw(id);
    return withdrawn;
  }

  /**
   * A new request with the same values as request {@code id}, filed by the caller (its
   * requester, or an approver of its scope): it goes through policy and review again.
   */
  @Transactional
  public AccessRequest cloneRequest(String id, Caller caller) {
    AccessRequest r = get(id, caller);
    if (!r.getRequester().equals(caller.userId()) && !caller.inAnyGroup(r.approverGroupList())) {
      String why = "Only the requester or an approver of the scope may clone request " + id;
      audit.refused(caller.userId(), "refused.clone", id, Map.of("reason", why));
      throw new ForbiddenActionException(why);
    }
    if (r.isCrafted()) {
      throw new ConflictingStateException("Request " + id + " asks for a crafted policy; cloning those is not "
          + "supported yet: submit it again with its craft parameters");
    }
    AccessRequest clone = submit(new SubmitRequest(r.getSystem(), r.getTarget(), r.getPrincipal(), r.getPermission(),
        r.getDuration(), r.getJustification(), r.getTicket()), caller);
    audit.record(caller.userId(), "request.cloned", clone.getId(), Map.of("from", id));
    return clone;
  }

  /**
   * An approver changes a request waiting for review (another account, permission or duration):
   * a new request with the same requester and principal goes through policy and review again,
   * and the editor may not review it; the original ends SUPERSEDED, pointing at it.
   */
  @Transactional
  public AccessRequest edit(String id, String target, String permission, String duration, String comment,
      Caller caller) {
    AccessRequest r = get(id, caller);
    java.util.Optional<String> refusal = lifecycle.reviewRefusal(r, caller);
    if (refusal.isPresent()) {
      audit.refused(caller.userId(), "refused.edit", id, Map.of("reason", refusal.get()));
      throw new ForbiddenActionException(refusal.get().replace("review", "edit"));
    }
    if (r.getStatus() != RequestStatus.PENDING_REVIEW) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus()
          + "; only a request waiting for review can be edited");
    }
    if (r.isCrafted()) {
      throw new ConflictingStateException("Request " + id + " asks for a crafted policy; editing those is not supported yet");
    }
    if (comment == null || comment.isBlank()) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("comment",
          "is required: say what you changed and why, the requester sees it")));
    }
    SubmitRequest edited = new SubmitRequest(r.getSystem(), or(target, r.getTarget()), r.getPrincipal(),
        or(permission, r.getPermission()), or(duration, r.getDuration()),
        r.getJustification(), r.getTicket());
    AccessRequest replacement = startReplacement(r, edited, caller.userId(), null);
    lifecycle.supersedePending(id, replacement.getId(), caller.userId());
    audit.record(caller.userId(), "request.edited", id, Map.of("by", replacement.getId(), "comment", comment,
        "target", edited.target(), "permission", edited.permission(), "duration", edited.duration()));
    process.withdraw(id); // ends the original's review
    return requests.findById(replacement.getId()).orElseThrow();
  }

  /**
   * Changes active access (a shorter or longer remaining time, from now): a new request for the
   * same access goes through policy (bounding the whole span since the first grant) and review;
   * AWS changes only when it is approved, and the access it replaces then ends SUPERSEDED, the
   * assignment kept without a gap. The requester, the principal, an approver of the scope or an
   * admin may.
   */
  @Transactional
  public AccessRequest rework(String id, String duration, String justification, Caller caller) {
    AccessRequest r = get(id, caller);
    boolean allowed = r.getRequester().equals(caller.userId()) || lifecycle.isPrincipal(caller.userId(), r)
        || caller.inAnyGroup(List.of(groups.admins())) || caller.inAnyGroup(r.approverGroupList());
    if (!allowed) {
      String why = "Only the requester, the principal, an approver of the scope or an admin may change request " + id;
      audit.refused(caller.userId(), "refused.rework", id, Map.of("reason", why));
      throw new ForbiddenActionException(why);
    }
    if (r.getStatus() != RequestStatus.ACTIVE) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus() + "; only ACTIVE access can be changed");
    }
    if (r.isCrafted()) {
      throw new ConflictingStateException("Request " + id + " asks for a crafted policy; changing those is not supported yet");
    }
    SubmitRequest changed = new SubmitRequest(r.getSystem(), r.getTarget(), r.getPrincipal(), r.getPermission(),
        duration, justification == null || justification.isBlank() ? r.getJustification() : justification,
        r.getTicket());
    Instant chainStart = r.getChainStart() != null ? r.getChainStart() : r.getGrantStart();
    AccessRequest replacement = startReplacement(r, changed, caller.userId(), chainStart);
    audit.record(caller.userId(), "request.reworked", id, Map.of("by", replacement.getId(), "duration",
        String.valueOf(duration)));
    return replacement;
  }

  /** {@link #rework} with the remaining time plus {@code by} (ISO-8601). */
  @Transactional
  public AccessRequest extend(String id, String by, String justification, Caller caller) {
    AccessRequest r = get(id, caller);
    java.time.Duration more;
    try {
      more = java.time.Duration.parse(String.valueOf(by).trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("by",
          "'" + by + "' is not an ISO-8601 duration (e.g. PT1H)")));
    }
    if (more.isNegative() || more.isZero()) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("by", "must be positive")));
    }
    if (r.getStatus() != RequestStatus.ACTIVE || r.getGrantEnd() == null) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus() + "; only ACTIVE access can be extended");
    }
    java.time.Duration remaining = java.time.Duration.between(clock.instant(), r.getGrantEnd());
    java.time.Duration total = (remaining.isNegative() ? java.time.Duration.ZERO : remaining).plus(more)
        .withNanos(0);
    return rework(id, total.toString(), justification, caller);
  }

  /** Starts the replacing request as the original's requester (Airlock's own start, on their behalf). */
  private AccessRequest startReplacement(AccessRequest original, SubmitRequest values, String changedBy,
      Instant chainStart) {
    String newId = AccessLifecycle.replacing(new AccessLifecycle.Replacement(original.getId(), changedBy, chainStart),
        () -> process.start(original.getRequester(), original.requesterGroupList(), values));
    return requests.findById(newId).orElseThrow();
  }

  private static String or(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }

  /** One step in a request's history, from the audit log: who did what, when, and why. */
  public record TimelineEntry(java.time.Instant at, String actor, String action, Map<String, Object> details) {}

  private static final List<String> TIMELINE_DETAILS = List.of("from", "to", "outcome", "comment", "reason", "why",
      "scope", "approverGroups", "grantStart", "grantEnd", "keptForRequests", "withdrawn", "by", "supersedes",
      "changedBy", "duration");
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** The request's history for those who may read the request, oldest first. */
  @Transactional(readOnly = true)
  public List<TimelineEntry> timeline(String id, Caller caller) {
    get(id, caller);
    return audit.forRequest(id).stream().map(e -> {
      Map<String, Object> details = new java.util.LinkedHashMap<>();
      try {
        Map<?, ?> all = JSON.readValue(e.details(), Map.class);
        TIMELINE_DETAILS.stream().filter(all::containsKey).forEach(k -> details.put(k, all.get(k)));
      } catch (java.io.IOException unreadable) {
        details.put("details", "unreadable");
      }
      return new TimelineEntry(e.occurredAt(), e.actor(), e.action(), details);
    }).toList();
  }
}
