package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.explorer.Explorer;
import io.airlock.explorer.PermissionMapping;
import io.airlock.inventory.InventoryService;
import io.airlock.inventory.ScanSummary;
import io.airlock.request.Caller;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.OrganizationScale;
import io.airlock.sandbox.SandboxSettings;
import io.airlock.sandbox.SandboxState;
import io.airlock.support.Benchmarks;
import io.airlock.support.PostgresTestConfiguration;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import software.amazon.awssdk.services.ssoadmin.SsoAdminClient;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Scanning an organization of thousands of accounts (issue 25 item 4). A benchmark, not a test:
 * it prints figures and asserts only that the inventory holds the whole organization
 * ({@code mvn -B -ntp -Pbenchmark -Dtest=OrganizationScanBenchmark verify}, docs/benchmark.md,
 * "Scanning a large organization").
 *
 * <p>The emulator seeds {@code benchmark.fraction} of the organization
 * ({@link OrganizationScale#LARGEST}: 10,000 accounts in nested OUs, 50,000 users, 2,000 groups,
 * 500 permission sets, 200,000 assignments; default 0.1, {@code -Dbenchmark.fraction=1} for all
 * of it). AWS's quota is lifted in the emulator and in Airlock, so the scan's time is Airlock's
 * own cost; the time under the quota follows from the Identity Center calls and the share of
 * the quota scans may use ({@code airlock.inventory.scan.calls-per-second}).
 *
 * <p>Figures: the calls the scan made, by operation, against the fewest calls that could read
 * the same state ({@link LowerBound}); the scan's time; the emulator's seeding time and heap; the
 * explorer's answer times (p50 / p95) for what an auditor asks: one user, one group, one account,
 * one permission set, with all mappings in the inventory.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0S",
    "airlock.aws.sandbox.max-calls-per-second=1000000",
    "airlock.aws.sandbox.max-creations-in-flight=1000000",
    "airlock.aws.calls-per-second=1000000",
    "airlock.inventory.scan.calls-per-second=0",
    "airlock.reconciler.scheduled=false",
    "airlock.inventory.scheduled=false",
    "airlock.drift.cron=0 0 0 1 1 ?",
    "airlock.audit.shipping.enabled=false",
    "airlock.aws.sandbox.demo-activity=false"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrganizationScanBenchmark {

  static final double FRACTION = Double.parseDouble(System.getProperty("benchmark.fraction", "0.1"));
  static final OrganizationScale SCALE = OrganizationScale.LARGEST.scaled(FRACTION);
  /** The share of AWS's 20 Identity Center calls a second the scan may use, for the estimate. */
  static final int SCAN_SHARE = Integer.getInteger("benchmark.scan-share", 10);
  static final int QUERIES = Integer.getInteger("benchmark.queries", 40);
  /** A first scan to warm the JIT and the pools, not measured (off: -Dbenchmark.warm-up=false). */
  static final boolean WARM_UP = !"false".equals(System.getProperty("benchmark.warm-up"));

  @DynamicPropertySource
  static void organization(DynamicPropertyRegistry registry) {
    registry.add("airlock.aws.sandbox.organization.accounts", SCALE::accounts);
    registry.add("airlock.aws.sandbox.organization.users", SCALE::users);
    registry.add("airlock.aws.sandbox.organization.groups", SCALE::groups);
    registry.add("airlock.aws.sandbox.organization.permission-sets", SCALE::permissionSets);
    registry.add("airlock.aws.sandbox.organization.assignments", SCALE::assignments);
  }

  @Autowired AwsSandbox sandbox;
  @Autowired InventoryService inventory;
  @Autowired Explorer explorer;
  @Autowired Environment env;

  final StringBuilder report = new StringBuilder();

  @Test
  void scanTheOrganization() throws Exception {
    SandboxState state = sandbox.state();
    Map<String, Long> bound = LowerBound.of(state);

    // ---- the emulator: seeding time and heap, on a second emulator of the same organization ----
    long heapBefore = heapAfterGc();
    long t0 = System.nanoTime();
    long seededHeap;
    try (AwsSandbox second = AwsSandbox.start(new SandboxSettings(0, Duration.ZERO, 1_000_000, 1_000_000, "x")
        .withOrganization(SCALE))) {
      long seedNanos = System.nanoTime() - t0;
      seededHeap = heapAfterGc() - heapBefore;
      line("Seeding the emulator: %s accounts, %s users, %s groups, %s permission sets, %s assignments in %s s,"
              + " %s MiB of heap", n(SCALE.accounts()), n(SCALE.users()), n(SCALE.groups()),
          n(SCALE.permissionSets()), n(SCALE.assignments()), s(seedNanos), mib(seededHeap));
      assertThat(second.state().assignments()).hasSize(SCALE.assignments());
    }

    // ---- the scan, with the quota lifted: Airlock's own cost ----
    if (WARM_UP) {
      inventory.scan("benchmark-warm-up"); // the instance look-up, JIT, connection pool
    }
    state.resetCounters();
    long heapBeforeScan = heapAfterGc();
    t0 = System.nanoTime();
    ScanSummary summary = inventory.scan("benchmark");
    long scanNanos = System.nanoTime() - t0;
    long heapAfterScan = heapAfterGc();
    Map<String, Long> calls = new LinkedHashMap<>(state.callCounts());
    assertThat(summary.accounts()).isEqualTo(state.accounts().size());
    assertThat(summary.assignments()).isEqualTo(state.assignments().size());
    assertThat(summary.users()).isEqualTo(state.users().size());

    Map<String, Long> byPhase = LowerBound.phases(calls);
    long made = byPhase.values().stream().mapToLong(Long::longValue).sum();
    long least = bound.values().stream().mapToLong(Long::longValue).sum();
    long identityCenterMade = made - byPhase.get(LowerBound.ORGANIZATION) - byPhase.get(LowerBound.TAGS);
    long identityCenterLeast = least - bound.get(LowerBound.ORGANIZATION) - bound.get(LowerBound.TAGS);

    report.append("# Organization scan benchmark\n\n");
    line("%s, fraction %s of the largest organization; scan threads %s; warm-up scan %s; %d cores",
        Instant.now(), FRACTION, env.getProperty("airlock.inventory.scan.threads", "(default)"), WARM_UP,
        Runtime.getRuntime().availableProcessors());
    report.append("\n| what is read | calls made | lower bound | made ÷ bound |\n|---|---|---|---|\n");
    bound.forEach((phase, b) -> report.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f |%n", phase,
        n(byPhase.get(phase)), n(b), (double) byPhase.get(phase) / b)));
    report.append(String.format(Locale.ROOT, "| **all** | **%s** | **%s** | **%.3f** |%n", n(made), n(least),
        (double) made / least));
    report.append(String.format(Locale.ROOT, "| of which Identity Center (the 20/s quota) | %s | %s | %.3f |%n%n",
        n(identityCenterMade), n(identityCenterLeast), (double) identityCenterMade / identityCenterLeast));
    line("Calls by operation: %s", calls);
    line("Assignments per user and group instead (ListAccountAssignmentsForPrincipal, not in the bound): %s calls"
        + " against %s", n(LowerBound.perPrincipal(state)), n(bound.get(LowerBound.ASSIGNMENTS)));
    line("Scan with the quota lifted (Airlock's own cost): %s s, %s calls a second; inventory %s accounts,"
            + " %s assignments", s(scanNanos), String.format(Locale.ROOT, "%.0f", made / (scanNanos / 1e9)),
        n(summary.accounts()), n(summary.assignments()));
    line("Under the quota, at %d of the 20 Identity Center calls a second: %s Identity Center calls take at"
            + " least %s", SCAN_SHARE, n(identityCenterMade), hms(identityCenterMade / (double) SCAN_SHARE));
    line("Heap used after GC: %s MiB before the scan, %s MiB after (emulator included; the seeded emulator"
        + " alone: %s MiB)", mib(heapBeforeScan), mib(heapAfterScan), mib(seededHeap));

    // ---- the explorer, on every mapping ----
    explorerQueries(state);

    // ---- an incremental scan after a day's worth of changes ----
    incrementalScan(state);

    Benchmarks.publish(report, "organization-scan-report.md");
  }

  /** Assignments changed through the API (so CloudTrail records them) before the incremental scan. */
  static final int CHANGES = Integer.getInteger("benchmark.changes", 500);

  /**
   * {@link #CHANGES} user assignments deleted through the API, as grants and revokes and
   * out-of-band changes would in a day, then the schedule's scan: it reads the trail and only the
   * pairs named there. Its bound: the trail's pages (50 events a page) and one
   * ListAccountAssignments per pair named.
   */
  private void incrementalScan(SandboxState state) {
    List<SandboxState.Assignment> all = state.assignments().stream()
        .filter(a -> "USER".equals(a.principalType())).toList();
    int stride = Math.max(1, all.size() / CHANGES); // spread over the organization, as a day's changes are
    List<SandboxState.Assignment> users = java.util.stream.IntStream.range(0, Math.min(CHANGES, all.size()))
        .mapToObj(i -> all.get(i * stride)).toList();
    try (SsoAdminClient sso = io.airlock.support.SandboxSso.client(sandbox)) {
      for (SandboxState.Assignment a : users) {
        sso.deleteAccountAssignment(r -> r.instanceArn(io.airlock.sandbox.DemoOrganization.INSTANCE_ARN)
            .targetId(a.accountId()).targetType("AWS_ACCOUNT").permissionSetArn(a.permissionSetArn())
            .principalType(a.principalType()).principalId(a.principalId()));
      }
    }
    int expected = state.assignments().size();
    long pairs = users.stream().map(a -> a.accountId() + " " + a.permissionSetArn()).distinct().count();
    state.resetCounters();
    long t0 = System.nanoTime();
    ScanSummary incremental = inventory.refresh("benchmark-incremental", () -> { });
    long nanos = System.nanoTime() - t0;
    assertThat(incremental.kind()).isEqualTo(ScanSummary.INCREMENTAL);
    assertThat(incremental.assignments()).isEqualTo(expected);
    Map<String, Long> calls = new LinkedHashMap<>(state.callCounts());
    long least = (long) Math.max(1, Math.ceil(users.size() / 50.0)) + pairs;
    long identityCenter = calls.getOrDefault("ListAccountAssignments", 0L);
    long tree = calls.entrySet().stream().filter(e -> LowerBound.TREE_OPERATIONS.contains(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
    line("Incremental scan after %s assignments deleted through the API (%s pairs): %s trail events read, %s calls"
            + " (%s): %s of the trail and Identity Center against a bound of %s, and %s of Organizations for the"
            + " tree (read every time); %s s with the quota lifted; under the quota (the trail at CloudTrail's 2 calls"
            + " a second, then the pairs at %d Identity Center calls a second): at least %s",
        n(users.size()), n(pairs), n(incremental.changesRead()), n(incremental.awsCalls()), calls,
        n(incremental.awsCalls() - tree), n(least), n(tree), s(nanos), SCAN_SHARE,
        hms(calls.getOrDefault("LookupEvents", 0L) / 2.0 + identityCenter / (double) SCAN_SHARE));
  }

  private void explorerQueries(SandboxState state) {
    Caller auditor = new Caller("carol", List.of("airlock-auditors"));
    List<SandboxState.Assignment> all = state.assignments();
    Map<String, String> userNames = new HashMap<>();
    state.users().forEach(u -> userNames.put(u.userId(), u.userName()));
    Map<String, String> groupNames = new HashMap<>();
    state.groups().forEach(g -> groupNames.put(g.groupId(), g.displayName()));
    Map<String, String> setNames = new HashMap<>();
    state.permissionSets().forEach(p -> setNames.put(p.arn(), p.name()));
    Map<String, Function<SandboxState.Assignment, Explorer.Query>> kinds = new LinkedHashMap<>();
    kinds.put("one user (by name)", a -> new Explorer.Query(userNames.get(a.principalId()), null, null, null, null));
    kinds.put("one group and its members (by name)",
        a -> new Explorer.Query(null, groupNames.get(a.principalId()), null, null, null));
    kinds.put("one account", a -> new Explorer.Query(null, null, a.accountId(), null, null));
    kinds.put("one permission set (by name)",
        a -> new Explorer.Query(null, null, null, setNames.get(a.permissionSetArn()), null));
    kinds.put("one account and permission set",
        a -> new Explorer.Query(null, null, a.accountId(), setNames.get(a.permissionSetArn()), null));
    report.append("\n| explorer query | mappings answered (mean) | p50 | p95 | max |\n|---|---|---|---|---|\n");
    for (var kind : kinds.entrySet()) {
      boolean users = kind.getKey().startsWith("one user");
      boolean groups = kind.getKey().startsWith("one group");
      List<SandboxState.Assignment> picks = new ArrayList<>();
      for (int i = 0; picks.size() < QUERIES && i < all.size() * 2; i++) {
        SandboxState.Assignment a = all.get((int) ((i * 7919L) % all.size()));
        if ((!users || a.principalType().equals("USER")) && (!groups || a.principalType().equals("GROUP"))) {
          picks.add(a);
        }
      }
      explorer.explore(kind.getValue().apply(picks.get(0)), auditor); // warm
      long[] nanos = new long[picks.size()];
      long answered = 0;
      for (int i = 0; i < picks.size(); i++) {
        long t = System.nanoTime();
        List<PermissionMapping> found = explorer.explore(kind.getValue().apply(picks.get(i)), auditor).mappings();
        nanos[i] = System.nanoTime() - t;
        assertThat(found).isNotEmpty();
        answered += found.size();
      }
      Arrays.sort(nanos);
      report.append(String.format(Locale.ROOT, "| %s | %.1f | %s ms | %s ms | %s ms |%n", kind.getKey(),
          answered / (double) picks.size(), ms(percentile(nanos, 0.50)), ms(percentile(nanos, 0.95)),
          ms(nanos[nanos.length - 1])));
    }
    long t = System.nanoTime();
    int everything = explorer.explore(new Explorer.Query(null, null, null, null, null), auditor).mappings().size();
    report.append(String.format(Locale.ROOT, "| everything, unfiltered | %s | %s ms (once) | | |%n", n(everything),
        ms(System.nanoTime() - t)));
  }

  /**
   * The fewest calls that read the same state, from what the emulator holds and the APIs' page
   * sizes (Organizations: 20 a page; Identity Center and the identity store: 100). A list call
   * costs max(1, ⌈items ÷ page⌉): an empty list still takes a call to learn that it is empty.
   * <ul>
   *   <li>Organization tree: ListRoots, then for the root and every OU
   *       ListOrganizationalUnitsForParent and ListAccountsForParent (names and placement come
   *       with them; ListAccounts plus ListParents per account reads the same for more).
   *   <li>Account tags: one ListTagsForResource per account (no API lists many accounts' tags).
   *   <li>Users and groups: ListUsers, ListGroups.
   *   <li>Memberships: ListGroupMemberships per group (per user would be 25 times as many).
   *   <li>Permission sets: ListPermissionSets, then per set DescribePermissionSet,
   *       GetInlinePolicyForPermissionSet and ListManagedPoliciesInPermissionSet (tags only for
   *       names with Airlock's prefix).
   *   <li>Assignments: per provisioned (account, permission set) pair ListAccountAssignments,
   *       the pairs found by ListAccountsForProvisionedPermissionSet per set or
   *       ListPermissionSetsProvisionedToAccount per account, whichever is fewer.
   * </ul>
   * ListAccountAssignmentsForPrincipal per user and group would read assignments another way;
   * {@link #perPrincipal} counts it for comparison, not in the bound: whether AWS answers a
   * user's with the access its groups give (docs: "the accounts that the principal has access
   * to") was not verified, and the emulator does not implement it.
   */
  static final class LowerBound {

    static final String ORGANIZATION = "organization tree (accounts, OUs)";
    /** The calls that read the organization's tree. */
    static final java.util.Set<String> TREE_OPERATIONS = java.util.Set.of("ListRoots",
        "ListOrganizationalUnitsForParent", "ListAccountsForParent");
    static final String TAGS = "account tags";
    static final String IDENTITIES = "users and groups";
    static final String MEMBERSHIPS = "group memberships";
    static final String PERMISSION_SETS = "permission sets and their policies";
    static final String ASSIGNMENTS = "assignments (provisioned pairs, then per pair)";

    static long pages(long items, int pageSize) {
      return Math.max(1, (items + pageSize - 1) / pageSize);
    }

    static Map<String, Long> of(SandboxState state) {
      Map<String, Long> bound = new LinkedHashMap<>();
      Map<String, Long> ousUnder = new HashMap<>();
      Map<String, Long> accountsUnder = new HashMap<>();
      state.organizationalUnits().forEach(ou -> ousUnder.merge(ou.parentId(), 1L, Long::sum));
      state.accounts().forEach(a -> accountsUnder.merge(a.parentId(), 1L, Long::sum));
      List<String> parents = new ArrayList<>();
      parents.add(io.airlock.sandbox.DemoOrganization.ROOT_ID);
      state.organizationalUnits().forEach(ou -> parents.add(ou.id()));
      long tree = 1;
      for (String p : parents) {
        tree += pages(ousUnder.getOrDefault(p, 0L), 20) + pages(accountsUnder.getOrDefault(p, 0L), 20);
      }
      bound.put(ORGANIZATION, tree);
      bound.put(TAGS, (long) state.accounts().size());
      bound.put(IDENTITIES, pages(state.users().size(), 100) + pages(state.groups().size(), 100));
      Map<String, Integer> members = state.membershipCounts();
      bound.put(MEMBERSHIPS, state.groups().stream().mapToLong(g -> pages(members.getOrDefault(g.groupId(), 0), 100))
          .sum());
      bound.put(PERMISSION_SETS, pages(state.permissionSets().size(), 100) + state.permissionSets().stream()
          .mapToLong(p -> 2 + pages(p.managedPolicyArns().size(), 100)).sum());

      Map<String, List<String>> provisioned = state.provisionedAccounts();
      long perSet = state.permissionSets().stream()
          .mapToLong(p -> pages(provisioned.getOrDefault(p.arn(), List.of()).size(), 100)).sum();
      Map<String, Long> setsPerAccount = new HashMap<>();
      provisioned.values().forEach(accounts -> accounts.forEach(a -> setsPerAccount.merge(a, 1L, Long::sum)));
      long perAccount = state.accounts().stream().mapToLong(a -> pages(setsPerAccount.getOrDefault(a.id(), 0L), 100))
          .sum();
      Map<List<String>, Long> perPair = new HashMap<>();
      state.assignments().forEach(a -> perPair.merge(List.of(a.accountId(), a.permissionSetArn()), 1L, Long::sum));
      long pairs = provisioned.entrySet().stream().flatMap(e -> e.getValue().stream().map(a -> List.of(a, e.getKey())))
          .mapToLong(pair -> pages(perPair.getOrDefault(pair, 0L), 100)).sum();
      bound.put(ASSIGNMENTS, Math.min(perSet, perAccount) + pairs);
      return bound;
    }

    /** Assignments read with ListAccountAssignmentsForPrincipal per user and group instead. */
    static long perPrincipal(SandboxState state) {
      Map<String, Long> perPrincipal = new HashMap<>();
      state.assignments().forEach(a -> perPrincipal.merge(a.principalId(), 1L, Long::sum));
      return state.users().stream().mapToLong(u -> pages(perPrincipal.getOrDefault(u.userId(), 0L), 100)).sum()
          + state.groups().stream().mapToLong(g -> pages(perPrincipal.getOrDefault(g.groupId(), 0L), 100)).sum();
    }

    /** The calls made, by operation, in the same phases. */
    static Map<String, Long> phases(Map<String, Long> calls) {
      Map<String, Set<String>> ops = new LinkedHashMap<>();
      ops.put(ORGANIZATION, Set.of("ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent",
          "ListAccounts", "ListParents", "DescribeOrganizationalUnit", "ListChildren", "DescribeAccount"));
      ops.put(TAGS, Set.of("ListTagsForResource"));
      ops.put(IDENTITIES, Set.of("ListUsers", "ListGroups"));
      ops.put(MEMBERSHIPS, Set.of("ListGroupMemberships", "ListGroupMembershipsForMember"));
      ops.put(PERMISSION_SETS, Set.of("ListPermissionSets", "DescribePermissionSet",
          "GetInlinePolicyForPermissionSet", "ListManagedPoliciesInPermissionSet"));
      ops.put(ASSIGNMENTS, Set.of("ListAccountsForProvisionedPermissionSet", "ListPermissionSetsProvisionedToAccount",
          "ListAccountAssignments", "ListAccountAssignmentsForPrincipal"));
      Map<String, Long> result = new LinkedHashMap<>();
      ops.forEach((phase, names) -> result.put(phase,
          calls.entrySet().stream().filter(e -> names.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum()));
      // anything else the scan called counts too (with the assignments' phase)
      calls.forEach((op, count) -> {
        if (ops.values().stream().noneMatch(names -> names.contains(op))) {
          result.merge(ASSIGNMENTS, count, Long::sum);
        }
      });
      return result;
    }
  }

  // ---- formatting ----------------------------------------------------------------------------

  private void line(String format, Object... args) {
    report.append(String.format(Locale.ROOT, format, args)).append("\n\n");
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static String n(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  private static String s(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1024.0 / 1024.0);
  }

  private static String hms(double seconds) {
    long sec = Math.round(seconds);
    return sec >= 3600 ? String.format(Locale.ROOT, "%d h %02d min", sec / 3600, sec % 3600 / 60)
        : String.format(Locale.ROOT, "%d min %02d s", sec / 60, sec % 60);
  }
}
