package io.airlock.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.audit.AuditEvent;
import io.airlock.audit.AuditLog;
import io.airlock.audit.AuditVerifier;
import io.airlock.identity.CurrentUser;
import io.airlock.request.Caller;
import io.airlock.request.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The audit log for auditors (and admins): search with filters, page by cursor, download as JSON
 * Lines or CSV, and verify the hash chain. Read-only: nothing here edits or deletes an entry.
 */
@RestController
@RequestMapping("/api/audit")
@Tag(name = "Audit log")
class AuditController {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_PAGE = 1000;

  private final AuditLog audit;
  private final AuditVerifier verifier;
  private final AuditReaders readers;

  AuditController(AuditLog audit, AuditVerifier verifier, AuditReaders readers) {
    this.audit = audit;
    this.verifier = verifier;
    this.readers = readers;
  }

  /** A page of entries and the cursor of the next one (null at the end). */
  record Page(List<Map<String, Object>> events, Long next) {}

  @GetMapping
  @Operation(summary = "Search the audit log (auditors, admins)",
      description = "Filters: from, to (ISO-8601 instants), actor, requestId, account, action; after (cursor), limit "
          + "(at most 1000). format=jsonl or csv downloads the page as JSON Lines or CSV.")
  ResponseEntity<?> search(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
      @RequestParam(required = false) String actor, @RequestParam(required = false) String requestId,
      @RequestParam(required = false) String account, @RequestParam(required = false) String action,
      @RequestParam(defaultValue = "0") long after, @RequestParam(defaultValue = "100") int limit,
      @RequestParam(required = false) String format, Authentication auth) throws IOException {
    requireReader(CurrentUser.of(auth));
    List<InvalidRequestException.FieldError> errors = new ArrayList<>();
    Instant fromAt = instant("from", from, errors);
    Instant toAt = instant("to", to, errors);
    if (limit < 1 || limit > MAX_PAGE) {
      errors.add(new InvalidRequestException.FieldError("limit", "must be between 1 and " + MAX_PAGE));
    }
    if (format != null && !List.of("json", "jsonl", "csv").contains(format)) {
      errors.add(new InvalidRequestException.FieldError("format", "must be json, jsonl or csv"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    List<AuditEvent> events = audit.search(new AuditLog.Query(fromAt, toAt, blank(actor), blank(requestId),
        blank(action), blank(account), Math.max(0, after), limit));
    List<Map<String, Object>> rows = events.stream().map(AuditController::row).toList();
    Long next = events.size() == limit ? events.get(events.size() - 1).seq() : null;
    if ("jsonl".equals(format)) {
      return download(AuditExport.jsonl(events), "application/x-ndjson", "audit.jsonl", next);
    }
    if ("csv".equals(format)) {
      return download(AuditExport.csv(events), "text/csv", "audit.csv", next);
    }
    return ResponseEntity.ok(new Page(rows, next));
  }

  @GetMapping("/verify")
  @Operation(summary = "Recompute the hash chain and compare it with the anchors shipped to S3; names the first "
      + "entry that does not match (auditors, admins)")
  AuditVerifier.Verification verify(Authentication auth) {
    requireReader(CurrentUser.of(auth));
    return verifier.verify();
  }

  private void requireReader(Caller caller) {
    readers.require(caller);
  }

  /** One entry as the API and the downloads show it: details as JSON, hashes included. */
  static Map<String, Object> row(AuditEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seq", e.seq());
    m.put("occurredAt", e.occurredAt().toString());
    m.put("actor", e.actor());
    m.put("action", e.action());
    m.put("requestId", e.requestId());
    try {
      m.put("details", JSON.readTree(e.details()));
    } catch (IOException unreadable) {
      m.put("details", e.details());
    }
    m.put("prevHash", e.prevHash());
    m.put("hash", e.hash());
    return m;
  }

  private static ResponseEntity<String> download(String body, String type, String name, Long next) {
    ResponseEntity.BodyBuilder r = ResponseEntity.ok().contentType(MediaType.parseMediaType(type))
        .header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    if (next != null) {
      r.header("Airlock-Next-Cursor", String.valueOf(next));
    }
    return r.body(body);
  }

  /** RFC 4180: quoted, quotes doubled; a leading = + - @ is prefixed so spreadsheets do not run it. */
  static String csv(String value) {
    if (value == null) {
      return "";
    }
    String v = value.isEmpty() || "=+-@".indexOf(value.charAt(0)) < 0 ? value : "'" + value;
    return "\"" + v.replace("\"", "\"\"") + "\"";
  }

  private static Instant instant(String field, String value, List<InvalidRequestException.FieldError> errors) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      errors.add(new InvalidRequestException.FieldError(field, "'" + value + "' is not an ISO-8601 instant"));
      return null;
    }
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
