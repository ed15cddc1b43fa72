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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local stand-in for PagerDuty's REST API v2 as Airlock reads it: {@code GET /users?query=}
 * and {@code GET /oncalls?user_ids[]=&schedule_ids[]=}, with PagerDuty's {@code Token token=}
 * authorization, on 127.0.0.1 with a free port. A test puts people on call, makes it fail or
 * slow, and reads what was asked; {@link #close()} stops it.
 */
public final class FakePagerDuty extends LocalJsonApi {

  public static final String TOKEN = "fake-pagerduty-key-" + Long.toHexString(System.nanoTime());

  private final Map<String, String> users = new ConcurrentHashMap<>();
  private final Map<String, List<Map<String, Object>>> oncalls = new ConcurrentHashMap<>();
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private volatile int failWith;
  private volatile long delayMillis;

  @Override
  com.sun.net.httpserver.HttpHandler handler() {
    return this::answer;
  }

  /** A file holding the key, as an operator sets airlock.context.pagerduty.token-file. */
  public static Path tokenFile() {
    return secretFile(TOKEN);
  }

  /** Puts {@code email} on call on {@code schedule} until {@code until} (null: always on call). */
  public void onCall(String email, String schedule, Instant until) {
    String id = users.computeIfAbsent(email.toLowerCase(java.util.Locale.ROOT), e -> "P" + Integer.toHexString(e.hashCode()));
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("escalation_policy", Map.of("id", "PEP1", "summary", "Platform escalation"));
    entry.put("escalation_level", 1);
    entry.put("schedule", Map.of("id", "S-" + schedule.replace(' ', '-'), "summary", schedule));
    entry.put("user", Map.of("id", id));
    entry.put("start", Instant.now().minusSeconds(3600).toString());
    entry.put("end", until == null ? null : until.toString());
    oncalls.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(entry);
  }

  /** Known to PagerDuty, not on call. */
  public void knows(String email) {
    users.computeIfAbsent(email.toLowerCase(java.util.Locale.ROOT), e -> "P" + Integer.toHexString(e.hashCode()));
  }

  public void offCall(String email) {
    String id = users.get(email.toLowerCase(java.util.Locale.ROOT));
    if (id != null) {
      oncalls.remove(id);
    }
  }

  /** Every answer is this status from now on (0: answer normally). */
  public void failWith(int status) {
    failWith = status;
  }

  public void delay(long millis) {
    delayMillis = millis;
  }

  public void reset() {
    failWith = 0;
    delayMillis = 0;
    users.clear();
    oncalls.clear();
    asked.clear();
  }

  /** The paths and queries asked, in order. */
  public List<String> asked() {
    return List.copyOf(asked);
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String query = exchange.getRequestURI().getRawQuery();
      asked.add(exchange.getRequestURI().getPath() + (query == null ? "" : "?" + query));
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (!("Token token=" + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        send(exchange, 401, Map.of("error", Map.of("message", "Unauthorized", "code", 2006)));
        return;
      }
      if (failWith != 0) {
        send(exchange, failWith, Map.of("error", Map.of("message", "Failure", "code", 2001)));
        return;
      }
      Map<String, List<String>> params = params(query);
      switch (exchange.getRequestURI().getPath()) {
        case "/users" -> {
          String q = params.getOrDefault("query", List.of("")).get(0).toLowerCase(java.util.Locale.ROOT);
          List<Map<String, Object>> found = new ArrayList<>();
          users.forEach((email, id) -> {
            if (email.contains(q)) {
              found.add(Map.of("id", id, "type", "user", "email", email, "name", email));
            }
          });
          send(exchange, 200, Map.of("users", found, "limit", 25, "offset", 0, "more", false));
        }
        case "/oncalls" -> {
          List<String> schedules = params.getOrDefault("schedule_ids[]", List.of());
          List<Map<String, Object>> found = new ArrayList<>();
          for (String id : params.getOrDefault("user_ids[]", List.of())) {
            for (Map<String, Object> o : oncalls.getOrDefault(id, List.of())) {
              @SuppressWarnings("unchecked")
              Map<String, Object> schedule = (Map<String, Object>) o.get("schedule");
              if (schedules.isEmpty() || schedules.contains(schedule.get("id"))) {
                found.add(o);
              }
            }
          }
          send(exchange, 200, Map.of("oncalls", found, "limit", 100, "offset", 0, "more", false));
        }
        default -> send(exchange, 404, Map.of("error", Map.of("message", "Not Found", "code", 2100)));
      }
    }
  }

  private static Map<String, List<String>> params(String query) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (query == null) {
      return out;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return out;
  }
}
