package io.airlock.aws;

import io.airlock.config.AirlockProperties;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventorySource;
import io.airlock.request.AccessOperationException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.pagination.sync.SdkIterable;
import software.amazon.awssdk.services.identitystore.IdentitystoreClient;
import software.amazon.awssdk.services.identitystore.model.Email;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import software.amazon.awssdk.services.ssoadmin.model.Tag;

/**
 * Reads the organization and Identity Center with the SDK's paginators: accounts, users,
 * groups and memberships, permission sets with their inline and managed policies (and the
 * tags that mark Airlock's crafted ones), and every account assignment. Each page is one HTTP
 * call and passes the clients' quota, so a scan never pushes Airlock over 20 calls a second.
 */
@Component
class IdentityCenterScanner implements InventorySource {

  static final String TAG_MANAGED = "airlock:managed";
  static final String TAG_REQUEST_ID = "airlock:request-id";

  private final SsoAdminClient ssoAdmin;
  private final IdentitystoreClient identityStore;
  private final OrganizationsClient organizations;
  private final IdentityCenterAdapter adapter;
  private final String craftPrefix;

  IdentityCenterScanner(SsoAdminClient ssoAdmin, IdentitystoreClient identityStore, OrganizationsClient organizations,
      IdentityCenterAdapter adapter, AirlockProperties properties) {
    this.ssoAdmin = ssoAdmin;
    this.identityStore = identityStore;
    this.organizations = organizations;
    this.adapter = adapter;
    this.craftPrefix = properties.craft().namePrefix();
  }

  @Override
  public Inventory scan() {
    AtomicInteger calls = new AtomicInteger();
    try {
      String instanceArn = adapter.instance().instanceArn();
      String storeId = adapter.instance().identityStoreId();

      Map<String, String> ouNames = new java.util.HashMap<>();
      List<Inventory.Account> accounts = new ArrayList<>();
      for (var a : counted(calls, organizations.listAccountsPaginator(r -> {})).stream()
          .flatMap(p -> p.accounts().stream()).toList()) {
        accounts.add(new Inventory.Account(a.id(), a.name(), a.email(), a.statusAsString(),
            ouPath(a.id(), ouNames, calls), tags(a.id(), calls)));
      }

      List<Inventory.User> users = counted(calls, identityStore.listUsersPaginator(r -> r.identityStoreId(storeId)))
          .stream().flatMap(p -> p.users().stream())
          .map(u -> new Inventory.User(u.userId(), u.userName(), u.displayName(), primaryEmail(u.emails())))
          .toList();

      List<Inventory.Group> groups = counted(calls, identityStore.listGroupsPaginator(r -> r.identityStoreId(storeId)))
          .stream().flatMap(p -> p.groups().stream())
          .map(g -> new Inventory.Group(g.groupId(), g.displayName(), g.description()))
          .toList();

      List<Inventory.Membership> memberships = new ArrayList<>();
      for (Inventory.Group g : groups) {
        counted(calls, identityStore.listGroupMembershipsPaginator(r -> r.identityStoreId(storeId).groupId(g.groupId())))
            .stream().flatMap(p -> p.groupMemberships().stream())
            .filter(m -> m.memberId() != null && m.memberId().userId() != null)
            .forEach(m -> memberships.add(new Inventory.Membership(g.groupId(), m.memberId().userId())));
      }

      List<Inventory.PermissionSet> permissionSets = new ArrayList<>();
      List<String> arns = counted(calls, ssoAdmin.listPermissionSetsPaginator(r -> r.instanceArn(instanceArn)))
          .stream().flatMap(p -> p.permissionSets().stream()).toList();
      for (String arn : arns) {
        calls.incrementAndGet();
        var ps = ssoAdmin.describePermissionSet(r -> r.instanceArn(instanceArn).permissionSetArn(arn)).permissionSet();
        calls.incrementAndGet();
        String inline = ssoAdmin.getInlinePolicyForPermissionSet(r -> r.instanceArn(instanceArn).permissionSetArn(arn))
            .inlinePolicy();
        List<String> managed = counted(calls, ssoAdmin.listManagedPoliciesInPermissionSetPaginator(r -> r
                .instanceArn(instanceArn).permissionSetArn(arn)))
            .stream().flatMap(p -> p.attachedManagedPolicies().stream()).map(m -> m.arn()).toList();
        String requestId = null;
        if (ps.name().startsWith(craftPrefix)) {
          // Only names with Airlock's prefix can be Airlock's: the tags say for sure.
          Map<String, String> tags = counted(calls, ssoAdmin.listTagsForResourcePaginator(r -> r
                  .instanceArn(instanceArn).resourceArn(arn)))
              .stream().flatMap(p -> p.tags().stream()).collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
          if ("true".equals(tags.get(TAG_MANAGED))) {
            requestId = tags.get(TAG_REQUEST_ID);
          }
        }
        permissionSets.add(new Inventory.PermissionSet(arn, ps.name(), ps.description(), ps.sessionDuration(),
            inline == null || inline.isBlank() ? null : inline, managed, requestId));
      }

      // Assignments: per account, only the permission sets provisioned there can be assigned.
      Set<Inventory.Assignment> assignments = new LinkedHashSet<>();
      for (Inventory.Account account : accounts) {
        List<String> provisioned = counted(calls, ssoAdmin.listPermissionSetsProvisionedToAccountPaginator(r -> r
                .instanceArn(instanceArn).accountId(account.accountId())))
            .stream().flatMap(p -> p.permissionSets().stream()).toList();
        for (String arn : provisioned) {
          counted(calls, ssoAdmin.listAccountAssignmentsPaginator(r -> r.instanceArn(instanceArn)
                  .accountId(account.accountId()).permissionSetArn(arn)))
              .stream().flatMap(p -> p.accountAssignments().stream())
              .forEach(a -> assignments.add(new Inventory.Assignment(a.accountId(), a.permissionSetArn(),
                  a.principalTypeAsString(), a.principalId())));
        }
      }
      return new Inventory(accounts, users, groups, List.copyOf(memberships), List.copyOf(permissionSets),
          List.copyOf(assignments), calls.get());
    } catch (SdkException e) {
      throw new AccessOperationException("AWS scan failed after " + calls.get() + " calls: " + e.getMessage(), e);
    }
  }

