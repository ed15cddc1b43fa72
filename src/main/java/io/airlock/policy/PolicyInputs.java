package io.airlock.policy;

import io.airlock.request.AccessPolicy;
import io.airlock.request.AccessRequest;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The variables both decision tables are given: one place, so that the process, the catalog
 * and the simulation give the tables the same names. Every value is plain (string, number,
 * boolean, list, map), so a recorded set of variables replays exactly.
 *
 * <table>
 * <caption>Variables</caption>
 * <tr><td>system, target, targetName</td><td>the request's system, account id, account name</td></tr>
 * <tr><td>targetOuPath</td><td>"Workloads/Prod" (empty under the root, null when unknown)</td></tr>
 * <tr><td>targetOus</td><td>the OU path and each of its parents: ["Workloads", "Workloads/Prod"]</td></tr>
 * <tr><td>targetTags</td><td>the account's tags (targetTags.environment)</td></tr>
 * <tr><td>permission, permissionKind</td><td>permission set name or craft:TEMPLATE; EXISTING or CRAFTED</td></tr>
 * <tr><td>requester, requesterGroups</td><td>who filed it, their groups at submission</td></tr>
 * <tr><td>principal, principalGroups, principalIsRequester</td><td>who receives it, their groups</td></tr>
 * <tr><td>groups</td><td>the configured group names by role: groups.approvers, ...</td></tr>
 * <tr><td>durationSeconds, durationText, durationMinutes</td><td>exact; "1 h 30 min"; rounded up</td></tr>
 * <tr><td>justification, ticket, ticketReference</td><td>ticketReference: first match of the ticket pattern</td></tr>
 * <tr><td>dayOfWeek, hourOfDay, localTime, timeZone</td><td>when the policy decides</td></tr>
 * <tr><td>breakGlass, supersedes</td><td>asked for break-glass; the request an edit or rework replaces</td></tr>
 * <tr><td>scopeName, maxDurationMinutes, maxDurationSeconds, maxDurationText</td><td>auto-approval only</td></tr>
 * <tr><td>requesterOnCall, onCallSecondsLeft, onCallUntil, onCallSchedule, ticketOpen,
 * ticketAssignedToRequester, ticketStatus, ticketKind, withinBusinessHours, holidayToday</td><td>facts from outside
 * ({@code io.airlock.context.PolicyContext}); null here, filled in where the request is judged</td></tr>
 * </table>
 */
public final class PolicyInputs {

  public static final String EXISTING = "EXISTING";
  public static final String CRAFTED = "CRAFTED";

  /** The variables {@code io.airlock.context.PolicyContext} fills in. */
  public static final List<String> CONTEXT_FACTS = List.of("requesterOnCall", "onCallSecondsLeft", "onCallUntil",
      "onCallSchedule", "ticketOpen", "ticketAssignedToRequester", "ticketStatus", "ticketKind",
      "withinBusinessHours", "holidayToday");

  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

  private PolicyInputs() {}

  /** What the inventory knows of the target account (name, OU path, tags); nulls when unknown. */
  public record Target(String id, String name, String ouPath, Map<String, String> tags) {
    public Target {
      tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
  }

  /** The facts of a request as the tables see them. */
  public record Request(String system, Target target, String permission, boolean crafted, String requester,
      List<String> requesterGroups, String principal, List<String> principalGroups, boolean principalIsRequester,
      Duration duration, String justification, String ticket, boolean breakGlass, String supersedes) {}

  /** The variables of both tables but the scope's. */
  public static Map<String, Object> of(Request r, Map<String, String> groups, Pattern ticketPattern,
      ZonedDateTime now) {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("system", r.system());
    in.put("target", r.target().id());
    in.put("targetName", r.target().name());
    in.put("targetOuPath", r.target().ouPath());
    in.put("targetOus", ancestry(r.target().ouPath()));
    in.put("targetTags", new LinkedHashMap<>(new java.util.TreeMap<>(r.target().tags())));
    in.put("permission", r.permission());
    in.put("permissionKind", r.crafted() ? CRAFTED : EXISTING);
    in.put("requester", r.requester());
    in.put("requesterGroups", new ArrayList<>(r.requesterGroups() == null ? List.of() : r.requesterGroups()));
    in.put("principal", r.principal());
    in.put("principalGroups", new ArrayList<>(r.principalGroups() == null ? List.of() : r.principalGroups()));
    in.put("principalIsRequester", r.principalIsRequester());
    in.put("groups", new LinkedHashMap<>(groups));
    long seconds = r.duration().getSeconds();
    in.put("durationSeconds", seconds);
    in.put("durationMinutes", (seconds + 59) / 60);
    in.put("durationText", text(seconds));
    in.put("justification", r.justification());
    in.put("ticket", r.ticket());
    in.put("ticketReference", ticketReference(ticketPattern, r.ticket(), r.justification()));
    in.put("dayOfWeek", now.getDayOfWeek().name());
    in.put("hourOfDay", now.getHour());
    in.put("localTime", now.format(HH_MM));
    in.put("timeZone", now.getZone().getId());
    in.put("breakGlass", r.breakGlass());
    in.put("supersedes", r.supersedes());
    // Facts from outside: unknown (null) until the policy's context fills them in, so a table
    // that names them evaluates the same everywhere (catalog, simulation, tests) and fails closed.
    for (String fact : CONTEXT_FACTS) {
      in.put(fact, null);
    }
    return in;
  }

