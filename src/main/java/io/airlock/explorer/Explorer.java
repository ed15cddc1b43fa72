package io.airlock.explorer;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.request.Caller;
import io.airlock.request.ForbiddenActionException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The explorer: current permission mappings (principal → account → permission set with its
 * policies) from the last inventory scan, each granted by Airlock (request, end) or standing.
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

  @Transactional(readOnly = true)
  public Result explore(Query query, Caller caller) {
    if (!caller.inAnyGroup(readers)) {
      audit.refused(caller.userId(), "refused.explorer-read", null, Map.of("reason", "not an auditor or operator"));
      throw new ForbiddenActionException("Only members of " + String.join(", ", readers) + " may use the explorer");
    }
    List<PermissionMapping> mappings = mapper.mappings(query).stream().map(Explorer::mapping).toList();
    return new Result(mapper.scannedAt(), mappings);
  }

  private static PermissionMapping mapping(ExplorerMapper.Row r) {
    List<String> managed = r.managedPolicies() == null || r.managedPolicies().isBlank() ? List.of()
        : List.of(r.managedPolicies().split("\n"));
    return new PermissionMapping(r.principalType(), r.principalId(), r.principalName(), r.accountId(), r.accountName(),
        r.permissionSetArn(), r.permissionSetName(), managed, r.inlinePolicy(),
        r.requestId() == null ? PermissionMapping.Source.STANDING : PermissionMapping.Source.AIRLOCK,
        r.requestId(), r.requestId() == null ? null : r.grantEnd());
  }
}
