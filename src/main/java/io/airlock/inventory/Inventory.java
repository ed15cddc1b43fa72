package io.airlock.inventory;

import java.util.List;

/**
 * What a scan found in AWS: the organization's accounts, the Identity Center users, groups and
 * memberships, the permission sets with their policies, and every account assignment.
 */
public record Inventory(
    List<Account> accounts,
    List<User> users,
    List<Group> groups,
    List<Membership> memberships,
    List<PermissionSet> permissionSets,
    List<Assignment> assignments,
    int awsCalls) {

  /**
   * An account of the organization: {@code ouPath} is the names of the organizational units
   * from the root down, joined by "/" ("Workloads/Prod"; empty directly under the root, null
   * when unknown); {@code tags} the account's tags.
   */
  public record Account(String accountId, String name, String email, String status, String ouPath,
      java.util.Map<String, String> tags) {

    public Account {
      tags = tags == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(tags));
    }

    public Account(String accountId, String name, String email, String status) {
      this(accountId, name, email, status, null, null);
    }
  }

  /** One tag of an account, as stored. */
  public record AccountTag(String accountId, String key, String value) {}

  public record User(String userId, String userName, String displayName, String email) {}

  public record Group(String groupId, String displayName, String description) {}

  public record Membership(String groupId, String userId) {}

  /**
   * A permission set; {@code requestId} is the {@code airlock:request-id} tag of the ones
   * Airlock crafted (null for the others).
   */
  public record PermissionSet(String arn, String name, String description, String sessionDuration,
      String inlinePolicy, List<String> managedPolicies, String requestId) {

    public boolean crafted() {
      return requestId != null;
    }
  }

  /** An account assignment: a principal (USER or GROUP) has a permission set in an account. */
  public record Assignment(String accountId, String permissionSetArn, String principalType, String principalId) {}
}
