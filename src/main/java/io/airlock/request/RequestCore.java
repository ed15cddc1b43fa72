package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.request.AccessGateway.Assignment;
import io.airlock.request.AccessGateway.OperationResult;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * What every use case of a request shares (AccessLifecycle's steps, the process-gone repairs,
 * the drift repairs): the request bound to the step's process instance and row-locked, a status
 * required or the step refused and audited, a move to a status (stored, audited, announced), the
 * assignment's lock, and revoking access now (removing it from AWS and ending its sessions unless
 * another grant still covers it). Called inside the use case's transaction.
 */
@Component
class RequestCore {

  private static final Logger log = LoggerFactory.getLogger(RequestCore.class);

  private final AccessRequestMapper requests;
  private final RequestValidator validator;
  private final AccessGateway gateway;
  private final AuditLog audit;
  private final CraftedPermissions crafted;
  private final PrincipalMapping principals;
  private final Clock clock;
  private final SessionTermination sessions;
  private final ApplicationEventPublisher events;
  private final NodeClock nodeClock;

  RequestCore(AccessRequestMapper requests, RequestValidator validator, AccessGateway gateway, AuditLog audit,
      CraftedPermissions crafted, PrincipalMapping principals, Clock clock, SessionTermination sessions,
      ApplicationEventPublisher events, NodeClock nodeClock) {
    this.requests = requests;
    this.validator = validator;
    this.gateway = gateway;
    this.audit = audit;
    this.crafted = crafted;
    this.principals = principals;
    this.clock = clock;
    this.sessions = sessions;
    this.events = events;
    this.nodeClock = nodeClock;
  }

  /**
   * Ends the request's access now, as {@code actor}, for the reason {@code why}: under the
   * assignment's lock, removed from AWS (and its sessions ended) unless another active grant
   * covers it, audited, and the request REVOKED (SUPERSEDED when a later request took its place).
   */
  void revokeNow(AccessRequest r, String actor, String why) {
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
  Map<String, Object> removeAccess(AccessRequest r, String actor) {
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

  /** The request, row-locked, if {@code step} comes from the process instance that owns it; else refused. */
  AccessRequest bound(ProcessStep step, String action) {
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

  void requireStatus(AccessRequest r, ProcessStep step, String action, RequestStatus expected) {
    if (r.getStatus() != expected) {
      throw refuse(step, action, r, "it is " + r.getStatus() + ", not " + expected);
    }
  }

  ForbiddenActionException refuse(ProcessStep step, String action, AccessRequest r, String why) {
    String message = "Refused to " + action.replace('.', ' ') + " request " + r.getId() + ": " + why;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", why);
    details.put("status", r.getStatus().name());
    details.put("processInstanceId", String.valueOf(step.processInstanceId()));
    audit.refused(step.actor(), "refused." + action, r.getId(), details);
    return new ForbiddenActionException(message);
  }

  void moveTo(AccessRequest r, RequestStatus status, String actor, Map<String, Object> extra) {
    RequestStatus from = r.getStatus();
    r.setStatus(status);
    r.setUpdatedAt(clock.instant());
    requests.update(r);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("from", from.name());
    details.put("to", status.name());
    details.putAll(extra);
    audit.record(actor == null ? AccessLifecycle.SYSTEM_ACTOR : actor, "request.status", r.getId(), details);
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

  boolean principalIsRequester(AccessRequest r) {
    return isPrincipal(r.getRequester(), r);
  }

  /**
   * Serializes grant and revoke of one assignment across requests, threads and nodes: the lock
   * is held until the transaction ends, AWS calls included. Without it a revoke could see no
   * other ACTIVE grant, while a second request's grant finds the assignment still in place
   * and is recorded ACTIVE just before the revoke removes it.
   */
  void lockAssignment(AccessRequest r) {
    requests.ensureAssignmentLock(r.getTarget(), r.getPrincipalId(), r.getPermissionSetArn());
    requests.lockAssignment(r.getTarget(), r.getPrincipalId(), r.getPermissionSetArn());
  }

  static Assignment assignment(AccessRequest r) {
    return new Assignment(r.getTarget(), r.getPermissionSetArn(), r.getPrincipalId());
  }

  /** The assignment and the grant's recorded start and end, for its audit entries. */
  static Map<String, Object> grantTimes(AccessRequest r) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("accountId", r.getTarget());
    d.put("permissionSetArn", r.getPermissionSetArn());
    d.put("principalId", r.getPrincipalId());
    d.put("grantStart", r.getGrantStart().toString());
    d.put("grantEnd", r.getGrantEnd().toString());
    return d;
  }

  static Map<String, Object> awsDetails(AccessRequest r, OperationResult result) {
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

  static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  /** An approved request is granted now (GRANTING), or at its scheduled start (SCHEDULED). */
  RequestStatus approved(AccessRequest r) {
    return r.getStartAt() != null && r.getStartAt().isAfter(clock.instant()) ? RequestStatus.SCHEDULED
        : RequestStatus.GRANTING;
  }

  /** Null for a blank text: what a form's empty field means. */
  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
