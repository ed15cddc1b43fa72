package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryScans;
import io.airlock.inventory.InventoryService;
import io.airlock.request.AccessGateway.Assignment;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Drift reconciliation, the steps of {@code bpmn/inventory-scan.bpmn}: ask for a scan of AWS
 * (the run waits for it), then compare what is there with what Airlock granted.
 * <ul>
 *   <li>an assignment Airlock granted whose request has ended is revoked ({@code drift.orphan-revoked});
 *   <li>a crafted permission set whose request has ended is removed ({@code drift.crafted-set-removed});
 *   <li>standing access (no request of Airlock's holds it) is reported ({@code drift.standing}) and
 *       shown as STANDING in the explorer; removed only where {@code airlock.drift.remove-standing}
 *       names its account and permission set ({@code drift.standing-removed});
 *   <li>a request waiting or active whose account or permission set no longer exists ends FAILED
 *       with the reason ({@code drift.request-failed}).
 * </ul>
 * Every change goes through {@link AccessLifecycle} (assignment lock, a fresh look at the request
 * and at AWS) and is audited in its transaction. Each step works from the last scan and AWS,
 * never from process variables, so a run started anywhere in the model changes nothing wrongly.
 */
@Service
public class DriftReconciliation {

  /** Actor of the changes a run makes; who asked for a run is in {@code drift.requested}. */
  public static final String ACTOR = "airlock:drift";
  /** At most this many standing assignments are listed in one {@code drift.standing} entry. */
  static final int MAX_LISTED = 500;

  private static final Logger log = LoggerFactory.getLogger(DriftReconciliation.class);
  private static final EnumSet<RequestStatus> WAITING_OR_ACTIVE = EnumSet.of(RequestStatus.PENDING_REVIEW,
      RequestStatus.SCHEDULED, RequestStatus.ACTIVE);

  private final InventoryService inventory;
  private final InventoryScans scans;
  private final AccessRequestMapper requests;
  private final DriftRepairs repairs;
  private final CraftedPermissions crafted;
  private final AccessGateway gateway;
  private final CraftingGateway crafting;
  private final RequestWorkflow workflow;
  private final ReconciliationWorkflow process;
  private final AuditLog audit;
  private final TransactionTemplate tx;
  private final DriftProperties.RemoveStanding removeStanding;
  private final List<String> starters;
  private final MeterRegistry meters;

  /** The counts of a run that are findings (metric {@code airlock.drift.findings}, tag {@code kind}). */
  private static final List<String> FINDINGS = List.of("orphansRevoked", "craftedSetsRemoved", "standingFound",
      "standingRemoved", "requestsFailed");

  DriftReconciliation(InventoryService inventory, InventoryScans scans, AccessRequestMapper requests, DriftRepairs repairs,
      CraftedPermissions crafted, AccessGateway gateway, CraftingGateway crafting, RequestWorkflow workflow,
      @org.springframework.context.annotation.Lazy ReconciliationWorkflow process, AuditLog audit,
      TransactionTemplate tx, DriftProperties properties, AirlockProperties airlock,
      MeterRegistry meters) {
    this.meters = meters;
    this.inventory = inventory;
    this.scans = scans;
    this.requests = requests;
    this.repairs = repairs;
    this.crafted = crafted;
    this.gateway = gateway;
    this.crafting = crafting;
    this.workflow = workflow;
    this.process = process;
    this.audit = audit;
    this.tx = tx;
    this.removeStanding = properties.removeStanding();
    this.starters = List.of(airlock.groups().operators(), airlock.groups().admins());
  }

  /** Standing access found by a run, and how much of it was removed as configured. */
  public record Standing(int found, int removed) {}

  /** Starts a run now, for operators and admins (the engine checks its own authorization too). */
  public String requestRun(Caller caller) {
    if (!caller.inAnyGroup(starters)) {
      audit.refused(caller.userId(), "refused.drift-reconcile", null, Map.of("reason", "not an operator or admin"));
      throw new ForbiddenActionException("Only members of " + String.join(" or ", starters)
          + " may start a drift reconciliation");
    }
    return tx.execute(s -> {
      String instanceId = process.start(caller.userId(), caller.groups());
      audit.record(caller.userId(), "drift.requested", null, Map.of("processInstanceId", instanceId));
      return instanceId;
    });
  }

  /**
   * Step 1: ask for a scan of AWS that starts from now, made after the caller's transaction
   * commits under the cluster's scan lock (not in the caller's job, whose lock would not cover an
   * hour-long scan); returns when it asked. The run then waits until a scan that started at or
   * after that moment is stored ({@code InventoryScanned}).
   */
  public java.time.Instant askForScan() {
    return scans.ask(ACTOR);
  }

  /**
   * For runs of the models before the wait: the schedule's scan now, under the cluster's scan lock
   * (none while another node scans), and the inventory it leaves.
   */
  public io.airlock.inventory.ScanSummary scanInThisStep() {
    scans.refreshUnlessRunning(ACTOR);
    return inventory.summary();
  }

  /** Step 2: assignments Airlock granted whose request has ended, revoked. Returns how many. */
  public int revokeEndedGrants() {
    int revoked = 0;
    for (Inventory.Assignment a : inventory.assignments(null, null, null)) {
      if (!"USER".equals(a.principalType()) || !heldByNobody(a) || endedGrant(a).isEmpty()) {
        continue;
      }
      // The inventory forgets it in the revoke's transaction: the explorer no longer lists it.
      Boolean done = tx.execute(s -> {
        boolean gone = repairs.revokeOrphan(new Assignment(a.accountId(), a.permissionSetArn(), a.principalId()),
            ACTOR).isPresent();
        if (gone) {
          inventory.forgetAssignment(a);
        }
        return gone;
      });
      if (Boolean.TRUE.equals(done)) {
        revoked++;
      }
    }
    return revoked;
  }

  /** Step 3: crafted permission sets whose request has ended, removed. Returns how many. */
  public int removeLeftoverCraftedSets() {
    return crafted.removeLeftovers(ACTOR, "drift.crafted-set-removed").size();
  }

  /**
   * Step 4: standing access, reported in one {@code drift.standing} entry (with the list) and
   * removed where configuration names its account and permission set (users only: Airlock
   * grants and removes user assignments).
   */
  public Standing reportStanding() {
    Map<String, Inventory.PermissionSet> sets = inventory.permissionSets().stream()
        .collect(Collectors.toMap(Inventory.PermissionSet::arn, Function.identity(), (x, y) -> x));
    List<Map<String, Object>> found = new ArrayList<>();
    int removed = 0;
    for (Inventory.Assignment a : inventory.assignments(null, null, null)) {
      Inventory.PermissionSet set = sets.get(a.permissionSetArn());
      if (!heldByNobody(a) || ("USER".equals(a.principalType()) && endedGrant(a).isPresent())
          || (set != null && set.crafted() && craftedSetOfEndedRequest(set))) {
        continue; // Airlock's, an orphan (step 2) or a leftover crafted set (step 3)
      }
      String setName = set == null ? null : set.name();
      boolean remove = "USER".equals(a.principalType())
          && removeStanding.covers(a.accountId(), a.permissionSetArn(), setName);
      boolean wasRemoved = remove && Boolean.TRUE.equals(tx.execute(s -> {
        boolean gone = repairs.removeStanding(new Assignment(a.accountId(), a.permissionSetArn(), a.principalId()),
            setName, ACTOR);
        if (gone) {
          inventory.forgetAssignment(a);
        }
        return gone;
      }));
      if (wasRemoved) {
        removed++;
      }
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("accountId", a.accountId());
      item.put("permissionSetArn", a.permissionSetArn());
      item.put("permissionSet", setName);
      item.put("principalType", a.principalType());
      item.put("principalId", a.principalId());
      item.put("removed", wasRemoved);
      found.add(item);
    }
    if (!found.isEmpty()) {
      int removedCount = removed;
      tx.executeWithoutResult(s -> {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("count", found.size());
        details.put("removed", removedCount);
        details.put("assignments", found.subList(0, Math.min(found.size(), MAX_LISTED)));
        details.put("finding", "access in AWS that no request of Airlock's holds; see GET /api/explorer?source=STANDING");
        audit.record(ACTOR, "drift.standing", null, details);
      });
    }
    return new Standing(found.size(), removed);
  }

  /**
   * Step 5: requests waiting or active whose account or permission set no longer exists (not
   * in the scan, and AWS says so when asked) end FAILED with the reason; their process is
   * cancelled in the same transaction. Returns how many.
   */
  public int failRequestsWithMissingTargets() {
    Set<String> accounts = new HashSet<>(inventory.accounts().stream().map(Inventory.Account::accountId).toList());
    Set<String> sets = new HashSet<>(inventory.permissionSets().stream().map(Inventory.PermissionSet::arn).toList());
    if (accounts.isEmpty()) {
      return 0; // no scan yet (or an empty one): nothing to compare with
    }
    int failed = 0;
    for (AccessRequest r : requests.findByStatus(WAITING_OR_ACTIVE)) {
      String reason = null;
      if (!accounts.contains(r.getTarget()) && gateway.findAccount(r.getTarget()).isEmpty()) {
        reason = "Account " + r.getTarget() + " no longer exists in the organization";
      } else if (r.getPermissionSetArn() != null && !sets.contains(r.getPermissionSetArn())
          && !crafting.exists(r.getPermissionSetArn())) {
        reason = "Permission set " + r.getPermission() + " (" + r.getPermissionSetArn()
            + ") no longer exists in IAM Identity Center";
      }
      if (reason == null) {
        continue;
      }
      String why = reason + "; drift reconciliation ended the request";
      Boolean done = tx.execute(s -> {
        boolean moved = repairs.failForMissingTarget(r.getId(), why, ACTOR);
        if (moved) {
          workflow.cancel(r.getId(), why);
        }
        return moved;
      });
      if (Boolean.TRUE.equals(done)) {
        log.warn("Drift: request {} failed: {}", r.getId(), why);
        failed++;
      }
    }
    return failed;
  }

  /** Last step: one {@code drift.reconciled} entry with what the run found. */
  public void recordSummary(String processInstanceId, Map<String, Object> counts) {
    Map<String, Object> details = new LinkedHashMap<>(counts);
    details.put("processInstanceId", processInstanceId);
    tx.executeWithoutResult(s -> audit.record(ACTOR, "drift.reconciled", null, details));
    // What the run found and did, for Prometheus: airlock_drift_findings_total{kind=...}.
    for (String kind : FINDINGS) {
      if (counts.get(kind) instanceof Number n && n.longValue() > 0) {
        meters.counter("airlock.drift.findings", "kind", kind).increment(n.doubleValue());
      }
    }
  }

  private boolean heldByNobody(Inventory.Assignment a) {
    return requests.findHolders(a.accountId(), a.principalId(), a.permissionSetArn()).isEmpty();
  }

  private Optional<String> endedGrant(Inventory.Assignment a) {
    return requests.findLastEndedGrant(a.accountId(), a.principalId(), a.permissionSetArn());
  }

  private boolean craftedSetOfEndedRequest(Inventory.PermissionSet set) {
    return requests.findById(set.requestId()).map(r -> r.getStatus().isTerminal()).orElse(true);
  }
}
