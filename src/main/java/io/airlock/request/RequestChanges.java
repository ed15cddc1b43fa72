package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Use cases that change a request by filing another one in its place: clone (a new request with
 * the same values), an approver's edit of a pending request, and the rework or extension of
 * active access. The new request goes through validation, policy and review like any other;
 * {@link AccessLifecycle} ends the one it replaces (SUPERSEDED) at the right moment.
 */
@Service
public class RequestChanges {

  private final RequestService service;
  private final AccessRequestMapper requests;
  private final AccessProcess process;
  private final AccessLifecycle lifecycle;
  private final AuditLog audit;
  private final AirlockProperties.Groups groups;
  private final Clock clock;

  RequestChanges(RequestService service, AccessRequestMapper requests, AccessProcess process, AccessLifecycle lifecycle,
      AuditLog audit, AirlockProperties properties, Clock clock) {
    this.service = service;
    this.requests = requests;
    this.process = process;
    this.lifecycle = lifecycle;
    this.audit = audit;
    this.groups = properties.groups();
    this.clock = clock;
  }

  /**
   * A new request with the same values as request {@code id}, filed by the caller (its
   * requester, or an approver of its scope): it goes through policy and review again.
   */
  @Transactional
  public AccessRequest cloneRequest(String id, Caller caller) {
    AccessRequest r = service.get(id, caller);
    if (!r.getRequester().equals(caller.userId()) && !caller.inAnyGroup(r.approverGroupList())) {
      String why = "Only the requester or an approver of the scope may clone request " + id;
      audit.refused(caller.userId(), "refused.clone", id, Map.of("reason", why));
      throw new ForbiddenActionException(why);
    }
    AccessRequest clone = service.submit(refileable(r).submitValues(), caller);
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
    AccessRequest replacement = fileEdit(service.get(id, caller), target, permission, duration, comment, caller);
    process.withdraw(id); // ends the original's review
    return replacement;
  }

  /**
   * The same edit made from the review form (decision EDIT), inside the completion of the
   * original's review task: the process then ends the original by its "edited" path. Only the
   * request's own process instance may.
   */
  @Transactional
  public AccessRequest editInReview(ProcessStep step, Caller caller, String target, String permission, String duration,
      String comment) {
    if (caller == null) {
      throw new ForbiddenActionException("Sign in to edit a request");
    }
    AccessRequest r = service.get(step.requestId(), caller);
    if (step.processInstanceId() == null || !step.processInstanceId().equals(r.getProcessInstanceId())) {
      String why = "Process instance " + step.processInstanceId() + " does not belong to request " + r.getId();
      audit.refused(caller.userId(), "refused.edit", r.getId(), Map.of("reason", why));
      throw new ForbiddenActionException(why);
    }
    return fileEdit(r, target, permission, duration, comment, caller);
  }

