package io.airlock.inventory;

import io.airlock.audit.AuditLog;
import io.airlock.inventory.InventoryMapper.StoredPermissionSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Airlock's copy of what exists in AWS. A scan reads AWS first (no transaction open while it
 * pages through the APIs), then replaces the tables and audits the scan in one transaction.
 * Readers see the previous scan until the new one commits.
 */
@Service
public class InventoryService {

  private static final Logger log = LoggerFactory.getLogger(InventoryService.class);

  private final InventorySource source;
  private final InventoryMapper mapper;
  private final AuditLog audit;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final org.springframework.context.ApplicationEventPublisher events;
  private final InventoryScanSettings settings;

  InventoryService(InventorySource source, InventoryMapper mapper, AuditLog audit, TransactionTemplate tx,
      Clock clock, org.springframework.context.ApplicationEventPublisher events, InventoryScanSettings settings) {
    this.settings = settings;
    this.source = source;
    this.mapper = mapper;
    this.audit = audit;
    this.tx = tx;
    this.clock = clock;
    this.events = events;
  }

  /** Scans AWS and replaces the stored inventory; returns what was stored. */
  public ScanSummary scan(String actor) {
    return scan(actor, () -> { });
  }

  /**
   * Scans AWS and replaces the stored inventory; {@code stillScanning} runs on this thread now
   * and then while the scan waits for AWS.
   */
  public ScanSummary scan(String actor, Runnable stillScanning) {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    Inventory found = source.scan(stillScanning);
    long durationMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
    Instant finished = clock.instant();
    ScanSummary summary = new ScanSummary(started, finished, actor, durationMs, found.awsCalls(),
        found.accounts().size(), found.users().size(), found.groups().size(), found.memberships().size(),
        found.permissionSets().size(), found.assignments().size(), ScanSummary.FULL, finished, 0);
    tx.executeWithoutResult(status -> {
      ScanSummary before = mapper.lockSummary();
      boolean first = before == null || before.finishedAt() == null;
      for (String table : List.of("inventory_assignment", "inventory_permission_set", "inventory_membership",
          "inventory_group", "inventory_user", "inventory_account_tag", "inventory_account")) {
        mapper.deleteAll(table);
      }
      found.accounts().forEach(mapper::insertAccount);
      found.accounts().forEach(a -> a.tags().forEach((k, v) -> mapper.insertAccountTag(
          new Inventory.AccountTag(a.accountId(), k, v))));
      inChunks(found.users(), mapper::insertUsers);
      found.groups().forEach(mapper::insertGroup);
      inChunks(found.memberships(), mapper::insertMemberships);
      found.permissionSets().forEach(p -> mapper.insertPermissionSet(StoredPermissionSet.of(p)));
      inChunks(found.assignments(), mapper::insertAssignments);
      recorded(summary);
      if (first) { // under the head row's lock: once per organization, whichever node scans
        events.publishEvent(new FirstScan(summary.finishedAt(), summary.accounts(), summary.permissionSets()));
      }
    });
    analyze();
    logged(summary);
    return summary;
  }