  /** The auto-approval table's variables: the request's plus the scope's. */
  public static Map<String, Object> withScope(Map<String, Object> base, String scopeName, long maxDurationMinutes) {
    Map<String, Object> in = new LinkedHashMap<>(base);
    in.put("scopeName", scopeName);
    in.put("maxDurationMinutes", maxDurationMinutes);
    in.put("maxDurationSeconds", maxDurationMinutes * 60);
    in.put("maxDurationText", text(maxDurationMinutes * 60));
    return in;
  }

  /** The scope a row of the scopes table describes; null when the row has no scope name. */
  public static AccessPolicy.Scope scope(Map<String, Object> row) {
    if (row == null || row.get("scopeName") == null) {
      return null;
    }
    Object groups = row.get("approverGroups");
    Number max = (Number) row.get("maxDurationMinutes");
    Number quorum = (Number) row.get("approvalsRequired");
    Object escalation = row.get("escalationGroup");
    return new AccessPolicy.Scope(String.valueOf(row.get("scopeName")), splitGroups(groups),
        max == null ? 0 : max.longValue(), Boolean.TRUE.equals(row.get("mayRequestForOthers")),
        quorum == null ? 1 : quorum.intValue(), escalation == null ? null : String.valueOf(escalation),
        Boolean.TRUE.equals(row.get("breakGlassAllowed")));
  }

  /** Approver groups as a table writes them: a string "a, b" or a list. */
  static List<String> splitGroups(Object groups) {
    if (groups == null) {
      return List.of();
    }
    if (groups instanceof java.util.Collection<?> c) {
      return c.stream().map(String::valueOf).map(String::trim).filter(g -> !g.isBlank()).toList();
    }
    return java.util.Arrays.stream(String.valueOf(groups).split("\\s*,\\s*")).filter(g -> !g.isBlank()).toList();
  }

  /** "Workloads/Prod" → ["Workloads", "Workloads/Prod"]; empty for the root or unknown. */
  public static List<String> ancestry(String ouPath) {
    List<String> out = new ArrayList<>();
    if (ouPath == null || ouPath.isBlank()) {
      return out;
    }
    StringBuilder path = new StringBuilder();
    for (String part : ouPath.split("/")) {
      if (part.isBlank()) {
        continue;
      }
      path.append(path.length() == 0 ? "" : "/").append(part);
      out.add(path.toString());
    }
    return out;
  }

  /** The first ticket reference in the ticket field, else in the justification; null when none. */
  public static String ticketReference(Pattern pattern, String ticket, String justification) {
    for (String text : new String[] {ticket, justification}) {
      if (text != null) {
        Matcher m = pattern.matcher(text);
        if (m.find()) {
          return m.group();
        }
      }
    }
    return null;
  }

  /** A duration as people say it: "6 h", "1 h 30 min", "45 min", "1 h 0 min 59 s". */
  public static String text(long seconds) {
    long h = seconds / 3600;
    long m = (seconds % 3600) / 60;
    long s = seconds % 60;
    StringBuilder b = new StringBuilder();
    if (h > 0) {
      b.append(h).append(" h");
    }
    if (m > 0 || (h > 0 && s > 0)) {
      b.append(b.length() > 0 ? " " : "").append(m).append(" min");
    }
    if (s > 0 || b.length() == 0) {
      b.append(b.length() > 0 ? " " : "").append(s).append(" s");
    }
    return b.toString();
  }

  /** The request's duration as policy bounds it: for a rework, the whole span since the first grant. */
  public static Duration policyDuration(AccessRequest r) {
    Duration d = r.parsedDuration();
    if (r.getChainStart() != null && r.getCreatedAt() != null) {
      return Duration.between(r.getChainStart(), r.getCreatedAt().plus(d));
    }
    return d;
  }
}
