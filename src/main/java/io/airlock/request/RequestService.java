package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The use cases people start on a request: submit, read (with its timeline), review, withdraw,
 * revoke early. Changes that file a new request in its place are {@link RequestChanges}'; the
 * process's own steps (and the state machine they move) are {@link AccessLifecycle}'s.
 */
@Service
public class RequestService {

  /** Actor recorded for changes the engine makes on its own (jobs, timers). */
  public static final String SYSTEM_ACTOR = AccessLifecycle.SYSTEM_ACTOR;

  private final AccessRequestMapper requests;
  private final RequestValidator validator;
  private final RequestWorkflow process;
  private final AccessLifecycle lifecycle;
  private final Reviews reviews;
  private final AuditLog audit;
  private final AirlockProperties.Groups groups;
  private final PrincipalMapping principals;

  public RequestService(AccessRequestMapper requests, RequestValidator validator, RequestWorkflow process,
      AccessLifecycle lifecycle, Reviews reviews, AuditLog audit, AirlockProperties properties,
      PrincipalMapping principals) {
    this.reviews = reviews;
    this.principals = principals;
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

  /**
   * The caller's access: requests they filed or that grant them access, that hold access in AWS
   * now or will (approved for a later start), the one ending first on top.
   */
  @Transactional(readOnly = true)
  public List<AccessRequest> access(Caller caller) {
    List<AccessRequest> mine = new java.util.ArrayList<>(requests.findForPerson(caller.userId(),
        principals.identityCenterNameOf(caller.userId()),
        java.util.EnumSet.of(RequestStatus.SCHEDULED, RequestStatus.GRANTING, RequestStatus.ACTIVE,
            RequestStatus.REVOKING), 500));
    mine.sort(java.util.Comparator.comparing((AccessRequest r) -> r.getGrantEnd() == null ? java.time.Instant.MAX
        : r.getGrantEnd()));
    return mine;
  }

  /** Requests waiting for a review that {@code caller} may give (never their own), oldest first. */
  @Transactional(readOnly = true)
  public List<AccessRequest> waitingFor(Caller caller) {
    return requests.findByStatus(java.util.EnumSet.of(RequestStatus.PENDING_REVIEW)).stream()
        .filter(r -> reviews.reviewRefusal(r, caller).isEmpty())
        .toList();
  }

  /** The Tasklist task where the request's review waits, if it does. */
  public java.util.Optional<String> reviewTask(String id) {
    return process.openReviewTask(id);
  }

  // ---- approver -------------------------------------------------------------------------

  /**
   * Completes the review task through the engine, so the same guard applies as in Tasklist.
   * Who may not review is told so (403) before the request's state is looked at.
   */
  @Transactional
  public AccessRequest review(String id, ReviewDecision decision, Caller caller) {
    AccessRequest r = get(id, caller);
    java.util.Optional<String> refusal = reviews.reviewRefusal(r, caller);
    if (refusal.isPresent()) {
      audit.refused(caller.userId(), "refused.review", id, Map.of("reason", refusal.get()));
      throw new ForbiddenActionException(refusal.get());
    }
    if (decision.outcome() == ReviewDecision.Outcome.DENY && (decision.comment() == null || decision.comment().isBlank())) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("comment",
          "is required to deny: say why, the requester sees it")));
    }
    // Two reviews of one request at once take turns here, before the engine loads its tasks and
    // executions: the second sees the first's outcome (its task gone once the quorum is met)
    // instead of completing against what the first has changed meanwhile.
    r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
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

  /**
   * Airlock itself ends active access before its end, for a reason people read in the timeline
   * ("OPS-42 was resolved in Jira"): recorded as Airlock's revoke request, then the process
   * revokes as for any early end. Only for Airlock's own rules (a resolved ticket), never a
   * person's call: people end access through {@link #requestRevoke}, which checks who they are.
   *
   * @return false when the access is no longer active (ended, or ending, meanwhile)
   */
  @Transactional
  public boolean endEarly(String id, String reason) {
    AccessRequest r = requests.findById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (r.getStatus() != RequestStatus.ACTIVE || r.getRevokeRequestedAt() != null) {
      return false;
    }
    lifecycle.recordRevokeRequest(id, SYSTEM_ACTOR, reason);
    process.requestRevoke(id);
    return true;
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
    AccessRequest withdrawn = reviews.withdraw(id, caller.userId(), reason);
    process.withdraw(id);
    return withdrawn;
  }

  /**
   * One step in a request's history, from the audit log (who did what, when, and why) or the
   * process history (actions {@code process.*}: tasks, timers, incidents).
   */
  public record TimelineEntry(java.time.Instant at, String actor, String action, Map<String, Object> details) {}

  private static final List<String> TIMELINE_DETAILS = List.of("from", "to", "outcome", "comment", "reason", "why",
      "scope", "approverGroups", "grantStart", "grantEnd", "keptForRequests", "withdrawn", "by", "supersedes",
      "changedBy", "duration", "sessionsEndedAt", "sessionsIssuedBefore", "deniedUntil", "sessionsNotEnded");
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * The request's history for those who may read the request, oldest first: Airlock's audit
   * records merged with what the engine did (a record before an engine event of the same instant).
   */
  @Transactional(readOnly = true)
  public List<TimelineEntry> timeline(String id, Caller caller) {
    get(id, caller);
    List<TimelineEntry> entries = new java.util.ArrayList<>(audit.forRequest(id).stream().map(e -> {
      Map<String, Object> details = new java.util.LinkedHashMap<>();
      try {
        Map<?, ?> all = JSON.readValue(e.details(), Map.class);
        TIMELINE_DETAILS.stream().filter(all::containsKey).forEach(k -> details.put(k, all.get(k)));
      } catch (java.io.IOException unreadable) {
        details.put("details", "unreadable");
      }
      return new TimelineEntry(e.occurredAt(), e.actor(), e.action(), details);
    }).toList());
    entries.addAll(process.history(id));
    entries.sort(java.util.Comparator.comparing(TimelineEntry::at)); // stable: records first on ties
    return entries;
  }
}
