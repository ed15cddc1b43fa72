package io.airlock.inventory;

import io.airlock.inventory.Inventory.Account;
import io.airlock.inventory.Inventory.Assignment;
import io.airlock.inventory.Inventory.Group;
import io.airlock.inventory.Inventory.Membership;
import io.airlock.inventory.Inventory.User;
import java.util.List;
import java.util.Optional;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;

@Mapper
interface InventoryMapper {

  /** Locks the scan head row: one scan replaces the tables at a time, across nodes. */
  ScanSummary lockSummary();

  ScanSummary summary();

  void updateSummary(ScanSummary summary);

  void deleteAll(@Param("table") String table);

  /** Refreshes the database's statistics of the inventory tables. */
  void analyze();

  void insertAccount(Account a);

  void insertAccountTag(Inventory.AccountTag t);

  void insertUsers(@Param("rows") List<User> rows);

  void insertGroup(Group g);

  void insertMemberships(@Param("rows") List<Membership> rows);

  void insertPermissionSet(StoredPermissionSet p);

  void insertAssignments(@Param("rows") List<Assignment> rows);

  int deleteAssignment(Assignment a);

  /** What the inventory holds, counted. */
  Counts counts();

  record Counts(int accounts, int users, int groups, int memberships, int permissionSets, int assignments) {}

  List<String> accountIds();

  List<String> permissionSetArns();

  void deleteAssignmentsOfPair(InventoryChanges.Pair pair);

  void deleteMembershipsOfGroup(@Param("groupId") String groupId);

  void deletePermissionSet(@Param("arn") String arn);

  void deleteLeftovers();

  void deleteLeftoverMemberships();

  List<AccountRow> accounts();

  List<Inventory.AccountTag> accountTags(@Param("accountId") String accountId);

  List<User> users();

  List<Group> groups();

  List<Membership> memberships();

  List<StoredPermissionSet> permissionSets();

  List<Assignment> assignments(@Param("accountId") String accountId, @Param("principalId") String principalId,
      @Param("permissionSetArn") String permissionSetArn);

  Optional<AccountRow> findAccount(@Param("accountId") String accountId);

  /** An account row; its tags are in their own table. */
  record AccountRow(String accountId, String name, String email, String status, String ouPath) {

    Account with(List<Inventory.AccountTag> tags) {
      java.util.Map<String, String> map = new java.util.TreeMap<>();
      tags.forEach(t -> map.put(t.key(), t.value()));
      return new Account(accountId, name, email, status, ouPath, map);
    }
  }

  Optional<User> findUserByName(@Param("userName") String userName);

  Optional<StoredPermissionSet> findPermissionSetByName(@Param("name") String name);

  /** A permission set row: managed policy ARNs joined by newlines. */
  record StoredPermissionSet(String arn, String name, String description, String sessionDuration,
      String inlinePolicy, String managedPolicies, String requestId) {

    static StoredPermissionSet of(Inventory.PermissionSet p) {
      return new StoredPermissionSet(p.arn(), p.name(), p.description(), p.sessionDuration(), p.inlinePolicy(),
          String.join("\n", p.managedPolicies()), p.requestId());
    }

    Inventory.PermissionSet toPermissionSet() {
      return new Inventory.PermissionSet(arn, name, description, sessionDuration, inlinePolicy,
          managedPolicies == null || managedPolicies.isBlank() ? List.of() : List.of(managedPolicies.split("\n")),
          requestId);
    }
  }
}
