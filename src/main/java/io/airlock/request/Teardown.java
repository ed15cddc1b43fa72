package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.inventory.InventoryService;
import io.airlock.logging.LogSafe;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Removes everything Airlock created in AWS, as deleting the integration does in the reference
 * product: every request still running is ended (its process cancelled, its assignment
 * removed), then every crafted permission set Airlock recorded or finds tagged in a fresh scan
 * is emptied and deleted. Admins only; reports and audits what it removed.
 */
@Service
public class Teardown {

  private static final Logger log = LoggerFactory.getLogger(Teardown.class);
  private static final EnumSet<RequestStatus> RUNNING = EnumSet.of(RequestStatus.SUBMITTED,
      RequestStatus.PENDING_REVIEW, RequestStatus.SCHEDULED, RequestStatus.GRANTING, RequestStatus.ACTIVE, RequestStatus.REVOKING);

  private final AccessRequestMapper requests;
  private final DriftRepairs repairs;
  private final CraftedPermissions crafted;
  private final RequestWorkflow process;
  private final InventoryService inventory;
  private final AuditLog audit;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final String admins;

  Teardown(AccessRequestMapper requests, DriftRepairs repairs, CraftedPermissions crafted, RequestWorkflow process,
      InventoryService inventory, AuditLog audit, TransactionTemplate tx, Clock clock, AirlockProperties properties) {
    this.requests = requests;
    this.repairs = repairs;
    this.crafted = crafted;
    this.process = process;
    this.inventory = inventory;
    this.audit = audit;
    this.tx = tx;
    this.clock = clock;
    this.admins = properties.groups().admins();
  }

  /** What a teardown removed. */
  public record Report(Instant startedAt, Instant finishedAt, List<EndedRequest> endedRequests,
      List<CraftedPermissions.Removed> craftedPermissionSets) {}

  /** A request the teardown ended, with what happened to its access. */
  public record EndedRequest(String id, String status, Map<String, Object> details) {}

  public Report run(Caller caller) {
    if (!caller.inAnyGroup(List.of(admins))) {
      throw new ForbiddenActionException("Only members of " + admins + " may tear down Airlock's AWS integration");
    }
    Instant started = clock.instant();
    String actor = caller.userId();
    tx.executeWithoutResult(s -> audit.record(actor, "integration.teardown-started", null, Map.of()));
    List<EndedRequest> ended = new ArrayList<>();
    for (AccessRequest r : requests.findByStatus(RUNNING)) {
      process.cancel(r.getId(), "Airlock's AWS integration torn down by " + actor);
      Map<String, Object> details = repairs.endForTeardown(r.getId(), actor);
      ended.add(new EndedRequest(r.getId(), String.valueOf(details.get("to")), details));
    }
    // A fresh scan finds crafted sets Airlock has no record of (created just before a crash).
    inventory.scan(actor);
    List<CraftedPermissions.Removed> sets = crafted.removeAll(actor);
    Report report = new Report(started, clock.instant(), ended, sets);
    tx.executeWithoutResult(s -> {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("endedRequests", ended.stream().map(EndedRequest::id).toList());
      details.put("deletedPermissionSets", sets.stream().map(CraftedPermissions.Removed::arn).toList());
      details.put("removedAssignments", sets.stream().mapToInt(x -> x.assignments().size()).sum()
          + ended.stream().filter(e -> "REVOKED".equals(e.status())).count());
      audit.record(actor, "integration.teardown", null, details);
    });
    log.warn("Teardown by {}: ended {} requests, deleted {} crafted permission sets", LogSafe.of(actor), ended.size(), sets.size());
    return report;
  }
}
