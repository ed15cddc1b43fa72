package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.request.AccessGateway.Assignment;
import io.airlock.request.AccessGateway.OperationResult;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The use cases of an access request: submit, review, grant, revoke, read. The REST API and the
 * process delegates both call these; every change is audited in the same transaction.
 */
@Service
public class RequestService {

  /** Actor recorded for changes the engine makes on its own (jobs, timers). */
  public static final String SYSTEM_ACTOR = "airlock";

  private static final Logger log = LoggerFactory.getLogger(RequestService.class);

  private final AccessRequestMapper requests;
  private final RequestValidator validator;
  private final AccessGateway gateway;
  private final AccessProcess process;
  private final AuditLog audit;
  private final CraftedPermissions crafted;
  private final AirlockProperties.Groups groups;
  private final Clock clock;

  public RequestService(AccessRequestMapper requests, RequestValidator validator, AccessGateway gateway,
      AccessProcess process, AuditLog audit, CraftedPermissions crafted, AirlockProperties properties, Clock clock) {
    this.requests = requests;
    this.validator = validator;
    this.gateway = gateway;
    this.process = process;
    this.audit = audit;
    this.crafted = crafted;
    this.groups = properties.groups();
    this.clock = clock;
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
    String id = UUID.randomUUID().toString();
    process.start(id, caller.userId(), caller.groups(), input);
    return requests.findById(id).orElseThrow(() -> new IllegalStateException("request " + id + " was not registered"));
  }

  /**
   * Stores a submitted request (first step of the process, for the REST API and the Tasklist
   * start form alike). Re-validates: the start form reaches this without the API.
   */
  @Transactional
  public AccessRequest register(String id, String requester, SubmitRequest input) {
    if (requester == null || requester.isBlank()) {
      throw new ForbiddenActionException("Sign in to request access: the request has no requester");
    }
    RequestValidator.ValidRequest valid = validator.validate(input);
    Instant now = clock.instant();
    AccessRequest r = new AccessRequest();
    r.setId(id);
    r.setSystem(input.system());
    r.setTarget(input.target());
    r.setPrincipal(input.principal());
    r.setPrincipalId(valid.principalId());
    r.setPermission(valid.permission());
    r.setPermissionSetArn(valid.permissionSetArn());
    r.setCraftTemplate(valid.craftTemplate());
    r.setCraftPolicy(valid.craftPolicy());
    r.setDuration(valid.duration().toString());
    r.setJustification(input.justification().trim());
    r.setTicket(input.ticket() == null || input.ticket().isBlank() ? null : input.ticket().trim());
    r.setRequester(requester);
    r.setStatus(RequestStatus.SUBMITTED);
    r.setCreatedAt(now);
    r.setUpdatedAt(now);
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
    if (r.isCrafted()) {
      details.put("craftTemplate", r.getCraftTemplate());
      details.put("craftPolicy", r.getCraftPolicy());
      details.put("craftedPermissionSetName", crafted.nameFor(id));
    }
    audit.record(requester, "request.submitted", id, details);
    return r;
  }

  @Transactional(readOnly = true)
  public AccessRequest get(String id, Caller caller) {
    AccessRequest r = requests.findById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (!r.getRequester().equals(caller.userId()) && !caller.inAnyGroup(groups.readAll())) {
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

  /** Completes the review task through the engine, so the same guard applies as in Tasklist. */
  @Transactional
  public AccessRequest review(String id, ReviewDecision decision, Caller caller) {
    AccessRequest r = get(id, caller);
    if (r.getStatus() != RequestStatus.PENDING_REVIEW || process.openReviewTask(id).isEmpty()) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus() + ", not waiting for review");
    }
    process.completeReview(id, caller.userId(), caller.groups(), decision);
    return requests.findById(id).orElseThrow();
  }