  @Override
  public java.util.Optional<Inventory.Account> describeAccount(String accountId) {
    AtomicInteger calls = new AtomicInteger();
    try {
      var a = organizations.describeAccount(r -> r.accountId(accountId)).account();
      return java.util.Optional.of(new Inventory.Account(a.id(), a.name(), a.email(), a.statusAsString(),
          ouPath(a.id(), new java.util.HashMap<>(), calls), tags(a.id(), calls)));
    } catch (software.amazon.awssdk.services.organizations.model.AccountNotFoundException e) {
      return java.util.Optional.empty();
    } catch (SdkException e) {
      throw new AccessOperationException("AWS DescribeAccount of " + accountId + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The names of the OUs from the root down to the account, joined by "/" (empty under the
   * root): ListParents up to the root, one DescribeOrganizationalUnit per OU not seen before.
   */
  private String ouPath(String accountId, Map<String, String> ouNames, AtomicInteger calls) {
    java.util.Deque<String> names = new java.util.ArrayDeque<>();
    String child = accountId;
    for (int depth = 0; depth < 6; depth++) { // Organizations nests OUs at most five deep
      String c = child;
      var parent = counted(calls, organizations.listParentsPaginator(r -> r.childId(c))).stream()
          .flatMap(p -> p.parents().stream()).findFirst().orElse(null);
      if (parent == null || !"ORGANIZATIONAL_UNIT".equals(parent.typeAsString())) {
        break;
      }
      String name = ouNames.computeIfAbsent(parent.id(), id -> {
        calls.incrementAndGet();
        return organizations.describeOrganizationalUnit(r -> r.organizationalUnitId(id)).organizationalUnit().name();
      });
      names.addFirst(name);
      child = parent.id();
    }
    return String.join("/", names);
  }

  private Map<String, String> tags(String accountId, AtomicInteger calls) {
    return counted(calls, organizations.listTagsForResourcePaginator(r -> r.resourceId(accountId))).stream()
        .flatMap(p -> p.tags().stream())
        .collect(Collectors.toMap(t -> t.key(), t -> t.value(), (a, b) -> b, java.util.TreeMap::new));
  }

  /** Iterates the pages once, counting each page as one call. */
  private static <T> List<T> counted(AtomicInteger calls, SdkIterable<T> pages) {
    List<T> all = new ArrayList<>();
    for (T page : pages) {
      calls.incrementAndGet();
      all.add(page);
    }
    return all;
  }

  private static String primaryEmail(List<Email> emails) {
    if (emails == null || emails.isEmpty()) {
      return null;
    }
    return emails.stream().filter(e -> Boolean.TRUE.equals(e.primary())).findFirst().orElse(emails.get(0)).value();
  }
}
