package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.request.AccessGateway.Assignment;
import io.airlock.request.AccessGateway.OperationResult;
import java.time.Clock;
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
 * Repairs the drift run (bpmn/inventory-scan.bpmn) and the integration's teardown make: access
 * Airlock granted that is still in AWS after its request ended, standing access configuration
 * says to remove, requests whose account or permission set is gone, and every request ended when
 * Airlock's AWS integration is torn down. Each is audited in the transaction that makes it.
 */
@Service
public class DriftRepairs {

  private static final Logger log = LoggerFactory.getLogger(DriftRepairs.class);

  private final AccessRequestMapper requests;
  private final AccessGateway gateway;
  private final AuditLog audit;
  private final Clock clock;
  private final RequestCore core;

  DriftRepairs(AccessRequestMapper requests, AccessGateway gateway, AuditLog audit, Clock clock, RequestCore core) {
    this.requests = requests;
    this.gateway = gateway;
    this.audit = audit;
    this.clock = clock;
    this.core = core;
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
      core.lockAssignment(r);
      details.putAll(core.removeAccess(r, actor));
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
    Map<String, Object> details = core.awsDetails(r, gateway.revoke(a));
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
    r.setDecisionReason(core.truncate(reason, 512));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("from", from.name());
    details.put("target", r.getTarget());
    details.put("permission", r.getPermission());
    details.put("permissionSetArn", r.getPermissionSetArn());
    details.put("reason", reason);
    audit.record(actor, "drift.request-failed", id, details);
    core.moveTo(r, RequestStatus.FAILED, actor, Map.of("reason", reason));
    return true;
  }
}
