package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The portal's words for the terminal: statuses as Airlock's pages say them (the message bundle's
 * {@code status.*}), what policy will do as the new-request page says it, times in the reader's
 * zone, durations as "1 h 30 min". A copy, not an import: the CLI stands alone (CliWordsTest holds
 * it to the bundle).
 */
public final class Words {

  static final Map<String, String> STATUS = Map.ofEntries(
      Map.entry("SUBMITTED", "Submitted"),
      Map.entry("PENDING_REVIEW", "Waiting for review"),
      Map.entry("SCHEDULED", "Approved, starts later"),
      Map.entry("GRANTING", "Being granted in AWS"),
      Map.entry("ACTIVE", "Active"),
      Map.entry("REVOKING", "Being removed from AWS"),
      Map.entry("REVOKED", "Ended"),
      Map.entry("DENIED", "Denied"),
      Map.entry("REJECTED_OUT_OF_SCOPE", "Not allowed by policy"),
      Map.entry("FAILED", "Failed"),
      Map.entry("CANCELLED", "Withdrawn"),
      Map.entry("EXPIRED", "Expired without a review"),
      Map.entry("SUPERSEDED", "Replaced by a newer request"));

  private Words() {}

  /** "Waiting for review" for PENDING_REVIEW; an unknown status in lower case. */
  public static String status(String status) {
    return status == null ? "" : STATUS.getOrDefault(status, status.toLowerCase(Locale.ROOT).replace('_', ' '));
  }

  /** Whether nothing more happens to a request in this status. */
  public static boolean finished(String status) {
    return List.of("REVOKED", "DENIED", "REJECTED_OUT_OF_SCOPE", "FAILED", "CANCELLED", "EXPIRED", "SUPERSEDED")
        .contains(status);
  }

  /** Whether the request ended without access ever being given (policy, an approver, nobody in time). */
  public static boolean refused(String status) {
    return List.of("DENIED", "REJECTED_OUT_OF_SCOPE", "FAILED", "CANCELLED", "EXPIRED").contains(status);
  }

  /**
   * What policy will do, as the new-request page says it: "Approved at once.", "Needs 1 review by
   * airlock-approvers.", "Needs 2 approvals from …", "Policy will deny this.", "Not allowed.",
   * then the policy's reason (and for a denial the longest duration allowed).
   */
  public static String forecast(JsonNode f) {
    String reason = text(f, "reason");
    String groups = join(f.path("approverGroups"));
    String head = switch (text(f, "outcome")) {
      case "APPROVED_AT_ONCE" -> "Approved at once.";
      case "BREAK_GLASS_AT_ONCE" -> "Granted at once as break-glass.";
      case "NEEDS_REVIEW" -> f.path("approvalsRequired").asInt(1) > 1
          ? "Needs " + f.path("approvalsRequired").asInt() + " approvals from " + groups + "."
          : "Needs 1 review by " + groups + ".";
      case "DENIED" -> "Policy will deny this.";
      default -> "Not allowed.";
    };
    String text = head + (reason.isEmpty() ? "" : " " + reason);
    Duration max = duration(f.path("maxDuration"));
    if ("DENIED".equals(text(f, "outcome")) && max != null) {
      text += (text.endsWith(".") ? " " : ". ") + "You may ask for up to " + Durations.human(max) + " here.";
    }
    return text;
  }

  /** "staging (333333333333)" when the catalog names the account, else the id. */
  public static String account(String id, Map<String, String> names) {
    String name = names == null ? null : names.get(id);
    return name == null || name.isBlank() ? id : name + " (" + id + ")";
  }

  /** A moment in the reader's zone: "14:30 UTC" today, "2 Dec 14:30 UTC" this year, else with the year. */
  public static String time(Instant at, Instant now, ZoneId zone) {
    ZonedDateTime t = at.atZone(zone);
    ZonedDateTime today = now.atZone(zone);
    String pattern = t.toLocalDate().equals(today.toLocalDate()) ? "HH:mm zzz"
        : t.getYear() == today.getYear() ? "d MMM HH:mm zzz" : "d MMM yyyy HH:mm zzz";
    return DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(t);
  }

  /**
   * Where a request stands in a few words, as "My access" says it: "Active until 14:44 UTC (28 min
   * left)", "Approved; starts at 2 Dec 09:00 UTC", else the status in words.
   */
  public static String standing(JsonNode r, Instant now, ZoneId zone) {
    String status = text(r, "status");
    Instant end = instant(r.path("grantEnd"));
    Instant start = instant(r.path("startAt"));
    if ("ACTIVE".equals(status) && end != null) {
      return "Active until " + time(end, now, zone) + " (" + Durations.left(Duration.between(now, end)) + " left)";
    }
    if ("SCHEDULED".equals(status) && start != null) {
      return "Approved; starts at " + time(start, now, zone);
    }
    return status(status);
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  static Instant instant(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isNumber()) { // an ObjectMapper that writes timestamps: seconds with fractions
      return Instant.ofEpochMilli((long) (n.asDouble() * 1000));
    }
    try {
      return Instant.parse(n.asText());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A duration as Airlock's JSON carries it: ISO-8601 ("PT4H"), or seconds. */
  static Duration duration(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isNumber()) {
      return Duration.ofMillis((long) (n.asDouble() * 1000));
    }
    try {
      return Duration.parse(n.asText());
    } catch (RuntimeException e) {
      return null;
    }
  }

  static String join(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(g -> out.add(g.asText()));
    return String.join(", ", out);
  }
}
