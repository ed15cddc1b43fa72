package io.airlock.request;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.inventory.InventoryService;
import io.airlock.request.AccessGateway.Assignment;
import io.airlock.request.AccessGateway.OperationResult;
import io.airlock.request.CraftingGateway.NewPermissionSet;
import io.airlock.request.CraftedSetMapper.CraftedSet;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Crafted permission sets through their life: created (with the policy the approver saw) and
 * provisioned before the grant, deleted after the revoke, and removed when left over (a grant
 * that failed after creating one, a crash, a request that ended without its revoke).
 */
@Service
public class CraftedPermissions {

  private static final Logger log = LoggerFactory.getLogger(CraftedPermissions.class);
  /** AWS's limit on a permission set's name. */
  static final int MAX_NAME = 32;

  private final CraftingGateway crafting;
  private final AccessGateway gateway;
  private final CraftedSetMapper sets;
  private final CraftedSetRegistry registry;
  private final AccessRequestMapper requests;
  private final InventoryService inventory;
  private final AuditLog audit;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final String prefix;

  CraftedPermissions(CraftingGateway crafting, AccessGateway gateway, CraftedSetMapper sets,
      CraftedSetRegistry registry, AccessRequestMapper requests, InventoryService inventory, AuditLog audit,
      TransactionTemplate tx, Clock clock, AirlockProperties properties) {
    this.crafting = crafting;
    this.gateway = gateway;
    this.sets = sets;
    this.registry = registry;
    this.requests = requests;
    this.inventory = inventory;
    this.audit = audit;
    this.tx = tx;
    this.clock = clock;
    this.prefix = properties.craft().namePrefix();
  }

  /** The crafted permission set's name: Airlock's prefix and as much of the request id as fits. */
  public String nameFor(String requestId) {
    String id = requestId.replace("-", "");
    return prefix + id.substring(0, Math.min(id.length(), MAX_NAME - prefix.length()));
  }

  /**
   * Makes sure the request's permission set exists and is provisioned to the target account;
   * returns its ARN. A retried grant reuses the set the failed attempt created.
   */
  String ensure(AccessRequest r, Map<String, Object> details) {
    Optional<String> existing = sets.findLiveByRequest(r.getId()).stream().map(CraftedSet::arn)
        .filter(crafting::exists).findFirst();
    String arn = existing.orElseGet(() -> crafting.create(new NewPermissionSet(nameFor(r.getId()),
            "Crafted by Airlock for request " + r.getId() + " (" + r.getCraftTemplate() + ")",
            sessionDuration(r.parsedDuration()), r.getCraftPolicy(), r.getId(), r.getRequester()),
        created -> registry.recordCreated(created, nameFor(r.getId()), r.getId(), r.getTarget())));
    OperationResult provisioned = crafting.provision(arn, r.getTarget());
    details.put("craftedPermissionSet", Map.of("arn", arn, "name", nameFor(r.getId()),
        "reused", existing.isPresent(), "provisionOperationId", String.valueOf(provisioned.operationId())));
    return arn;
  }

  /** Deletes the request's permission set once its assignment is gone. */
  void remove(AccessRequest r, Map<String, Object> details) {
    if (r.getPermissionSetArn() == null) {
      return;
    }
    boolean deleted = crafting.delete(r.getPermissionSetArn());
    sets.markDeleted(r.getPermissionSetArn(), clock.instant());
    details.put("craftedPermissionSetDeleted", deleted);
  }

  /**
   * Removes crafted permission sets whose request no longer needs them: every assignment of
   * the set, then the set. Looks at Airlock's own record and at the last inventory scan (which
   * finds sets tagged by Airlock that the record lacks). Returns what was removed.
   */
  public List<Removed> removeLeftovers(String actor) {
    return removeLeftovers(actor, "craft.leftover-removed");
  }

  /** {@link #removeLeftovers(String)}, each removal audited as {@code action} (drift reconciliation's). */
  List<Removed> removeLeftovers(String actor, String action) {
    List<Removed> removed = known().stream().filter(c -> !needed(c.requestId()))
        .map(c -> removeSet(c, actor, action)).toList();
    if (!removed.isEmpty()) {
      log.info("Removed {} leftover crafted permission sets", removed.size());
    }
    return removed;
  }

  /** Every crafted permission set Airlock knows of or finds in the inventory (for teardown). */
  List<Removed> removeAll(String actor) {
    return known().stream().map(c -> removeSet(c, actor, "craft.removed")).toList();
  }

  /** Crafted sets in Airlock's record, then those only the inventory has (by Airlock's tag). */
  private List<Removed> known() {
    Map<String, Removed> all = new LinkedHashMap<>();
    sets.findLive().forEach(s -> all.put(s.arn(), new Removed(s.arn(), s.name(), s.requestId(), List.of())));
    inventory.permissionSets().stream().filter(p -> p.crafted() && p.name().startsWith(prefix))
        .forEach(p -> all.putIfAbsent(p.arn(), new Removed(p.arn(), p.name(), p.requestId(), List.of())));
    return List.copyOf(all.values());
  }

  private Removed removeSet(Removed c, String actor, String action) {
    List<Assignment> assignments = crafting.assignmentsOf(c.arn());
    for (Assignment a : assignments) {
      gateway.revoke(a);
    }
    boolean deleted = crafting.delete(c.arn());
    Removed done = new Removed(c.arn(), c.name(), c.requestId(), assignments);
    tx.executeWithoutResult(status -> {
      sets.markDeleted(c.arn(), clock.instant());
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("permissionSetArn", c.arn());
      details.put("name", c.name());
      details.put("assignmentsRemoved", assignments.size());
      details.put("deleted", deleted);
      audit.record(actor, action, c.requestId(), details);
    });
    return done;
  }

  /** A set is still needed while its request may be granted or is granted. */
  private boolean needed(String requestId) {
    if (requestId == null) {
      return false;
    }
    return requests.findById(requestId).map(r -> !r.getStatus().isTerminal()).orElse(false);
  }

  /** Permission sets allow sessions of 1 to 12 hours; the request's duration, within those. */
  static String sessionDuration(Duration requested) {
    long hours = Math.max(1, Math.min(12, (requested.toMinutes() + 59) / 60));
    return "PT" + hours + "H";
  }

  /** A crafted permission set that was removed, with the assignments removed before it. */
  public record Removed(String arn, String name, String requestId, List<Assignment> assignments) {}
}