  private AccessRequest fileEdit(AccessRequest r, String target, String permission, String duration, String comment,
      Caller caller) {
    String id = r.getId();
    java.util.Optional<String> refusal = lifecycle.reviewRefusal(r, caller);
    if (refusal.isPresent()) {
      audit.refused(caller.userId(), "refused.edit", id, Map.of("reason", refusal.get()));
      throw new ForbiddenActionException(refusal.get().replace("review", "edit"));
    }
    if (r.getStatus() != RequestStatus.PENDING_REVIEW) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus()
          + "; only a request waiting for review can be edited");
    }
    refileable(r);
    if (comment == null || comment.isBlank()) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("comment",
          "is required: say what you changed and why, the requester sees it")));
    }
    SubmitRequest edited = changed(r.submitValues(), target, permission, duration, null);
    AccessRequest replacement = startReplacement(r, edited, caller.userId(), null);
    lifecycle.supersedePending(id, replacement.getId(), caller.userId());
    audit.record(caller.userId(), "request.edited", id, Map.of("by", replacement.getId(), "comment", comment,
        "target", edited.target(), "permission", replacement.getPermission(), "duration", edited.duration()));
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
    return rework(id, duration, null, justification, caller);
  }

  /**
   * {@link #rework(String, String, String, Caller)} that may also narrow the permission: the
   * narrower permission set is granted first, then the wider one removed, so for the seconds in
   * between the principal holds what the original allowed, never more, and never nothing.
   */
  @Transactional
  public AccessRequest rework(String id, String duration, String permission, String justification, Caller caller) {
    AccessRequest r = service.get(id, caller);
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
    SubmitRequest changed = changed(refileable(r).submitValues(), null, permission, duration, justification);
    if (duration == null || duration.isBlank()) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("duration",
          "is required: how long the changed access lasts from now (ISO-8601, e.g. PT1H)")));
    }
    Instant chainStart = r.getChainStart() != null ? r.getChainStart() : r.getGrantStart();
    AccessRequest replacement = startReplacement(r, changed, caller.userId(), chainStart);
    audit.record(caller.userId(), "request.reworked", id, Map.of("by", replacement.getId(), "duration",
        String.valueOf(duration), "permission", replacement.getPermission()));
    return replacement;
  }

  /** {@link #rework} with the remaining time plus {@code by} (ISO-8601). */
  @Transactional
  public AccessRequest extend(String id, String by, String justification, Caller caller) {
    AccessRequest r = service.get(id, caller);
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

  /** What the principal chose in the task "Your access" (the variable {@code accessAction}). */
  public enum AccessAction { END_NOW, EXTEND }

  /**
   * The principal's choice in the task "Your access", inside its completion: END_NOW records an
   * early revoke (the process then revokes), EXTEND files a rework of the remaining time plus
   * {@code by} (through policy and review, as {@link #extend}). Only the principal, from the
   * request's own process instance, while the access is ACTIVE; any other choice is a 400
   * naming {@code accessAction}. Returns the stored request.
   */
  @Transactional
  public AccessRequest actOnActiveAccess(ProcessStep step, Caller caller, String action, String by, String reason) {
    String audited = "accessTask";
    AccessRequest r = lifecycle.requirePrincipalOfActiveAccess(step, caller, audited);
    AccessAction chosen;
    try {
      chosen = AccessAction.valueOf(String.valueOf(action).trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("accessAction",
          "must be END_NOW or EXTEND, not '" + action + "'")));
    }
    String why = reason == null || reason.isBlank() ? null : reason.trim();
    if (why != null) {
      TextRules.check("accessReason", why).ifPresent(e -> {
        throw new InvalidRequestException(List.of(e));
      });
    }
    if (chosen == AccessAction.END_NOW) {
      return lifecycle.recordRevokeRequest(r.getId(), caller.userId(), why == null ? "ended in Tasklist" : why);
    }
    if (by == null || by.isBlank()) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("extendBy",
          "is required: how much more time (ISO-8601, e.g. PT1H)")));
    }
    try {
      extend(r.getId(), by, why, caller);
    } catch (InvalidRequestException e) {
      // Named as the form names them.
      throw new InvalidRequestException(e.errors().stream().map(f -> switch (f.field()) {
        case "by", "duration" -> new InvalidRequestException.FieldError("extendBy", f.message());
        case "justification" -> new InvalidRequestException.FieldError("accessReason", f.message());
        default -> f;
      }).toList());
    }
    return requests.findById(r.getId()).orElseThrow();
  }

  /** Starts the replacing request as the original's requester (Airlock's own start, on their behalf). */
  private AccessRequest startReplacement(AccessRequest original, SubmitRequest values, String changedBy,
      Instant chainStart) {
    String newId = AccessLifecycle.replacing(new AccessLifecycle.Replacement(original.getId(), changedBy, chainStart),
        () -> process.start(original.getRequester(), original.requesterGroupList(), values));
    return requests.findById(newId).orElseThrow();
  }

  /**
   * A crafted request is filed again with its craft parameters; one filed before those were kept
   * cannot be, and says so.
   */
  private static AccessRequest refileable(AccessRequest r) {
    if (r.isCrafted() && r.getCraftSpec() == null) {
      throw new ConflictingStateException("Request " + r.getId() + " asks for a crafted policy and was filed before "
          + "Airlock kept craft parameters; submit it again with them");
    }
    return r;
  }

  /**
   * {@code values} with what the caller changed. A permission set named instead of a crafted
   * policy replaces the craft; it goes through policy and review like any.
   */
  private static SubmitRequest changed(SubmitRequest values, String target, String permission, String duration,
      String justification) {
    boolean newPermission = permission != null && !permission.isBlank();
    return new SubmitRequest(values.system(), or(target, values.target()), values.principal(),
        newPermission ? permission : values.permission(), or(duration, values.duration()),
        or(justification, values.justification()), values.ticket(), newPermission ? null : values.craft());
  }

  private static String or(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
