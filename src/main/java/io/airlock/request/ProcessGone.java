package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.request.AccessGateway.Assignment;
import io.airlock.request.AccessGateway.OperationResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * When a request's process instance is gone, or its steps did not finish (bpmn/access-request.bpmn
 * cancelled in Cockpit, a job out of retries, a node that died): the request ends CANCELLED when
 * it held no access, and otherwise the reconciler (AccessReconciler) hands it to a new instance
 * that revokes it, revokes it itself when its end is long past, or confirms a grant AWS made but
 * its step never recorded. Each runs in the caller's transaction, on the row-locked request.
 */
@Service
public class ProcessGone {

  private static final Logger log = LoggerFactory.getLogger(ProcessGone.class);

  private final AccessRequestMapper requests;
  private final AccessGateway gateway;
  private final AuditLog audit;
  private final Clock clock;
  private final NodeClock nodeClock;
  private final RequestCore core;

  ProcessGone(AccessRequestMapper requests, AccessGateway gateway, AuditLog audit, Clock clock, NodeClock nodeClock,
      RequestCore core) {
    this.requests = requests;
    this.gateway = gateway;
    this.audit = audit;
    this.clock = clock;
    this.nodeClock = nodeClock;
    this.core = core;
  }

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
      audit.record(actor == null ? AccessLifecycle.SYSTEM_ACTOR : actor, "request.process-ended", requestId, Map.of(
          "processInstanceId", processInstanceId, "status", r.getStatus().name(),
          "next", "the reconciler revokes the access"));
      return true;
    }
    r.setDecisionReason("The request's process was cancelled by " + (actor == null ? AccessLifecycle.SYSTEM_ACTOR : actor)
        + " before access was granted");
    core.moveTo(r, RequestStatus.CANCELLED, actor, Map.of("processInstanceId", processInstanceId));
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
      r.setRevokeRequestedBy(AccessLifecycle.RECONCILER_ACTOR);
      r.setRevokeRequestedAt(now);
      r.setRevokeReason("its process instance " + formerInstanceId + " is gone");
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("formerProcessInstanceId", formerInstanceId);
    details.put("processInstanceId", newInstanceId);
    details.put("reason", "process gone while access may be held");
    audit.record(AccessLifecycle.RECONCILER_ACTOR, "request.adopted", requestId, details);
    if (r.getStatus() == RequestStatus.REVOKING) {
      r.setUpdatedAt(now);
      requests.update(r);
    } else {
      core.moveTo(r, RequestStatus.REVOKING, AccessLifecycle.RECONCILER_ACTOR, Map.of("why", r.getRevokeReason()));
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
    core.revokeNow(r, AccessLifecycle.RECONCILER_ACTOR, r.getStatus() == RequestStatus.GRANTING
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
    core.lockAssignment(r);
    if (!gateway.isAssigned(core.assignment(r))) {
      return false;
    }
    Map<String, Object> details = core.grantTimes(r);
    details.put("confirmedBy", "the reconciler found the assignment in AWS; the grant's own step had not confirmed it");
    audit.record(AccessLifecycle.RECONCILER_ACTOR, "access.granted", r.getId(), details);
    core.moveTo(r, RequestStatus.ACTIVE, AccessLifecycle.RECONCILER_ACTOR, Map.of("grantEnd", r.getGrantEnd().toString()));
    log.warn("Request {}: its grant, sent at {}, was not confirmed by its job; the assignment is in AWS, so it is"
        + " ACTIVE until {}", r.getId(), r.getGrantStart(), r.getGrantEnd());
    return true;
  }
}
