package io.airlock.web;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.request.Caller;
import io.airlock.request.ForbiddenActionException;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Who may read the audit log (auditors and admins), for the REST API and the Audit page alike:
 * anyone else is refused with 403, and the refusal is audited ({@code refused.audit-read}).
 */
@Component
public class AuditReaders {

  private final AuditLog audit;
  private final List<String> readers;

  AuditReaders(AuditLog audit, AirlockProperties properties) {
    this.audit = audit;
    this.readers = List.of(properties.groups().auditors(), properties.groups().admins());
  }

  public void require(Caller caller) {
    if (!caller.inAnyGroup(readers)) {
      audit.refused(caller.userId(), "refused.audit-read", null, Map.of("reason", "not an auditor"));
      throw new ForbiddenActionException("Only members of " + String.join(", ", readers) + " may read the audit log");
    }
  }
}
