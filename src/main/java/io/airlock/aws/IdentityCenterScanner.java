package io.airlock.aws;

import io.airlock.config.AirlockProperties;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryChanges;
import io.airlock.inventory.InventoryScanSettings;
import io.airlock.inventory.InventorySource;
import io.airlock.request.AccessOperationException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
 * Reads the organization and Identity Center with the SDK's paginators: accounts with their OU
 * path and tags, users, groups and memberships, permission sets with their inline and managed
 * policies (and the tags that mark Airlock's crafted ones), and every account assignment.
 *
 * <p>It reads each thing once and the short way round, so an organization of thousands of
 * accounts costs close to the fewest calls that can read it (docs/benchmark.md, "Scanning a
 * large organization"):
 * <ul>
 *   <li>the OU tree from the root down (ListOrganizationalUnitsForParent, ListAccountsForParent):
 *       names and placement come with the lists, no ListParents per account;
 *   <li>the provisioned (account, permission set) pairs per permission set
 *       (ListAccountsForProvisionedPermissionSet) when there are fewer sets than accounts, else
 *       per account; then ListAccountAssignments per pair.
 * </ul>
 * The many independent calls (tags per account, memberships per group, policies per permission
 * set, assignments per pair) run {@code airlock.inventory.scan.threads} at a time. Each page is
 * one HTTP call: Identity Center's pass the clients' quota and, on top, the scan's own share of it
 * ({@code airlock.inventory.scan.calls-per-second}), so grants and revokes keep the rest of the
 * 20 calls a second while a scan runs for an hour.
 */
@Component
class IdentityCenterScanner implements InventorySource {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IdentityCenterScanner.class);

  static final String TAG_MANAGED = "airlock:managed";
  static final String TAG_REQUEST_ID = "airlock:request-id";

  private final SsoAdminClient ssoAdmin;
  private final IdentitystoreClient identityStore;
  private final OrganizationsClient organizations;
  private final IdentityCenterAdapter adapter;
  private final String craftPrefix;
  private final InventoryScanSettings settings;
  private final ChangeFeed feed;

  IdentityCenterScanner(SsoAdminClient ssoAdmin, IdentitystoreClient identityStore, OrganizationsClient organizations,
      IdentityCenterAdapter adapter, AirlockProperties properties, InventoryScanSettings settings, ChangeFeed feed) {
    this.feed = feed;
    this.ssoAdmin = ssoAdmin;
    this.identityStore = identityStore;
    this.organizations = organizations;
    this.adapter = adapter;
    this.craftPrefix = properties.craft().namePrefix();
    this.settings = settings;
  }

  @Override
  public Inventory scan() {
    return scan(() -> { });
  }

  @Override
  public Inventory scan(Runnable stillScanning) {
    try (Reads reads = new Reads(settings, stillScanning)) {
      String instanceArn = adapter.instance().instanceArn();
      String storeId = adapter.instance().identityStoreId();

      List<Placed> placed = organizationTree(reads);
      List<Map<String, String>> tags = reads.each(placed, p -> accountTags(reads, p.account().id()));
      List<Inventory.Account> accounts = new ArrayList<>();
      for (int i = 0; i < placed.size(); i++) {
        var a = placed.get(i).account();
        accounts.add(new Inventory.Account(a.id(), a.name(), a.email(), a.statusAsString(), placed.get(i).ouPath(),
            tags.get(i)));
      }

      List<Inventory.User> users = users(reads, storeId);
      List<Inventory.Group> groups = groups(reads, storeId);
      List<Inventory.Membership> memberships = reads.each(groups, g -> members(reads, storeId, g))
          .stream().flatMap(List::stream).toList();

      List<String> arns = permissionSetArns(reads, instanceArn);
      List<Inventory.PermissionSet> permissionSets = reads.each(arns, arn -> permissionSet(reads, instanceArn, arn));

      List<Pair> pairs = provisionedPairs(reads, instanceArn, arns, accounts);
      Set<Inventory.Assignment> assignments = new LinkedHashSet<>();
      reads.each(pairs, pair -> assignmentsOf(reads, instanceArn, pair)).forEach(assignments::addAll);
      return new Inventory(accounts, users, groups, memberships, List.copyOf(permissionSets),
          List.copyOf(assignments), reads.calls());
    } catch (SdkException e) {
      throw new AccessOperationException("AWS scan failed: " + e.getMessage(), e);
    }
  }

  /**
   * What the trail's write events since {@code since} name, read again: an assignment created or
   * deleted, the pair it is in; a permission set created, changed, tagged or deleted, the list of
   * sets and that set; anything in the identity store (its API, SCIM provisioning, the console's
   * directory), the users and groups and the members of the groups named (of every group when an
   * event names none, as DeleteGroupMembership names only the membership). The organization's tree
   * always (Organizations records its events in the management account, which a delegated
   * administrator's trail does not hold), and the tags of the accounts new to the inventory or
   * named by a tag change. Empty when the role may not read the trail.
   */
  @Override
  public Optional<InventoryChanges> changesSince(Instant since, InventoryChanges.Known known,
      Runnable stillScanning) {
    ChangeFeed.Read read;
    try {
      read = feed.since(since, stillScanning);
    } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
      if (!ChangeFeed.refused(e)) {
        // A throttle or an outage passes: this scan fails and the previous inventory stays; the
        // next one reads the trail again (and the daily full scan comes whatever happens).
        throw new AccessOperationException("CloudTrail's event history could not be read: " + e.getMessage(), e);
      }
      log.warn("CloudTrail's event history may not be read ({}): scanning everything instead; allow"
          + " cloudtrail:LookupEvents to the integration role", io.airlock.logging.LogSafe.of(e.getMessage()));
      return Optional.empty();
    } catch (SdkException e) {
      throw new AccessOperationException("CloudTrail's event history could not be read: " + e.getMessage(), e);
    }
    boolean identityStore = false;
    boolean everyGroup = false;
    boolean setList = false;
    Set<String> tagged = new HashSet<>();
    Set<String> groupsNamed = new HashSet<>();
    Set<String> setsNamed = new HashSet<>();
    Set<InventoryChanges.Pair> pairs = new LinkedHashSet<>();
    for (ChangeFeed.Change c : read.changes()) {
      switch (c.source()) {
        case "sso.amazonaws.com" -> {
          if ("CreateAccountAssignment".equals(c.name()) || "DeleteAccountAssignment".equals(c.name())) {
            if (c.request("targetId") != null && c.request("permissionSetArn") != null) {
              pairs.add(new InventoryChanges.Pair(c.request("targetId"), c.request("permissionSetArn")));
            }
            continue;
          }
          setList = true;
          Optional.ofNullable(c.request("permissionSetArn")).ifPresent(setsNamed::add);
          Optional.ofNullable(c.request("resourceArn")).filter(a -> a.contains(":permissionSet/"))
              .ifPresent(setsNamed::add);
          Optional.ofNullable(c.response() == null ? null : c.response().get("permissionSet"))
              .map(n -> ChangeFeed.Change.text(n, "permissionSetArn")).ifPresent(setsNamed::add);
        }
        case "identitystore.amazonaws.com" -> {
          identityStore = true;
          String group = c.request("groupId");
          if (group != null) {
            groupsNamed.add(group);
          } else if (c.name().contains("Membership")) {
            everyGroup = true;
          }
        }
        case "identitystore-scim.amazonaws.com", "sso-directory.amazonaws.com" -> {
          // SCIM hides its members (httpBody) and the console's directory calls name them its own
          // way: the group's members when it is named, else every group's.
          identityStore = true;
          String group = c.request("groupId");
          if (group != null) {
            groupsNamed.add(group);
          } else if (c.name().contains("Group") || c.name().contains("Member")) {
            everyGroup = true;
          }
        }
        case "organizations.amazonaws.com" -> Optional.ofNullable(c.request("resourceId")).ifPresent(tagged::add);
        default -> { }
      }
    }
    try (Reads reads = new Reads(settings, stillScanning)) {
      String instanceArn = adapter.instance().instanceArn();
      String storeId = adapter.instance().identityStoreId();
      List<Inventory.Account> accounts = null;
      Set<String> tagsRead = new HashSet<>();
      {
        // The tree every time (Organizations' own quota, not Identity Center's): with a delegated
        // administrator, the trail this role reads does not hold Organizations' events, which
        // AWS records in the management account; tags only of accounts new or named by a tag event.
        List<Placed> placed = organizationTree(reads);
        List<Placed> toTag = placed.stream().filter(p -> !known.accountIds().contains(p.account().id())
            || tagged.contains(p.account().id())).toList();
        List<Map<String, String>> tags = reads.each(toTag, p -> accountTags(reads, p.account().id()));
        Map<String, Map<String, String>> tagsOf = new HashMap<>();
        for (int i = 0; i < toTag.size(); i++) {
          tagsOf.put(toTag.get(i).account().id(), tags.get(i));
        }
        tagsRead = tagsOf.keySet();
        accounts = placed.stream().map(p -> new Inventory.Account(p.account().id(), p.account().name(),
            p.account().email(), p.account().statusAsString(), p.ouPath(), tagsOf.get(p.account().id()))).toList();
      }
      List<Inventory.User> users = null;
      List<Inventory.Group> groups = null;
      Map<String, List<Inventory.Membership>> memberships = new HashMap<>();
      if (identityStore) {
        users = users(reads, storeId);
        groups = groups(reads, storeId);
        List<Inventory.Group> toRead = everyGroup ? groups
            : groups.stream().filter(g -> groupsNamed.contains(g.groupId())).toList();
        List<List<Inventory.Membership>> members = reads.each(toRead, g -> members(reads, storeId, g));
        for (int i = 0; i < toRead.size(); i++) {
          memberships.put(toRead.get(i).groupId(), members.get(i));
        }
      }
      List<String> arns = null;
      List<Inventory.PermissionSet> sets = List.of();
      if (setList) {
        arns = permissionSetArns(reads, instanceArn);
        List<String> toRead = arns.stream().filter(a -> setsNamed.contains(a)
            || !known.permissionSetArns().contains(a)).toList();
        sets = reads.each(toRead, arn -> permissionSet(reads, instanceArn, arn));
      }
      Set<String> setsNow = arns == null ? null : Set.copyOf(arns);
      List<InventoryChanges.Pair> toRead = pairs.stream()
          .filter(p -> setsNow == null || setsNow.contains(p.permissionSetArn())).toList();
      List<List<Inventory.Assignment>> found = reads.each(toRead, p -> assignmentsOrNone(reads, instanceArn,
          new Pair(p.accountId(), p.permissionSetArn())));
      Map<InventoryChanges.Pair, List<Inventory.Assignment>> assignments = new HashMap<>();
      pairs.forEach(p -> assignments.put(p, List.of())); // a set deleted since holds none
      for (int i = 0; i < toRead.size(); i++) {
        assignments.put(toRead.get(i), found.get(i));
      }
      return Optional.of(new InventoryChanges(read.changes().size(), accounts, tagsRead, users, groups,
          memberships, arns, sets, assignments, read.calls() + reads.calls()));
    } catch (SdkException e) {
      throw new AccessOperationException("AWS incremental scan failed: " + e.getMessage(), e);
    }
  }

  /** An account of the organization and the names of the OUs above it, joined by "/". */
  private record Placed(software.amazon.awssdk.services.organizations.model.Account account, String ouPath) {}

  /** A permission set provisioned to an account: where assignments can be. */
  private record Pair(String accountId, String permissionSetArn) {}

  /**
   * The organization from the root down, breadth first: per parent its OUs (with their names)
   * and its accounts. Sorted by account id, as ListAccounts would not promise either.
   */
  private List<Placed> organizationTree(Reads reads) {
    List<Placed> placed = new ArrayList<>();
    Deque<String[]> parents = new ArrayDeque<>(); // id, path
    reads.organizations(organizations.listRootsPaginator(r -> { })).stream()
        .flatMap(p -> p.roots().stream()).forEach(root -> parents.add(new String[] {root.id(), ""}));
    while (!parents.isEmpty()) {
      String[] parent = parents.poll();
      reads.organizations(organizations.listOrganizationalUnitsForParentPaginator(r -> r.parentId(parent[0])))
          .stream().flatMap(p -> p.organizationalUnits().stream())
          .forEach(ou -> parents.add(new String[] {ou.id(),
              parent[1].isEmpty() ? ou.name() : parent[1] + "/" + ou.name()}));
      reads.organizations(organizations.listAccountsForParentPaginator(r -> r.parentId(parent[0])))
          .stream().flatMap(p -> p.accounts().stream())
          .forEach(a -> placed.add(new Placed(a, parent[1])));
    }
    placed.sort(Comparator.comparing(p -> p.account().id()));
    return placed;
  }

  private List<Inventory.User> users(Reads reads, String storeId) {
    return reads.identityCenter(identityStore.listUsersPaginator(r -> r.identityStoreId(storeId)))
        .stream().flatMap(p -> p.users().stream())
        .map(u -> new Inventory.User(u.userId(), u.userName(), u.displayName(), primaryEmail(u.emails())))
        .toList();
  }

  private List<Inventory.Group> groups(Reads reads, String storeId) {
    return reads.identityCenter(identityStore.listGroupsPaginator(r -> r.identityStoreId(storeId)))
        .stream().flatMap(p -> p.groups().stream())
        .map(g -> new Inventory.Group(g.groupId(), g.displayName(), g.description()))
        .toList();
  }

  private List<Inventory.Membership> members(Reads reads, String storeId, Inventory.Group g) {
    return reads.identityCenter(identityStore
            .listGroupMembershipsPaginator(r -> r.identityStoreId(storeId).groupId(g.groupId())))
        .stream().flatMap(p -> p.groupMemberships().stream())
        .filter(m -> m.memberId() != null && m.memberId().userId() != null)
        .map(m -> new Inventory.Membership(g.groupId(), m.memberId().userId()))
        .toList();
  }

  private List<String> permissionSetArns(Reads reads, String instanceArn) {
    return reads.identityCenter(ssoAdmin.listPermissionSetsPaginator(r -> r.instanceArn(instanceArn)))
        .stream().flatMap(p -> p.permissionSets().stream()).toList();
  }

  /**
   * The pair's assignments; none when AWS no longer knows the permission set or the account (a
   * deletion whose event the trail has not shown yet): a full scan would not list the pair either.
   */
  private List<Inventory.Assignment> assignmentsOrNone(Reads reads, String instanceArn, Pair pair) {
    try {
      return assignmentsOf(reads, instanceArn, pair);
    } catch (software.amazon.awssdk.services.ssoadmin.model.ResourceNotFoundException e) {
      return List.of();
    }
  }

  private List<Inventory.Assignment> assignmentsOf(Reads reads, String instanceArn, Pair pair) {
    return reads.identityCenter(ssoAdmin.listAccountAssignmentsPaginator(r -> r
            .instanceArn(instanceArn).accountId(pair.accountId()).permissionSetArn(pair.permissionSetArn())))
        .stream().flatMap(p -> p.accountAssignments().stream())
        .map(a -> new Inventory.Assignment(a.accountId(), a.permissionSetArn(), a.principalTypeAsString(),
            a.principalId()))
        .toList();
  }

  private Map<String, String> accountTags(Reads reads, String accountId) {
    return reads.organizations(organizations.listTagsForResourcePaginator(r -> r.resourceId(accountId))).stream()
        .flatMap(p -> p.tags().stream())
        .collect(Collectors.toMap(t -> t.key(), t -> t.value(), (a, b) -> b, TreeMap::new));
  }

  private Inventory.PermissionSet permissionSet(Reads reads, String instanceArn, String arn) {
    var ps = reads.identityCenter(() -> ssoAdmin.describePermissionSet(r -> r.instanceArn(instanceArn)
        .permissionSetArn(arn)).permissionSet());
    String inline = reads.identityCenter(() -> ssoAdmin.getInlinePolicyForPermissionSet(r -> r
        .instanceArn(instanceArn).permissionSetArn(arn)).inlinePolicy());
    List<String> managed = reads.identityCenter(ssoAdmin.listManagedPoliciesInPermissionSetPaginator(r -> r
            .instanceArn(instanceArn).permissionSetArn(arn)))
        .stream().flatMap(p -> p.attachedManagedPolicies().stream()).map(m -> m.arn()).toList();
    String requestId = null;
    if (ps.name().startsWith(craftPrefix)) {
      // Only names with Airlock's prefix can be Airlock's: the tags say for sure.
      Map<String, String> tags = reads.identityCenter(ssoAdmin.listTagsForResourcePaginator(r -> r
              .instanceArn(instanceArn).resourceArn(arn)))
          .stream().flatMap(p -> p.tags().stream()).collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
      if ("true".equals(tags.get(TAG_MANAGED))) {
        requestId = tags.get(TAG_REQUEST_ID);
      }
    }
    return new Inventory.PermissionSet(arn, ps.name(), ps.description(), ps.sessionDuration(),
        inline == null || inline.isBlank() ? null : inline, managed, requestId);
  }

  /**
   * Where assignments can be: only a permission set provisioned to an account can be assigned
   * there. Listed per permission set when there are no more sets than accounts (the usual
   * organization: hundreds of sets, thousands of accounts), else per account; either lists
   * every pair once, in account order.
   */
  private List<Pair> provisionedPairs(Reads reads, String instanceArn, List<String> arns,
      List<Inventory.Account> accounts) {
    Set<String> known = accounts.stream().map(Inventory.Account::accountId).collect(Collectors.toSet());
    List<Pair> pairs = new ArrayList<>();
    if (arns.size() <= accounts.size()) {
      List<List<String>> accountsOf = reads.each(arns, arn -> reads.identityCenter(ssoAdmin
              .listAccountsForProvisionedPermissionSetPaginator(r -> r.instanceArn(instanceArn).permissionSetArn(arn)))
          .stream().flatMap(p -> p.accountIds().stream()).toList());
      Map<String, List<String>> setsOf = new HashMap<>();
      for (int i = 0; i < arns.size(); i++) {
        for (String account : accountsOf.get(i)) {
          setsOf.computeIfAbsent(account, k -> new ArrayList<>()).add(arns.get(i));
        }
      }
      // accounts outside the organization's tree (closed since) are not read, as per account
      setsOf.keySet().retainAll(known);
      accounts.forEach(a -> setsOf.getOrDefault(a.accountId(), List.of())
          .forEach(arn -> pairs.add(new Pair(a.accountId(), arn))));
    } else {
      List<List<String>> setsOf = reads.each(accounts, a -> reads.identityCenter(ssoAdmin
              .listPermissionSetsProvisionedToAccountPaginator(r -> r.instanceArn(instanceArn)
                  .accountId(a.accountId())))
          .stream().flatMap(p -> p.permissionSets().stream()).toList());
      for (int i = 0; i < accounts.size(); i++) {
        for (String arn : setsOf.get(i)) {
          pairs.add(new Pair(accounts.get(i).accountId(), arn));
        }
      }
    }
    return pairs;
  }

  @Override
  public Optional<Inventory.Account> describeAccount(String accountId) {
    try {
      var a = organizations.describeAccount(r -> r.accountId(accountId)).account();
      return Optional.of(new Inventory.Account(a.id(), a.name(), a.email(), a.statusAsString(), ouPath(a.id()),
          tags(a.id())));
    } catch (software.amazon.awssdk.services.organizations.model.AccountNotFoundException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw new AccessOperationException("AWS DescribeAccount of " + accountId + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * One account's OU path, read upwards (for an account created since the last scan): the
   * names of the OUs from the root down to the account, joined by "/" (empty under the root).
   * ListParents up to the root; each OU's name from its parent's list of OUs, as the scan reads
   * them (so the role needs no DescribeOrganizationalUnit).
   */
  private String ouPath(String accountId) {
    List<String> chain = new ArrayList<>(); // the account's OU, its parent OU, ..., the root
    String child = accountId;
    for (int depth = 0; depth < 6; depth++) { // Organizations nests OUs at most five deep
      String c = child;
      var parent = organizations.listParentsPaginator(r -> r.childId(c)).stream()
          .flatMap(p -> p.parents().stream()).findFirst().orElse(null);
      if (parent == null) {
        break;
      }
      chain.add(parent.id());
      if (!"ORGANIZATIONAL_UNIT".equals(parent.typeAsString())) {
        break;
      }
      child = parent.id();
    }
    Deque<String> names = new ArrayDeque<>();
    for (int i = 0; i + 1 < chain.size(); i++) {
      String ou = chain.get(i);
      String above = chain.get(i + 1);
      names.addFirst(organizations.listOrganizationalUnitsForParentPaginator(r -> r.parentId(above)).stream()
          .flatMap(p -> p.organizationalUnits().stream()).filter(o -> o.id().equals(ou)).findFirst()
          .map(o -> o.name()).orElse(ou));
    }
    return String.join("/", names);
  }

  private Map<String, String> tags(String accountId) {
    return organizations.listTagsForResourcePaginator(r -> r.resourceId(accountId)).stream()
        .flatMap(p -> p.tags().stream())
        .collect(Collectors.toMap(t -> t.key(), t -> t.value(), (a, b) -> b, TreeMap::new));
  }

  private static String primaryEmail(List<Email> emails) {
    if (emails == null || emails.isEmpty()) {
      return null;
    }
    return emails.stream().filter(e -> Boolean.TRUE.equals(e.primary())).findFirst().orElse(emails.get(0)).value();
  }

  /**
   * One scan's reading: counts every page, holds Identity Center pages to the scan's share of
   * the quota, runs independent reads on the scan's threads, and tells the caller it is still
   * scanning (the schedule extends its cluster lock) while it waits for them.
   */
  private static final class Reads implements AutoCloseable {

    private final AtomicInteger calls = new AtomicInteger();
    private final ExecutorService pool;
    private final Share share;
    private final Runnable stillScanning;
    private final Thread caller = Thread.currentThread();
    private long lastSaid = System.nanoTime();

    Reads(InventoryScanSettings settings, Runnable stillScanning) {
      this.pool = Executors.newFixedThreadPool(settings.threads(), r -> {
        Thread t = new Thread(r, "airlock-inventory-scan");
        t.setDaemon(true);
        return t;
      });
      this.share = settings.callsPerSecond() == 0 ? null : new Share(settings.callsPerSecond());
      this.stillScanning = stillScanning;
    }

    int calls() {
      return calls.get();
    }

    /** The pages of an Identity Center list, each within the scan's share of the quota. */
    <T> List<T> identityCenter(SdkIterable<T> pages) {
      return pages(pages, share);
    }

    /** One Identity Center call within the scan's share of the quota. */
    <T> T identityCenter(java.util.function.Supplier<T> call) {
      calls.incrementAndGet();
      if (share == null) {
        return call.get();
      }
      share.take();
      try {
        return call.get();
      } finally {
        share.giveBackLater();
      }
    }

    /** The pages of an Organizations list (a quota of its own, not Identity Center's). */
    <T> List<T> organizations(SdkIterable<T> pages) {
      return pages(pages, null);
    }

    private <T> List<T> pages(SdkIterable<T> pages, Share limit) {
      List<T> all = new ArrayList<>();
      Iterator<T> it = pages.iterator();
      // hasNext() asks nothing of AWS; next() sends the page's call
      while (it.hasNext()) {
        sayStillScanning();
        calls.incrementAndGet();
        if (limit == null) {
          all.add(it.next());
          continue;
        }
        limit.take();
        try {
          all.add(it.next());
        } finally {
          limit.giveBackLater();
        }
      }
      return all;
    }

    /** {@code read} of every item on the scan's threads; the results in the items' order. */
    <T, R> List<R> each(List<T> items, Function<T, R> read) {
      List<Future<R>> futures = new ArrayList<>(items.size());
      for (T item : items) {
        futures.add(pool.submit(() -> read.apply(item)));
      }
      List<R> results = new ArrayList<>(items.size());
      try {
        for (Future<R> f : futures) {
          results.add(await(f));
        }
      } finally {
        futures.forEach(f -> f.cancel(true));
      }
      return results;
    }

    private <R> R await(Future<R> f) {
      while (true) {
        try {
          R result = f.get(30, TimeUnit.SECONDS);
          sayStillScanning();
          return result;
        } catch (TimeoutException e) {
          sayStillScanning();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AccessOperationException("The scan was interrupted", e);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new AccessOperationException("The scan failed: " + e.getCause(), e.getCause());
        }
      }
    }

    /** On the caller's thread, once a minute: the scan is still running. */
    private void sayStillScanning() {
      long now = System.nanoTime();
      if (Thread.currentThread() == caller && now - lastSaid > TimeUnit.MINUTES.toNanos(1)) {
        lastSaid = now;
        stillScanning.run();
      }
    }

    @Override
    public void close() {
      pool.shutdownNow();
      if (share != null) {
        share.close();
      }
    }
  }

  /**
   * The scan's share of the quota, counted as the quota counts ({@link IdentityCenterQuota}): a
   * slot from sending a call until a second after its answer, so no one-second window at AWS sees
   * more of the scan's calls than it has slots.
   */
  private static final class Share implements AutoCloseable {

    private final Semaphore slots;
    private final ScheduledExecutorService releases = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "airlock-inventory-scan-share");
      t.setDaemon(true);
      return t;
    });

    Share(int perSecond) {
      this.slots = new Semaphore(perSecond, true);
    }

    void take() {
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AccessOperationException("The scan was interrupted", e);
      }
    }

    void giveBackLater() {
      releases.schedule(() -> slots.release(), 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      releases.shutdownNow();
    }
  }
}
