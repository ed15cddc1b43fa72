package io.airlock.explorer;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.request.Caller;
import io.airlock.request.ForbiddenActionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The explorer: who has what now (principal → account → permission set with its policies):
 * Airlock's own grants live from its request table (request, end, break-glass), and standing
 * access from the last inventory scan (with its time).
 * For auditors, operators and admins; anyone else is refused, and the refusal is audited.
 */
@Service
public class Explorer {

  private final ExplorerMapper mapper;
  private final AuditLog audit;
  private final List<String> readers;

  Explorer(ExplorerMapper mapper, AuditLog audit, AirlockProperties properties) {
    this.mapper = mapper;
    this.audit = audit;
    AirlockProperties.Groups g = properties.groups();
    this.readers = List.of(g.auditors(), g.operators(), g.admins());
  }

  /** Filters, each optional: principal (user name, group name or id), group (name or id: the group and its members), account, permission (name or ARN), source. */
  public record Query(String principal, String group, String account, String permission,
      PermissionMapping.Source source) {}

  /** The mappings and when the scan they come from finished (null: never scanned). */
  public record Result(Instant scannedAt, List<PermissionMapping> mappings) {}

  /**
   * Who has what now: Airlock's own grants live from its request table (one per assignment: of
   * overlapping requests, such as an extension and the access it replaces, the one that ends
   * last), never STANDING; then the last scan's other assignments as STANDING, less those Airlock
   * or a drift run removed since. Sorted by principal, account and permission set.
   */
  @Transactional(readOnly = true)
  public Result explore(Query query, Caller caller) {
    if (!caller.inAnyGroup(readers)) {
      audit.refused(caller.userId(), "refused.explorer-read", null, Map.of("reason", "not an auditor or operator"));
      throw new ForbiddenActionException("Only members of " + String.join(", ", readers) + " may use the explorer");
    }
    Instant scannedAt = mapper.scannedAt();
    Query unfiltered = new Query(query.principal(), query.group(), query.account(), query.permission(), null);
    Map<String, ExplorerMapper.Row> live = new LinkedHashMap<>();
    for (ExplorerMapper.Row r : mapper.liveGrants(unfiltered)) {
      live.merge(r.key(), r, Explorer::endsLater);
    }
    Map<String, Instant> seen = new HashMap<>();
    List<PermissionMapping> out = new ArrayList<>();
    for (ExplorerMapper.Row r : mapper.scannedAssignments(unfiltered)) {
      if (live.containsKey(r.key())) {
        seen.put(r.key(), scannedAt);
      } else if (query.source() != PermissionMapping.Source.AIRLOCK) {
        out.add(mapping(r, PermissionMapping.Source.STANDING, scannedAt));
      }
    }
    if (query.source() != PermissionMapping.Source.STANDING) {
      live.values().forEach(r -> out.add(mapping(r, PermissionMapping.Source.AIRLOCK, seen.get(r.key()))));
    }
    out.sort(ORDER);
    return new Result(scannedAt, out);
  }

  private static final Comparator<PermissionMapping> ORDER = Comparator
      .comparing(PermissionMapping::principalName, Comparator.nullsLast(Comparator.<String>naturalOrder()))
      .thenComparing(PermissionMapping::accountId)
      .thenComparing(PermissionMapping::permissionSetName, Comparator.nullsLast(Comparator.<String>naturalOrder()))
      .thenComparing(PermissionMapping::principalId)
      .thenComparing(PermissionMapping::permissionSetArn);

  /** Of two requests holding one assignment, the one that ends last (a grant without an end yet counts as last). */
  private static ExplorerMapper.Row endsLater(ExplorerMapper.Row a, ExplorerMapper.Row b) {
    if (a.grantEnd() == null) {
      return a;
    }
    if (b.grantEnd() == null) {
      return b;
    }
    return b.grantEnd().isAfter(a.grantEnd()) ? b : a;
  }

  private static PermissionMapping mapping(ExplorerMapper.Row r, PermissionMapping.Source source, Instant scannedAt) {
    List<String> managed = r.managedPolicies() == null || r.managedPolicies().isBlank() ? List.of()
        : List.of(r.managedPolicies().split("\n"));
    boolean airlock = source == PermissionMapping.Source.AIRLOCK;
    return new PermissionMapping(r.principalType(), r.principalId(), r.principalName(), r.accountId(), r.accountName(),
        r.permissionSetArn(), r.permissionSetName(), managed, r.inlinePolicy(), source,
        airlock ? r.requestId() : null, airlock ? r.grantEnd() : null, airlock ? r.requestStatus() : null,
        airlock && Boolean.TRUE.equals(r.breakGlass()), scannedAt);
  }
}
