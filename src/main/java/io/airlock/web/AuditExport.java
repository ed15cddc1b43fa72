package io.airlock.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.audit.AuditEvent;
import java.io.IOException;
import java.util.List;

/** The audit log's downloads, the same from the REST API and from the Audit page. */
public final class AuditExport {

  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditExport() {}

  /** Entries as JSON Lines, one object each (details as JSON, hashes included). */
  public static String jsonl(List<AuditEvent> events) throws IOException {
    StringBuilder out = new StringBuilder();
    for (AuditEvent e : events) {
      out.append(JSON.writeValueAsString(AuditController.row(e))).append('\n');
    }
    return out.toString();
  }

  /** Entries as CSV: seq, occurredAt, actor, action, requestId, details (JSON), hash. */
  public static String csv(List<AuditEvent> events) {
    StringBuilder out = new StringBuilder("seq,occurredAt,actor,action,requestId,details,hash\n");
    for (AuditEvent e : events) {
      out.append(e.seq()).append(',').append(e.occurredAt()).append(',').append(AuditController.csv(e.actor()))
          .append(',').append(AuditController.csv(e.action())).append(',').append(AuditController.csv(e.requestId()))
          .append(',').append(AuditController.csv(e.details())).append(',').append(e.hash()).append('\n');
    }
    return out.toString();
  }
}