  /**
   * Brings the inventory up to date the cheap way when it can: only what CloudTrail's write
   * events since the last scan name is read again ({@link InventorySource#changesSince}), the
   * rest kept. Everything is read ({@link #scan}) when incremental scans are off, nothing was
   * ever scanned, the last full scan is older than {@code airlock.inventory.scan.full-every}, or
   * the trail cannot be read. The schedule's scan.
   */
  public ScanSummary refresh(String actor, Runnable stillScanning) {
    ScanSummary last = mapper.summary();
    Instant started = clock.instant();
    if (!settings.incremental() || last == null || last.finishedAt() == null || last.fullScanAt() == null
        || !started.isBefore(last.fullScanAt().plus(settings.fullEvery()))) {
      return scan(actor, stillScanning);
    }
    long t0 = System.nanoTime();
    InventoryChanges.Known known = new InventoryChanges.Known(Set.copyOf(mapper.accountIds()),
        Set.copyOf(mapper.permissionSetArns()));
    Optional<InventoryChanges> read = source.changesSince(last.startedAt().minus(settings.trailLag()), known,
        stillScanning);
    if (read.isEmpty()) {
      return scan(actor, stillScanning);
    }
    InventoryChanges changes = read.get();
    long durationMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
    ScanSummary summary = tx.execute(status -> {
      ScanSummary before = mapper.lockSummary();
      if (before.startedAt() != null && before.startedAt().isAfter(started)) {
        // A scan that started after this one was stored meanwhile (one on demand): it read AWS
        // later, and writing back what this one read would undo that.
        log.info("Incremental scan started {} not stored: the scan started {} is newer", started,
            before.startedAt());
        return before;
      }
      apply(changes);
      InventoryMapper.Counts counts = mapper.counts();
      ScanSummary done = new ScanSummary(started, clock.instant(), actor, durationMs, changes.awsCalls(),
          counts.accounts(), counts.users(), counts.groups(), counts.memberships(), counts.permissionSets(),
          counts.assignments(), ScanSummary.INCREMENTAL, before.fullScanAt(), changes.changesRead());
      recorded(done);
      return done;
    });
    logged(summary);
    return summary;
  }

  /** Replaces the parts an incremental scan read again; the rest stays as stored. */
  private void apply(InventoryChanges changes) {
    boolean listsChanged = false;
    if (changes.accounts() != null && treeChanged(changes)) {
      Map<String, List<Inventory.AccountTag>> stored = mapper.accountTags(null).stream()
          .collect(java.util.stream.Collectors.groupingBy(Inventory.AccountTag::accountId));
      mapper.deleteAll("inventory_account_tag");
      mapper.deleteAll("inventory_account");
      for (Inventory.Account a : changes.accounts()) {
        mapper.insertAccount(a);
        if (changes.tagsRead().contains(a.accountId())) {
          a.tags().forEach((k, v) -> mapper.insertAccountTag(new Inventory.AccountTag(a.accountId(), k, v)));
        } else {
          stored.getOrDefault(a.accountId(), List.of()).forEach(mapper::insertAccountTag);
        }
      }
      listsChanged = true;
    }
    if (changes.users() != null) {
      mapper.deleteAll("inventory_user");
      inChunks(changes.users(), mapper::insertUsers);
    }
    if (changes.groups() != null) {
      mapper.deleteAll("inventory_group");
      changes.groups().forEach(mapper::insertGroup);
    }
    changes.memberships().forEach((group, members) -> {
      mapper.deleteMembershipsOfGroup(group);
      inChunks(members, mapper::insertMemberships);
    });
    if (changes.users() != null || changes.groups() != null) {
      mapper.deleteLeftoverMemberships();
    }
    if (changes.permissionSetArns() != null) {
      Set<String> now = Set.copyOf(changes.permissionSetArns());
      mapper.permissionSetArns().stream().filter(arn -> !now.contains(arn)).forEach(mapper::deletePermissionSet);
      listsChanged = true;
    }
    for (Inventory.PermissionSet p : changes.permissionSets()) {
      mapper.deletePermissionSet(p.arn());
      mapper.insertPermissionSet(StoredPermissionSet.of(p));
    }
    changes.assignments().forEach((pair, found) -> {
      mapper.deleteAssignmentsOfPair(pair);
      inChunks(found, mapper::insertAssignments);
    });
    if (listsChanged || !changes.assignments().isEmpty()) {
      mapper.deleteLeftovers(); // a pair of an account or permission set no longer there holds none
    }
  }

  /**
   * Whether the tree an incremental scan read (every time) differs from the stored accounts, or
   * tags were read: most scans find it as it was, and rewriting every account would churn the
   * tables for nothing.
   */
  private boolean treeChanged(InventoryChanges changes) {
    if (!changes.tagsRead().isEmpty()) {
      return true;
    }
    Set<InventoryMapper.AccountRow> read = changes.accounts().stream().map(a -> new InventoryMapper.AccountRow(
        a.accountId(), a.name(), a.email(), a.status(), a.ouPath())).collect(java.util.stream.Collectors.toSet());
    return !read.equals(Set.copyOf(mapper.accounts()));
  }

