package io.airlock.web;

import io.airlock.config.AirlockProperties;
import io.airlock.identity.CurrentUser;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryScans;
import io.airlock.inventory.InventoryService;
import io.airlock.inventory.ScanSummary;
import io.airlock.request.Caller;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.DriftReconciliation;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;
import io.airlock.request.ForbiddenActionException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The last scan of AWS, read-only: accounts, users, groups, permission sets and assignments.
 * For approvers, auditors, operators and admins; operators and admins may start a scan.
 */
@RestController
@RequestMapping("/api/inventory")
@Tag(name = "Inventory")
class InventoryController {

  private final InventoryService inventory;
  private final InventoryScans scans;
  private final DriftReconciliation drift;
  private final AirlockProperties.Groups groups;

  InventoryController(InventoryService inventory, InventoryScans scans, DriftReconciliation drift,
      AirlockProperties properties) {
    this.inventory = inventory;
    this.scans = scans;
    this.drift = drift;
    this.groups = properties.groups();
  }

  @GetMapping
  @Operation(summary = "When the last scan ran and what it counted")
  ScanSummary summary(Authentication auth) {
    reader(auth);
    return inventory.summary();
  }

  @PostMapping("/scan")
  @Operation(summary = "Scan AWS now, reading everything (operators and admins); answers with the new summary, or 409 while another scan runs")
  ScanSummary scan(Authentication auth) {
    Caller caller = CurrentUser.of(auth);
    if (!caller.inAnyGroup(List.of(groups.operators(), groups.admins()))) {
      throw new ForbiddenActionException("Only members of " + groups.operators() + " or " + groups.admins()
          + " may start a scan");
    }
    return scans.scanEverythingNow(caller.userId()).orElseThrow(() -> new ConflictingStateException(
        "A scan of AWS is running already (on this node or another) and did not end within 20 seconds:"
            + " its result is in the inventory (GET /api/inventory) when it ends. Ask for another then if you"
            + " still need one."));
  }

  /** A drift reconciliation run that was started: its process instance, to follow in Cockpit. */
  record ReconcileStarted(String processInstanceId, String process) {}

  @PostMapping("/reconcile")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Scan AWS and reconcile drift now (operators and admins)",
      description = "Starts bpmn/inventory-scan.bpmn: ask for a scan and wait for it, revoke access whose grant has "
          + "ended, remove leftover crafted permission sets, report standing access, fail requests whose account or "
          + "permission set is gone. "
          + "Answers 202 with the process instance; the findings are drift.* entries in GET /api/audit.")
  ReconcileStarted reconcile(Authentication auth) {
    return new ReconcileStarted(drift.requestRun(CurrentUser.of(auth)), "inventory-scan");
  }

  @GetMapping("/accounts")
  @Operation(summary = "The organization's accounts")
  List<Inventory.Account> accounts(Authentication auth) {
    reader(auth);
    return inventory.accounts();
  }

  @GetMapping("/users")
  @Operation(summary = "IAM Identity Center users")
  List<Inventory.User> users(Authentication auth) {
    reader(auth);
    return inventory.users();
  }

  @GetMapping("/groups")
  @Operation(summary = "IAM Identity Center groups")
  List<Inventory.Group> groups(Authentication auth) {
    reader(auth);
    return inventory.groups();
  }

  @GetMapping("/memberships")
  @Operation(summary = "Group memberships (group id, user id)")
  List<Inventory.Membership> memberships(Authentication auth) {
    reader(auth);
    return inventory.memberships();
  }

  @GetMapping("/permission-sets")
  @Operation(summary = "Permission sets with their inline and managed policies; crafted ones name their request")
  List<Inventory.PermissionSet> permissionSets(Authentication auth) {
    reader(auth);
    return inventory.permissionSets();
  }

  @GetMapping("/assignments")
  @Operation(summary = "Account assignments, optionally by account, principal and permission set")
  List<Inventory.Assignment> assignments(@RequestParam(required = false) String accountId,
      @RequestParam(required = false) String principalId, @RequestParam(required = false) String permissionSetArn,
      Authentication auth) {
    reader(auth);
    return inventory.assignments(accountId, principalId, permissionSetArn);
  }

  private void reader(Authentication auth) {
    if (!CurrentUser.of(auth).inAnyGroup(groups.readAll())) {
      throw new ForbiddenActionException("Only approvers, auditors, operators and admins may read the inventory");
    }
  }
}
