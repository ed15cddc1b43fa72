package io.airlock.web.pages;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.audit.AuditEvent;
import io.airlock.audit.AuditLog;
import io.airlock.audit.AuditState;
import io.airlock.identity.PortalUsers;
import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestNotFoundException;
import io.airlock.request.RequestService;
import io.airlock.web.AuditExport;
import io.airlock.web.AuditReaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The audit log for auditors and admins ({@link AuditReaders}: anyone else is refused, and the
 * refusal audited), newest first, in words: when, who, what, which request, which account, a
 * short detail; filters with date pickers (days in the reader's zone); the log's verification
 * state as the audit watch last found it (nothing is recomputed on a page load); downloads of the
 * current filter as CSV and JSON Lines, the same files as the REST API's.
 */
@Controller
class AuditPages {

  static final int PAGE = 50;
  /** The most entries one download holds. */
  static final int MAX_DOWNLOAD = 10_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Map<String, String> ACTIONS = actions();

  private final AuditLog audit;
  private final AuditState state;
  private final AuditReaders readers;
  private final RequestService requests;
  private final PortalUsers users;
  private final Words words;

  AuditPages(AuditLog audit, AuditState state, AuditReaders readers, RequestService requests, PortalUsers users,
      Words words) {
    this.audit = audit;
    this.state = state;
    this.readers = readers;
    this.requests = requests;
    this.users = users;
    this.words = words;
  }

  /** The filters as the form sends them; blank is "any". Days are the reader's, {@code offset} their zone's minutes east of UTC. */
  public static class Filter {
    private String from;
    private String to;
    private String who;
    private String what;
    private String request;
    private Integer offset;
    private long before;

    public String getFrom() { return from; }
    public void setFrom(String from) { this.from = from; }
    public String getTo() { return to; }
    public void setTo(String to) { this.to = to; }
    public String getWho() { return who; }
    public void setWho(String who) { this.who = who; }
    public String getWhat() { return what; }
    public void setWhat(String what) { this.what = what; }
    public String getRequest() { return request; }
    public void setRequest(String request) { this.request = request; }
    public Integer getOffset() { return offset; }
    public void setOffset(Integer offset) { this.offset = offset; }
    public long getBefore() { return before; }
    public void setBefore(long before) { this.before = before; }

    boolean any() {
      return blank(from) != null || blank(to) != null || blank(who) != null || blank(what) != null
          || blank(request) != null;
    }

    /** The search, or the fields that are wrong (a day that is no date, a "to" before "from"). */
    AuditLog.Newest query(int limit, Map<String, String> errors) {
      ZoneOffset zone = zone(offset);
      LocalDate fromDay = day("from", from, errors);
      LocalDate toDay = day("to", to, errors);
      if (fromDay != null && toDay != null && toDay.isBefore(fromDay)) {
        errors.put("to", "must be on or after the first day");
      }
      Instant fromAt = fromDay == null ? null : fromDay.atStartOfDay(zone).toInstant();
      Instant toAt = toDay == null ? null : toDay.plusDays(1).atStartOfDay(zone).toInstant(); // the whole last day
      return new AuditLog.Newest(fromAt, toAt, blank(who), blank(request), blank(what), null, Math.max(0, before),
          limit);
    }

    /** The filter as a query string (without the cursor), for the downloads and the next page. */
    String queryString() {
      StringBuilder q = new StringBuilder();
      append(q, "from", from);
      append(q, "to", to);
      append(q, "who", who);
      append(q, "what", what);
      append(q, "request", request);
      if (offset != null) {
        append(q, "offset", String.valueOf(offset));
      }
      return q.toString();
    }
  }

  /** One entry as the page shows it. */
  record Row(AuditEvent e, String who, String what, AccessRequest request, String account, String detail) {}

  @GetMapping("/audit")
  String audit(@ModelAttribute("filter") Filter filter, Authentication auth, Model model) {
    Caller caller = users.caller(auth);
    readers.require(caller);
    Map<String, String> errors = new LinkedHashMap<>();
    AuditLog.Newest query = filter.query(PAGE + 1, errors);
    List<Row> rows = List.of();
    Long next = null;
    if (errors.isEmpty()) {
      List<AuditEvent> events = audit.newest(query);
      if (events.size() > PAGE) {
        events = events.subList(0, PAGE);
        next = events.get(PAGE - 1).seq();
      }
      rows = rows(events, caller);
    }
    model.addAttribute("rows", rows);
    model.addAttribute("errors", errors);
    model.addAttribute("next", next);
    model.addAttribute("filtered", filter.any());
    model.addAttribute("query", filter.queryString());
    model.addAttribute("actions", ACTIONS);
    model.addAttribute("state", state.now());
    return "audit/list";
  }

  @GetMapping("/audit/download")
  ResponseEntity<String> download(@ModelAttribute Filter filter, @RequestParam(defaultValue = "csv") String format,
      Authentication auth) throws IOException {
    readers.require(users.caller(auth));
    Map<String, String> errors = new LinkedHashMap<>();
    AuditLog.Newest query = filter.query(MAX_DOWNLOAD, errors);
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors.entrySet().stream()
          .map(e -> new InvalidRequestException.FieldError(e.getKey(), e.getValue())).toList());
    }
    // A file reads top to bottom in the order things happened, as the API's downloads do.
    List<AuditEvent> events = new ArrayList<>(audit.newest(query));
    java.util.Collections.reverse(events);
    boolean jsonl = "jsonl".equals(format);
    return ResponseEntity.ok()
        .contentType(jsonl ? MediaType.parseMediaType("application/x-ndjson")
            : MediaType.parseMediaType("text/csv;charset=UTF-8"))
        .header("Content-Disposition", "attachment; filename=\"audit." + (jsonl ? "jsonl" : "csv") + "\"")
        .body(jsonl ? AuditExport.jsonl(events) : AuditExport.csv(events));
  }

  private List<Row> rows(List<AuditEvent> events, Caller caller) {
    Map<String, AccessRequest> byId = new HashMap<>();
    List<Row> rows = new ArrayList<>(events.size());
    for (AuditEvent e : events) {
      AccessRequest r = e.requestId() == null ? null : byId.computeIfAbsent(e.requestId(), id -> request(id, caller));
      Map<String, Object> details = details(e.details());
      String account = account(details);
      rows.add(new Row(e, who(e.actor()), words.event(e.action(), details), r,
          account != null ? words.account(account) : r != null ? words.account(r.getTarget()) : null,
          detail(details)));
    }
    return rows;
  }

  private AccessRequest request(String id, Caller caller) {
    try {
      return requests.get(id, caller);
    } catch (RequestNotFoundException e) {
      return null;
    }
  }

  static String who(String actor) {
    if (actor == null) {
      return "";
    }
    return switch (actor) {
      case "airlock" -> "Airlock";
      case "airlock:reconciler" -> "Airlock (reconciler)";
      case "anonymous" -> "someone not signed in";
      default -> actor;
    };
  }

  static Map<String, Object> details(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      return Map.of();
    }
  }

  /** The account an entry's details name, if any. */
  static String account(Map<String, Object> details) {
    for (String key : List.of("accountId", "account", "target")) {
      if (details.get(key) instanceof String s && s.matches("\\d{12}")) {
        return s;
      }
    }
    return null;
  }

  /** A short line from the details: what someone wrote, why, or what went wrong; no ids. */
  static String detail(Map<String, Object> details) {
    for (String key : List.of("comment", "reason", "reasons", "problem", "justification", "error", "message")) {
      Object v = details.get(key);
      String text = v instanceof Collection<?> c ? String.join("; ", c.stream().map(String::valueOf).toList())
          : v == null ? null : String.valueOf(v);
      if (text != null && !text.isBlank()) {
        text = UUID.matcher(text).replaceAll("another request").strip();
        return text.length() > 160 ? text.substring(0, 157) + "…" : text;
      }
    }
    return "";
  }

  /** Every audit action with words, for the "what" filter, in the order of their words. */
  private static Map<String, String> actions() {
    Properties p = new Properties();
    try (InputStream in = AuditPages.class.getResourceAsStream("/messages.properties")) {
      if (in != null) {
        p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> byWords = new TreeMap<>();
    p.stringPropertyNames().stream().filter(k -> k.startsWith("action."))
        .forEach(k -> byWords.putIfAbsent(p.getProperty(k) + " (" + k.substring(7) + ")", k.substring(7)));
    Map<String, String> out = new LinkedHashMap<>();
    byWords.forEach((label, code) -> out.put(code, label.substring(0, label.lastIndexOf(" ("))));
    return out;
  }

  private static LocalDate day(String field, String value, Map<String, String> errors) {
    if (blank(value) == null) {
      return null;
    }
    try {
      return LocalDate.parse(value.trim());
    } catch (DateTimeParseException e) {
      errors.put(field, "is not a day; pick one from the calendar");
      return null;
    }
  }

  /** The reader's zone from their minutes east of UTC (the page's script sends it); UTC without it. */
  private static ZoneOffset zone(Integer minutes) {
    if (minutes == null || Math.abs(minutes) > 18 * 60) {
      return ZoneOffset.UTC;
    }
    return ZoneOffset.ofTotalSeconds(minutes * 60);
  }

  private static void append(StringBuilder q, String name, String value) {
    if (blank(value) != null) {
      q.append('&').append(name).append('=').append(URLEncoder.encode(value.trim(), StandardCharsets.UTF_8));
    }
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
