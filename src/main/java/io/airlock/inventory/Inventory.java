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

  public record Account(String accountId, String name, String email, String status) {}

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