  /**
   * Checks and records an approver's decision (called by the review task's complete listener,
   * whichever way the task was completed). Requester and approver must differ, and the
   * approver must be in one of the task's candidate groups.
   */
  @Transactional
  public void recordReview(String id, Caller reviewer, List<String> candidateGroups, String outcome, String comment) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (reviewer == null || reviewer.userId() == null) {
      throw new ForbiddenActionException("Sign in to review access requests");
    }
    if (reviewer.userId().equals(r.getRequester())) {
      throw new ForbiddenActionException("You cannot review your own access request (" + id + "): another approver must");
    }
    if (!reviewer.inAnyGroup(candidateGroups)) {
      throw new ForbiddenActionException("Only members of " + String.join(", ", candidateGroups)
          + " may review this request");
    }
    ReviewDecision.Outcome parsed;
    try {
      parsed = ReviewDecision.Outcome.valueOf(String.valueOf(outcome));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("reviewOutcome",
          "choose APPROVE or DENY, was '" + outcome + "'")));
    }
    if (comment != null && comment.length() > 1000) {
      throw new InvalidRequestException(List.of(new InvalidRequestException.FieldError("reviewComment",
          "must be at most 1000 characters")));
    }
    Instant now = clock.instant();
    r.setReviewer(reviewer.userId());
    r.setReviewComment(comment);
    r.setReviewedAt(now);
    r.setUpdatedAt(now);
    requests.update(r);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("outcome", parsed.name());
    details.put("comment", comment);
    details.put("candidateGroups", candidateGroups);
    audit.record(reviewer.userId(), parsed == ReviewDecision.Outcome.APPROVE ? "review.approved" : "review.denied",
        id, details);
  }

  // ---- process steps --------------------------------------------------------------------

  /** Records a status change of the process, with the policy decision when there is one. */
  @Transactional
  public void recordStatus(String id, RequestStatus status, String actor, PolicyDecision decision) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    RequestStatus from = r.getStatus();
    if (decision != null) {
      r.setScopeName(decision.scopeName());
      r.setApproverGroups(decision.approverGroups());
      r.setDecisionOutcome(decision.outcome());
      r.setDecisionReason(decision.reason());
    }
    r.setStatus(status);
    r.setUpdatedAt(clock.instant());
    requests.update(r);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("from", from.name());
    details.put("to", status.name());
    if (decision != null) {
      details.put("scope", decision.scopeName());
      details.put("approverGroups", decision.approverGroups());
      details.put("outcome", decision.outcome());
      details.put("reason", decision.reason());
    }
    audit.record(actor == null ? SYSTEM_ACTOR : actor, "request.status", id, details);
  }

  /** What the policy decided, as recorded on the request. */
  public record PolicyDecision(String scopeName, String approverGroups, String outcome, String reason) {}

  /**
   * Grants the access in AWS; returns when it ends. A rejection by AWS is a business outcome
   * the process handles (the request ends FAILED), so it must not doom the job's transaction.
   */
  @Transactional(noRollbackFor = AccessRejectedException.class)
  public Instant grant(String id) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (r.getStatus() == RequestStatus.ACTIVE && r.getGrantEnd() != null) {
      return r.getGrantEnd(); // a retried job after a commit that already happened
    }
    Map<String, Object> craftDetails = new LinkedHashMap<>();
    if (r.isCrafted()) {
      r.setPermissionSetArn(crafted.ensure(r, craftDetails));
    }
    lockAssignment(r);
    OperationResult result = gateway.grant(assignment(r));
    Instant start = clock.instant();
    Instant end = start.plus(r.parsedDuration());
    r.setStatus(RequestStatus.ACTIVE);
    r.setGrantStart(start);
    r.setGrantEnd(end);
    r.setUpdatedAt(start);
    requests.update(r);
    Map<String, Object> details = awsDetails(r, result);
    details.putAll(craftDetails);
    details.put("grantStart", start.toString());
    details.put("grantEnd", end.toString());
    audit.record(SYSTEM_ACTOR, "access.granted", id, details);
    log.info("Granted {} on {} to {} until {} (request {})", r.getPermission(), r.getTarget(), r.getPrincipal(), end, id);
    return end;
  }

  /**
   * Removes the access in AWS, unless another active request still covers the same
   * assignment: then AWS is left as it is and the revoke is recorded as covered.
   */
  @Transactional
  public void revoke(String id) {
    AccessRequest r = requests.lockById(id).orElseThrow(() -> new RequestNotFoundException(id));
    if (r.getStatus() == RequestStatus.REVOKED) {
      return;
    }
    Instant now = clock.instant();
    Map<String, Object> details;
    if (r.getPermissionSetArn() == null) {
      details = new LinkedHashMap<>(); // a crafted request that never got its permission set
    } else {
      lockAssignment(r);
      List<String> coveredBy = requests.findOtherActiveGrants(id, r.getTarget(), r.getPrincipalId(),
          r.getPermissionSetArn(), now);
      if (coveredBy.isEmpty()) {
        details = awsDetails(r, gateway.revoke(assignment(r)));
        if (r.isCrafted()) {
          crafted.remove(r, details);
        }
      } else {
        details = new LinkedHashMap<>();
        details.put("keptForRequests", coveredBy);
        log.info("Request {} ended; assignment kept in AWS for active requests {}", id, coveredBy);
      }
    }
    r.setStatus(RequestStatus.REVOKED);
    r.setRevokedAt(now);
    r.setUpdatedAt(now);
    requests.update(r);
    audit.record(SYSTEM_ACTOR, "access.revoked", id, details);
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
    if (r.getPermissionSetArn() != null && EnumSet.of(RequestStatus.GRANTING, RequestStatus.ACTIVE,
        RequestStatus.REVOKING).contains(from)) {
      lockAssignment(r);
      details.putAll(awsDetails(r, gateway.revoke(assignment(r))));
      if (r.isCrafted()) {
        crafted.remove(r, details);
      }
      r.setStatus(RequestStatus.REVOKED);
      r.setRevokedAt(now);
    } else {
      r.setStatus(RequestStatus.FAILED);
      r.setDecisionReason("Airlock's AWS integration was torn down by " + actor + " before access was granted");
    }
    r.setUpdatedAt(now);
    requests.update(r);
    details.put("to", r.getStatus().name());
    audit.record(actor, r.getStatus() == RequestStatus.REVOKED ? "access.revoked" : "request.status", id, details);
    return details;
  }

  /** Ends an active grant now: the requester, an approver or an admin may. */
  @Transactional
  public AccessRequest requestRevoke(String id, Caller caller) {
    AccessRequest r = get(id, caller);
    boolean allowed = r.getRequester().equals(caller.userId())
        || caller.inAnyGroup(List.of(groups.approvers(), groups.admins()))
        || (r.getApproverGroups() != null && caller.inAnyGroup(Arrays.asList(r.getApproverGroups().split("\\s*,\\s*"))));
    if (!allowed) {
      throw new ForbiddenActionException("Only the requester, an approver or an admin may revoke request " + id);
    }
    if (r.getStatus() != RequestStatus.ACTIVE) {
      throw new ConflictingStateException("Request " + id + " is " + r.getStatus() + "; only ACTIVE access can be revoked");
    }
    audit.record(caller.userId(), "revoke.requested", id, Map.of("status", r.getStatus().name()));
    process.requestRevoke(id);
    return requests.findById(id).orElseThrow();
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
}
