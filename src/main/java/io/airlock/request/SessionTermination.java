package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.request.AccessGateway.OperationResult;
import io.airlock.request.SessionDenyMapper.SessionDenyRow;
import io.airlock.request.SessionGateway.PermissionSetFacts;
import io.airlock.request.SessionGateway.SessionDeny;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Revoked means revoked: removing an account assignment stops new sign-ins, but the role
 * sessions the principal already holds stay valid until they expire (up to the permission
 * set's session duration). At every revoke that leaves no other grant of the same principal,
 * permission set and account, this puts a deny on those sessions (see {@link SessionGateway})
 * and keeps it until the longest of them has expired, then a scheduled clean-up removes it.
 * Only permission sets Airlock manages are changed; for others the revoke records that the
 * sessions were not ended and why. Runs inside the revoke's transaction, so the audit rows and
 * the deny's record commit with the revoke (docs/session-revocation.md).
 */
@Service
public class SessionTermination {

  private static final Logger log = LoggerFactory.getLogger(SessionTermination.class);

  private final SessionGateway gateway;
  private final SessionDenyMapper denies;
  private final AuditLog audit;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final boolean enabled;

  SessionTermination(SessionGateway gateway, SessionDenyMapper denies, AuditLog audit, TransactionTemplate tx,
      Clock clock, io.airlock.config.AirlockProperties properties) {
    boolean enabled = properties.aws().endSessionsOnRevoke();
    this.gateway = gateway;
    this.denies = denies;
    this.audit = audit;
    this.tx = tx;
    this.clock = clock;
    this.enabled = enabled;
  }

  /**
   * A crafted permission set is the request's alone: before its assignment and the set itself
   * are removed, every session of the principal in it is denied (no time condition), so that
   * no session stays usable while the set is being deleted.
   */
  void endBeforeDeletingCraftedSet(AccessRequest r, String actor, Map<String, Object> details) {
    if (!enabled) {
      notEnded(r, actor, details, "ending sessions at revoke is turned off (airlock.aws.end-sessions-on-revoke)");
      return;
    }
    lockPermissionSet(r.getPermissionSetArn());
    SessionDeny deny = new SessionDeny(r.getPermissionSetArn(), r.getTarget(), r.getPrincipalId(), null);
    OperationResult put = gateway.putDeny(deny);
    Instant ended = clock.instant();
    Map<String, Object> d = denyDetails(deny, put);
    d.put("sessionsEndedAt", ended.toString());
    d.put("deniedUntil", "the crafted permission set's deletion");
    audit.record(actor, "sessions.ended", r.getId(), d);
    details.put("sessionsEndedAt", ended.toString());
  }

  /**
   * After the assignment is gone (no session can be issued any more): denies the principal's
   * sessions of the set in the account issued before now, until now plus the set's session
   * duration. A deny already in force for the same set, account and user is moved to the later
   * time and kept at least as long as before.
   */
  void endAfterRevoke(AccessRequest r, String actor, Map<String, Object> details) {
    if (!enabled) {
      notEnded(r, actor, details, "ending sessions at revoke is turned off (airlock.aws.end-sessions-on-revoke)");
      return;
    }
    Optional<PermissionSetFacts> facts = gateway.describe(r.getPermissionSetArn());
    if (facts.isEmpty()) {
      notEnded(r, actor, details, "the permission set no longer exists, nor does its role");
      return;
    }
    if (!facts.get().managed()) {
      notEnded(r, actor, details, "permission set " + r.getPermission() + " is not managed by Airlock (tag "
          + "airlock:managed=true), so Airlock does not change it: sessions issued before the revoke stay valid "
          + "until they expire, at most " + facts.get().sessionDuration() + " after it");
      return;
    }
    lockPermissionSet(r.getPermissionSetArn());
    Instant issuedBefore = clock.instant();
    Instant expires = issuedBefore.plus(facts.get().sessionDuration());
    Optional<SessionDenyRow> existing = denies.lockRow(r.getPermissionSetArn(), r.getTarget(), r.getPrincipalId());
    if (existing.isPresent() && existing.get().expiresAt().isAfter(expires)) {
      expires = existing.get().expiresAt();
    }
    SessionDeny deny = new SessionDeny(r.getPermissionSetArn(), r.getTarget(), r.getPrincipalId(), issuedBefore);
    OperationResult put = gateway.putDeny(deny);
    Instant ended = clock.instant();
    SessionDenyRow row = new SessionDenyRow(deny.permissionSetArn(), deny.accountId(), deny.principalId(), r.getId(),
        issuedBefore, ended, expires);
    if (existing.isPresent()) {
      denies.update(row);
    } else {
      denies.insert(row);
    }
    Map<String, Object> d = denyDetails(deny, put);
    d.put("sessionsEndedAt", ended.toString());
    d.put("sessionsIssuedBefore", issuedBefore.toString());
    d.put("deniedUntil", expires.toString());
    d.put("sessionDuration", facts.get().sessionDuration().toString());
    existing.ifPresent(e -> d.put("replacesDenyOf", e.requestId()));
    audit.record(actor, "sessions.ended", r.getId(), d);
    details.put("sessionsEndedAt", ended.toString());
    details.put("deniedUntil", expires.toString());
    log.info("Ended {}'s sessions of {} in {} issued before {} (request {}); deny in force until {}",
        r.getPrincipal(), r.getPermission(), r.getTarget(), issuedBefore, r.getId(), expires);
  }

  /**
   * Removes the denies whose time is up (each in its own transaction, under the row and set
   * locks, so several nodes may run it at once). Returns how many were removed.
   */
  public int removeExpired() {
    int removed = 0;
    for (SessionDenyRow row : denies.findExpired(clock.instant(), 100)) {
      try {
        if (Boolean.TRUE.equals(tx.execute(s -> removeIfExpired(row)))) {
          removed++;
        }
      } catch (RuntimeException e) {
        log.warn("Removing the session deny of {} in {} for {} failed; will try again: {}", row.permissionSetArn(),
            row.accountId(), row.principalId(), e.toString());
      }
    }
    return removed;
  }

  private boolean removeIfExpired(SessionDenyRow candidate) {
    lockPermissionSet(candidate.permissionSetArn());
    Optional<SessionDenyRow> current = denies.lockRow(candidate.permissionSetArn(), candidate.accountId(),
        candidate.principalId());
    Instant now = clock.instant();
    if (current.isEmpty() || current.get().expiresAt().isAfter(now)) {
      return false; // removed or extended meanwhile
    }
    SessionDenyRow row = current.get();
    SessionDeny deny = new SessionDeny(row.permissionSetArn(), row.accountId(), row.principalId(), row.issuedBefore());
    OperationResult removed = gateway.removeDeny(deny);
    denies.delete(row.permissionSetArn(), row.accountId(), row.principalId());
    Map<String, Object> d = denyDetails(deny, removed);
    d.put("sessionsIssuedBefore", row.issuedBefore().toString());
    d.put("deniedUntil", row.expiresAt().toString());
    audit.record(AccessLifecycle.SYSTEM_ACTOR, "sessions.deny-removed", row.requestId(), d);
    return true;
  }

  private void notEnded(AccessRequest r, String actor, Map<String, Object> details, String reason) {
    audit.record(actor, "sessions.not-ended", r.getId(), Map.of("reason", reason,
        "permissionSetArn", String.valueOf(r.getPermissionSetArn()), "accountId", r.getTarget()));
    details.put("sessionsNotEnded", reason);
  }

  private void lockPermissionSet(String permissionSetArn) {
    denies.ensureLock(permissionSetArn);
    denies.lock(permissionSetArn);
  }

  private static Map<String, Object> denyDetails(SessionDeny deny, OperationResult result) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("permissionSetArn", deny.permissionSetArn());
    d.put("accountId", deny.accountId());
    d.put("principalId", deny.principalId());
    d.put("statementId", deny.sid());
    d.put("mechanism", "inline policy of the permission set");
    d.put("provisionOperationId", result.operationId());
    d.put("status", result.status());
    d.put("awsRequestIds", result.awsRequestIds() == null ? List.of() : result.awsRequestIds());
    return d;
  }
}
