package io.airlock.inventory;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed in AWS since a time, as the change feed (CloudTrail's write events) named it, and
 * read again from AWS: the parts of the inventory to replace. A null list is a part nothing
 * changed in, kept as stored.
 *
 * @param changesRead      write events read from the trail that concern the inventory
 * @param accounts         every account of the organization with its OU path (the tree, read
 *                         every time), or null: the organization not read
 * @param tagsRead         of those accounts, the ones whose tags were read now (new, or named by a
 *                         tag change); the others keep their stored tags
 * @param users            every user (the identity store changed), else null
 * @param groups           every group (the identity store changed), else null
 * @param memberships      the members of each group read again, by group id
 * @param permissionSetArns every permission set's ARN (a permission set was created, changed or
 *                         deleted), else null
 * @param permissionSets   the permission sets read again
 * @param assignments      the assignments of each (account, permission set) pair read again
 * @param awsCalls         calls made, the trail's included
 */
public record InventoryChanges(int changesRead, List<Inventory.Account> accounts, Set<String> tagsRead,
    List<Inventory.User> users, List<Inventory.Group> groups, Map<String, List<Inventory.Membership>> memberships,
    List<String> permissionSetArns, List<Inventory.PermissionSet> permissionSets,
    Map<Pair, List<Inventory.Assignment>> assignments, int awsCalls) {

  /** Where assignments can be: a permission set in an account. */
  public record Pair(String accountId, String permissionSetArn) {}

  /** What the stored inventory already holds, so that only what is new is read. */
  public record Known(Set<String> accountIds, Set<String> permissionSetArns) {}

  public InventoryChanges {
    tagsRead = tagsRead == null ? Set.of() : Set.copyOf(tagsRead);
    memberships = memberships == null ? Map.of() : Map.copyOf(memberships);
    permissionSets = permissionSets == null ? List.of() : List.copyOf(permissionSets);
    assignments = assignments == null ? Map.of() : Map.copyOf(assignments);
  }
}
