package io.airlock.policy;

import io.airlock.config.AirlockProperties;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryService;
import io.airlock.request.AccessPolicy;
import io.airlock.request.Caller;
import io.airlock.request.CraftSpec;
import io.airlock.request.PrincipalMapping;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * What the signed-in user may request: every account of the inventory and every permission
 * (the permission sets of the inventory, Airlock's crafted ones excepted, and the craft
 * templates) run through the same scopes table the process uses (latest deployed version), as
 * the user asking for themselves. Nothing is recorded: this is a question, not a request.
 */
@Service
public class PolicyCatalog {

  private final DecisionTables tables;
  private final InventoryService inventory;
  private final PrincipalMapping principals;
  private final Clock clock;
  private final Map<String, String> groups;
  private final Pattern ticketPattern;
  private final java.time.ZoneId zone;
  private final Duration minDuration;
  private final Duration maxDuration;

  PolicyCatalog(DecisionTables tables, InventoryService inventory, PrincipalMapping principals, Clock clock,
      AirlockProperties properties) {
    this.tables = tables;
    this.inventory = inventory;
    this.principals = principals;
    this.clock = clock;
    this.groups = properties.groups().byRole();
    this.ticketPattern = properties.policy().compiledTicketPattern();
    this.zone = properties.policy().timeZone();
    this.minDuration = properties.request().minDuration();
    this.maxDuration = properties.request().maxDuration();
  }

  /**
   * The user's catalog: targets with the permissions they may request there; when there are
   * none, {@code emptyBecause} says why in words and what to do (null otherwise).
   */
  public record Catalog(String user, String principal, String decisionDefinitionId, Integer decisionVersion,
      List<Target> targets, String emptyBecause) {

    public Catalog(String user, String principal, String decisionDefinitionId, Integer decisionVersion,
        List<Target> targets) {
      this(user, principal, decisionDefinitionId, decisionVersion, targets, null);
    }
  }

  /** An account and what may be requested in it. */
  public record Target(String target, String name, String ouPath, Map<String, String> tags,
      List<Permission> permissions) {}

  /**
   * A permission that may be requested: the scope that allows it, the longest duration (the
   * scope's, within {@code airlock.request.max-duration}), who approves, how many.
   */
  public record Permission(String permission, String kind, String scope, String maxDuration, long maxDurationMinutes,
      List<String> approverGroups, int approvalsRequired, boolean breakGlassAllowed, boolean mayRequestForOthers) {}

  public Catalog forUser(Caller caller) {
    DecisionTables.Table scopes = tables.latest(Decisions.ACCESS_SCOPES);
    String principal = principals.identityCenterNameOf(caller.userId());
    List<String> permissions = new ArrayList<>();
    inventory.permissionSets().stream().filter(p -> !p.crafted()).map(Inventory.PermissionSet::name).sorted()
        .forEach(permissions::add);
    for (CraftSpec.Template t : CraftSpec.Template.values()) {
      permissions.add(CraftSpec.permissionName(t));
    }
    ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), zone);
    List<Target> targets = new ArrayList<>();
    for (Inventory.Account account : inventory.accounts()) {
      PolicyInputs.Target target = new PolicyInputs.Target(account.accountId(), account.name(), account.ouPath(),
          account.tags());
      List<Permission> allowed = new ArrayList<>();
      for (String permission : permissions) {
        boolean crafted = permission.startsWith("craft:");
        Map<String, Object> in = PolicyInputs.of(new PolicyInputs.Request("AWS", target, permission, crafted,
            caller.userId(), caller.groups(), principal, caller.groups(), true, minDuration, "", null, false, null),
            groups, ticketPattern, now);
        AccessPolicy.Scope scope = PolicyInputs.scope(tables.evaluate(scopes, in).outputs());
        if (scope == null) {
          continue;
        }
        long minutes = Math.min(scope.maxDurationMinutes(), maxDuration.toMinutes());
        allowed.add(new Permission(permission, crafted ? PolicyInputs.CRAFTED : PolicyInputs.EXISTING, scope.name(),
            Duration.ofMinutes(minutes).toString(), minutes, scope.approverGroups(), scope.approvalsRequired(),
            scope.breakGlassAllowed(), scope.mayRequestForOthers()));
      }
      if (!allowed.isEmpty()) {
        targets.add(new Target(account.accountId(), account.name(), account.ouPath(), account.tags(), allowed));
      }
    }
    return new Catalog(caller.userId(), principal, scopes.definitionId(), scopes.version(), targets,
        targets.isEmpty() ? whyEmpty(caller, scopes.version()) : null);
  }

  /**
   * Why nothing may be asked for, for the person and for whoever runs Airlock: no account read
   * yet, not a requester, or a policy whose scopes name OUs, tags or groups this organization
   * does not have (the accounts' OUs and environment tags are named, so the gap shows).
   */
  String whyEmpty(Caller caller, int version) {
    List<Inventory.Account> accounts = inventory.accounts();
    if (accounts.isEmpty()) {
      return "Airlock has not read your AWS organization yet: no account is in its inventory. An operator runs a "
          + "scan (Scan in Cockpit's Airlock page, or POST /api/inventory/scan), or the scheduled one will.";
    }
    String requesters = groups.get("requesters");
    if (!caller.groups().contains(requesters)) {
      return "You are not in " + requesters + ", the group whose members ask for access. Ask your security team to "
          + "add you (a change to Airlock's groups is reviewed by a second person).";
    }
    java.util.Set<String> ous = new java.util.TreeSet<>();
    java.util.Set<String> environments = new java.util.TreeSet<>();
    for (Inventory.Account a : accounts) {
      if (a.ouPath() != null) {
        ous.add(a.ouPath());
      }
      if (a.tags() != null && a.tags().get("environment") != null) {
        environments.add(a.tags().get("environment"));
      }
    }
    return "The access-scopes table (version " + version + ") gives your groups (" + String.join(", ", caller.groups())
        + ") nothing in any of the " + accounts.size() + (accounts.size() == 1 ? " account" : " accounts")
        + " Airlock knows. Its scopes match accounts by OU and by the tag environment; your organization's accounts "
        + "are under " + shortList(ous) + " with environment " + (environments.isEmpty() ? "tags: none"
            : "tags " + shortList(environments)) + ". Ask a policy author (" + groups.get("policyAuthors")
        + ") to propose scopes that fit them: the Policy page has a starter policy Airlock drafted from them.";
  }

  private static String shortList(java.util.Set<String> values) {
    List<String> list = new ArrayList<>(values);
    return list.size() <= 5 ? String.join(", ", list) : String.join(", ", list.subList(0, 5)) + " and "
        + (list.size() - 5) + " more";
  }
}
