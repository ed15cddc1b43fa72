package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryService;
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
  private final RequestWorkflow process;
  private final AccessLifecycle lifecycle;
  private final Reviews reviews;
  private final AuditLog audit;
  private final AirlockProperties.Groups groups;
  private final Clock clock;
  private final java.time.ZoneId zone;
  private final InventoryService inventory;

  RequestChanges(RequestService service, AccessRequestMapper requests, RequestWorkflow process, AccessLifecycle lifecycle,
      Reviews reviews,
      AuditLog audit, AirlockProperties properties, Clock clock, InventoryService inventory) {
    this.inventory = inventory;
    this.service = service;
    this.requests = requests;
    this.process = process;
    this.lifecycle = lifecycle;
    this.reviews = reviews;
    this.audit = audit;
    this.groups = properties.groups();
    this.clock = clock;
    this.zone = properties.policy().timeZone();
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
    java.util.Optional<String> refusal = reviews.reviewRefusal(r, caller);
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
    AccessRequest replacement = startReplacement(r, edited, new AccessLifecycle.Replacement(id, caller.userId(), null));
    reviews.supersedePending(id, replacement.getId(), caller.userId());
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
    requireMayChange(r, caller, "rework");
    if (r.getStatus() != RequestStatus.ACTIVE) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus() + "; only ACTIVE access can be changed");
    }
    requireWithinOriginal(r, permission, caller);
    SubmitRequest changed = changed(refileable(r).submitValues(), null, permission, duration, justification);
    if (duration == null || duration.isBlank()) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("duration",
          "is required: how long the changed access lasts from now (ISO-8601, e.g. PT1H)")));
    }
    Instant chainStart = r.getChainStart() != null ? r.getChainStart() : r.getGrantStart();
    AccessRequest replacement = startReplacement(r, changed,
        new AccessLifecycle.Replacement(id, caller.userId(), chainStart));
    audit.record(caller.userId(), "request.reworked", id, Map.of("by", replacement.getId(), "duration",
        String.valueOf(duration), "permission", replacement.getPermission()));
    return replacement;
  }

  /**
   * A rework's permission is within the original's ({@link ReworkBounds}); anything wider is a
   * 422 naming {@code permission} and where to ask for it as a new request, audited
   * ({@code refused.rework}). Its account is the original's by construction: a rework names none.
   */
  private void requireWithinOriginal(AccessRequest r, String permission, Caller caller) {
    if (permission == null || permission.isBlank()) {
      return;
    }
    String wanted = permission.trim();
    List<Inventory.PermissionSet> sets = inventory.permissionSets();
    Inventory.PermissionSet original = r.getPermissionSetArn() == null ? null : sets.stream()
        .filter(p -> r.getPermissionSetArn().equals(p.arn())).findFirst().orElse(null);
    Inventory.PermissionSet asked = sets.stream().filter(p -> wanted.equals(p.name()) || wanted.equals(p.arn()))
        .findFirst().orElse(null);
    java.util.Optional<String> wider = ReworkBounds.wider(r.getPermission(), original, wanted, asked);
    if (wider.isEmpty()) {
      return;
    }
    String newRequest = "/requests/new?target=" + r.getTarget() + "&permission="
        + java.net.URLEncoder.encode(wanted, java.nio.charset.StandardCharsets.UTF_8);
    audit.refused(caller.userId(), "refused.rework", r.getId(), Map.of("permission", wanted, "original",
        String.valueOf(r.getPermission()), "reason", wider.get()));
    throw new WiderThanOriginalException("permission", "is wider than this access (" + wider.get() + "). A rework "
        + "only keeps or narrows what was granted; ask for '" + wanted + "' as a new request (New request in Airlock's "
        + "pages: " + newRequest + ", or POST /api/requests), which policy and review judge on its own", newRequest);
  }

  /**
   * What extensions policy can allow request {@code id} now, for {@code caller}: the choices
   * (15 min, 30 min, 1 h, 2 h, 4 h … up to what the scope's maximum leaves after the current end,
   * counted from the first grant, and that rest), each with its new end; or none, with the reason
   * in words ("This access already runs for its scope's maximum of 4 h …", "Only the requester,
   * the principal, an approver of the scope or an admin may extend this access"). A request the
   * caller may not see is a 404, as everywhere.
   */
  @Transactional(readOnly = true)
  public ExtensionOptions extensionOptions(String id, Caller caller) {
    AccessRequest r = service.get(id, caller);
    if (!mayChange(r, caller)) {
      return ExtensionOptions.none(r, "Only the requester, the principal, an approver of the scope or an admin may "
          + "extend this access");
    }
    return ExtensionOptions.of(r, clock.instant());
  }

  /**
   * Asks for {@code by} (ISO-8601) more on active access: a rework whose duration is the
   * remaining time plus {@code by}, which carries what it extends (the current end and
   * {@code by}) and, once approved, ends exactly at the current end plus {@code by}. It needs
   * its own justification (400 naming {@code justification}: never the earlier one's), and
   * {@code by} within what policy can allow now ({@link #extensionOptions}; 422 naming
   * {@code by} and the maximum otherwise). The requester, the principal, an approver of the
   * scope or an admin may.
   */
  @Transactional
  public AccessRequest extend(String id, String by, String justification, Caller caller) {
    AccessRequest r = service.get(id, caller);
    List<InvalidRequestException.FieldError> errors = new java.util.ArrayList<>();
    java.time.Duration more = null;
    if (by == null || by.isBlank()) {
      errors.add(new InvalidRequestException.FieldError("by", "is required: how much more time (ISO-8601, e.g. PT1H)"));
    } else {
      try {
        more = java.time.Duration.parse(by.trim());
        if (more.isNegative() || more.isZero()) {
          errors.add(new InvalidRequestException.FieldError("by", "must be positive"));
        }
      } catch (java.time.format.DateTimeParseException e) {
        errors.add(new InvalidRequestException.FieldError("by", "'" + by + "' is not an ISO-8601 duration (e.g. PT1H)"));
      }
    }
    if (justification == null || justification.isBlank()) {
      errors.add(new InvalidRequestException.FieldError("justification",
          "is required: say why this access needs more time (the approver reads it; the request's own is not reused)"));
    } else {
      TextRules.check("justification", justification.trim()).ifPresent(errors::add);
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    requireMayChange(r, caller, "extend");
    if (r.getStatus() != RequestStatus.ACTIVE || r.getGrantEnd() == null) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus() + "; only ACTIVE access can be extended");
    }
    Instant now = clock.instant();
    ExtensionOptions options = ExtensionOptions.of(r, now);
    java.time.Duration asked = more;
    java.util.Optional<String> beyond = options.refusal(asked, zone, now);
    if (beyond.isPresent()) {
      audit.refused(caller.userId(), "refused.extend", id, Map.of("by", asked.toString(),
          "maximum", options.maximum().toString(), "reason", beyond.get()));
      throw new BeyondPolicyException("by", beyond.get(), options.maximum());
    }
    java.time.Duration remaining = java.time.Duration.between(now, r.getGrantEnd());
    java.time.Duration total = (remaining.isNegative() ? java.time.Duration.ZERO : remaining).plus(asked).withNanos(0);
    SubmitRequest changed = changed(refileable(r).submitValues(), null, null, total.toString(), justification.trim());
    Instant chainStart = r.getChainStart() != null ? r.getChainStart() : r.getGrantStart();
    AccessRequest replacement = startReplacement(r, changed,
        new AccessLifecycle.Replacement(id, caller.userId(), chainStart, r.getGrantEnd(), asked));
    audit.record(caller.userId(), "request.extended", id, Map.of("by", replacement.getId(), "extendBy",
        asked.toString(), "from", r.getGrantEnd().toString(), "to", r.getGrantEnd().plus(asked).toString()));
    return replacement;
  }

  private boolean mayChange(AccessRequest r, Caller caller) {
    return r.getRequester().equals(caller.userId()) || lifecycle.isPrincipal(caller.userId(), r)
        || caller.inAnyGroup(List.of(groups.admins())) || caller.inAnyGroup(r.approverGroupList());
  }

  private void requireMayChange(AccessRequest r, Caller caller, String action) {
    if (!mayChange(r, caller)) {
      String why = "Only the requester, the principal, an approver of the scope or an admin may change request "
          + r.getId();
      audit.refused(caller.userId(), "refused." + action, r.getId(), Map.of("reason", why));
      throw new ForbiddenActionException(why);
    }
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
    } catch (BeyondPolicyException e) {
      throw new BeyondPolicyException("extendBy", e.errors().get(0).message(), e.maximum());
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
  private AccessRequest startReplacement(AccessRequest original, SubmitRequest values,
      AccessLifecycle.Replacement replacement) {
    String newId = AccessLifecycle.replacing(replacement,
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
