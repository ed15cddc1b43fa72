package io.airlock.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Local stand-ins for Jira's REST API v2 ({@code GET /rest/api/2/issue/{key}}, basic with an
 * email and API token) and ServiceNow's Table API ({@code GET /api/now/table/{table}?sysparm_query=number=...},
 * basic with an integration user), each in its own API's shape, on 127.0.0.1 with a free port. A
 * test opens, assigns and resolves tickets, or makes the trackers fail; {@link #close()} stops it.
 */
public final class FakeTicketTrackers extends LocalJsonApi {

  public static final String JIRA_USER = "airlock@example.com";
  public static final String JIRA_TOKEN = "fake-jira-token-" + Long.toHexString(System.nanoTime());
  public static final String SERVICENOW_USER = "airlock.integration";
  public static final String SERVICENOW_PASSWORD = "fake-servicenow-" + Long.toHexString(System.nanoTime());

  /** A ticket as the test sets it: open or resolved, its status and kind, its assignee's email. */
  public record Ticket(String reference, boolean open, String status, String kind, String assigneeEmail) {}

  private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private volatile int failWith;

  @Override
  com.sun.net.httpserver.HttpHandler handler() {
    return this::answer;
  }

  public void put(String reference, boolean open, String status, String kind, String assigneeEmail) {
    tickets.put(reference, new Ticket(reference, open, status, kind, assigneeEmail));
  }

  public void resolve(String reference) {
    Ticket t = tickets.get(reference);
    tickets.put(reference, new Ticket(reference, false, t.reference().startsWith("INC0") ? "Resolved" : "Done",
        t.kind(), t.assigneeEmail()));
  }

  public void failWith(int status) {
    failWith = status;
  }

  public void reset() {
    tickets.clear();
    asked.clear();
    failWith = 0;
  }

  public List<String> asked() {
    return List.copyOf(asked);
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String query = exchange.getRequestURI().getRawQuery();
      asked.add(path + (query == null ? "" : "?" + query));
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      if (path.startsWith("/rest/api/2/issue/")) {
        if (!basic(JIRA_USER, JIRA_TOKEN).equals(auth)) {
          send(exchange, 401, Map.of("errorMessages", List.of("You are not authenticated.")));
          return;
        }
        if (failWith != 0) {
          send(exchange, failWith, Map.of("errorMessages", List.of("Failure")));
          return;
        }
        String key = URLDecoder.decode(path.substring("/rest/api/2/issue/".length()), StandardCharsets.UTF_8);
        Ticket t = tickets.get(key);
        if (t == null) {
          send(exchange, 404, Map.of("errorMessages", List.of("Issue does not exist or you do not have permission to see it.")));
          return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", Map.of("name", t.status(), "statusCategory", Map.of("key", t.open() ? "indeterminate" : "done")));
        fields.put("issuetype", Map.of("name", t.kind()));
        fields.put("assignee", t.assigneeEmail() == null ? null : Map.of("emailAddress", t.assigneeEmail(),
            "displayName", t.assigneeEmail()));
        send(exchange, 200, Map.of("id", "10001", "key", key, "fields", fields));
      } else if (path.startsWith("/api/now/table/")) {
        if (!basic(SERVICENOW_USER, SERVICENOW_PASSWORD).equals(auth)) {
          send(exchange, 401, Map.of("error", Map.of("message", "User Not Authenticated")));
          return;
        }
        if (failWith != 0) {
          send(exchange, failWith, Map.of("error", Map.of("message", "Failure")));
          return;
        }
        String number = "";
        for (String pair : query == null ? new String[0] : query.split("&")) {
          String decoded = URLDecoder.decode(pair, StandardCharsets.UTF_8);
          if (decoded.startsWith("sysparm_query=number=")) {
            number = decoded.substring("sysparm_query=number=".length());
          }
        }
        Ticket t = tickets.get(number);
        if (t == null) {
          send(exchange, 200, Map.of("result", List.of()));
          return;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("number", number);
        row.put("state", t.status());
        row.put("active", String.valueOf(t.open()));
        row.put("assigned_to.email", t.assigneeEmail() == null ? "" : t.assigneeEmail());
        send(exchange, 200, Map.of("result", List.of(row)));
      } else {
        send(exchange, 404, Map.of());
      }
    }
  }

  private static String basic(String user, String secret) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }
}