  private void recorded(ScanSummary summary) {
    mapper.updateSummary(summary);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("kind", summary.kind());
    details.put("accounts", summary.accounts());
    details.put("users", summary.users());
    details.put("groups", summary.groups());
    details.put("memberships", summary.memberships());
    details.put("permissionSets", summary.permissionSets());
    details.put("assignments", summary.assignments());
    details.put("awsCalls", summary.awsCalls());
    details.put("durationMs", summary.durationMs());
    if (ScanSummary.INCREMENTAL.equals(summary.kind())) {
      details.put("changesRead", summary.changesRead());
    }
    audit.record(summary.actor(), "inventory.scanned", null, details);
    // In this transaction: whoever waits for a scan that started by now moves on with it, or not at all.
    events.publishEvent(new InventoryScanned(summary));
  }

  private void analyze() {
    try {
      mapper.analyze();
    } catch (RuntimeException e) {
      log.warn("Inventory statistics not refreshed (the explorer may plan its queries badly until autovacuum"
          + " does): {}", e.toString());
    }
  }

  private static void logged(ScanSummary summary) {
    log.info("Inventory scanned ({}) in {} ms with {} AWS calls: {} accounts, {} users, {} groups, {} permission sets, "
            + "{} assignments", summary.kind(), summary.durationMs(), summary.awsCalls(), summary.accounts(),
        summary.users(), summary.groups(), summary.permissionSets(), summary.assignments());
  }

  /** Rows a multi-row INSERT carries: 4 columns × 1,000 stays far below PostgreSQL's 65,535 parameters. */
  static final int CHUNK = 1000;

  private static <T> void inChunks(List<T> rows, java.util.function.Consumer<List<T>> insert) {
    for (int from = 0; from < rows.size(); from += CHUNK) {
      insert.accept(rows.subList(from, Math.min(rows.size(), from + CHUNK)));
    }
  }

  /**
   * An assignment Airlock removed from AWS since the last scan (a drift run): gone from the
   * stored inventory at once, in the caller's transaction, so that the explorer no longer lists
   * it. Returns whether the inventory held it.
   */
  public boolean forgetAssignment(Inventory.Assignment assignment) {
    return mapper.deleteAssignment(assignment) > 0;
  }

  public ScanSummary summary() {
    return mapper.summary();
  }

  public boolean scanned() {
    return mapper.summary().finishedAt() != null;
  }

  /** The accounts with their OU path and tags. */
  public List<Inventory.Account> accounts() {
    Map<String, List<Inventory.AccountTag>> tags = mapper.accountTags(null).stream()
        .collect(java.util.stream.Collectors.groupingBy(Inventory.AccountTag::accountId));
    return mapper.accounts().stream().map(a -> a.with(tags.getOrDefault(a.accountId(), List.of()))).toList();
  }

  public List<Inventory.User> users() {
    return mapper.users();
  }

  public List<Inventory.Group> groups() {
    return mapper.groups();
  }

  public List<Inventory.Membership> memberships() {
    return mapper.memberships();
  }

  public List<Inventory.PermissionSet> permissionSets() {
    return mapper.permissionSets().stream().map(StoredPermissionSet::toPermissionSet).toList();
  }

  /** Assignments, optionally filtered by account, principal and permission set (null = any). */
  public List<Inventory.Assignment> assignments(String accountId, String principalId, String permissionSetArn) {
    return mapper.assignments(accountId, principalId, permissionSetArn);
  }

  public Optional<Inventory.Account> findAccount(String accountId) {
    return mapper.findAccount(accountId).map(a -> a.with(mapper.accountTags(accountId)));
  }

  /**
   * The account with its OU path and tags: from the last scan, else (created since) read from
   * AWS now; empty when it is not an account of the organization.
   */
  public Optional<Inventory.Account> describeAccount(String accountId) {
    return findAccount(accountId).or(() -> source.describeAccount(accountId));
  }

  public Optional<Inventory.User> findUserByName(String userName) {
    return mapper.findUserByName(userName);
  }

  public Optional<Inventory.PermissionSet> findPermissionSetByName(String name) {
    return mapper.findPermissionSetByName(name).map(StoredPermissionSet::toPermissionSet);
  }
}
