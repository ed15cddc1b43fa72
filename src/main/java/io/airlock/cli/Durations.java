package io.airlock.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people say them at a terminal ({@code 1h}, {@code 30m}, {@code 2h30m}, {@code 1d},
 * {@code 1 h 30 min}, or ISO-8601's {@code PT1H}) to ISO-8601 for Airlock, and back as the portal
 * writes them ("1 h 30 min").
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile(
      "(\\d+)\\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])", Pattern.CASE_INSENSITIVE);

  private Durations() {}

  /**
   * The duration {@code text} says; {@link CliException} with {@link Exit#BAD_INPUT} naming
   * {@code field} when it says none, or zero.
   */
  public static Duration parse(String text, String field) {
    if (text == null || text.isBlank()) {
      throw bad(field, text);
    }
    String t = text.trim();
    if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        return positive(Duration.parse(t.toUpperCase(Locale.ROOT)), field, text);
      } catch (DateTimeParseException e) {
        throw bad(field, text);
      }
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int at = 0;
    int lastRank = -1;
    while (m.find()) {
      if (!t.substring(at, m.start()).isBlank()) {
        throw bad(field, text);
      }
      int rank = rank(m.group(2));
      if (rank <= lastRank) { // "30m1h" or "1h1h": not how anyone says it
        throw bad(field, text);
      }
      lastRank = rank;
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (rank) {
        case 0 -> Duration.ofDays(n);
        case 1 -> Duration.ofHours(n);
        case 2 -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      });
      at = m.end();
    }
    if (lastRank < 0 || !t.substring(at).isBlank()) {
      throw bad(field, text);
    }
    return positive(total, field, text);
  }

  /** ISO-8601 for Airlock: "PT2H30M". */
  public static String iso(Duration d) {
    return d.toString();
  }

  /** As the portal writes it: "30 min", "2 h", "1 h 30 min", "1 d 4 h", "45 s". */
  public static String human(Duration d) {
    if (d.toMinutes() == 0) {
      return d.toSeconds() + " s";
    }
    List<String> parts = new ArrayList<>();
    if (d.toDays() > 0) {
      parts.add(d.toDays() + " d");
    }
    if (d.toHoursPart() > 0) {
      parts.add(d.toHoursPart() + " h");
    }
    if (d.toMinutesPart() > 0) {
      parts.add(d.toMinutesPart() + " min");
    }
    return String.join(" ", parts);
  }

  /** "1 h 30 min" for "PT1H30M"; the text as it is when it is no ISO duration. */
  public static String human(String iso) {
    if (iso == null || iso.isBlank()) {
      return "";
    }
    try {
      return human(Duration.parse(iso));
    } catch (DateTimeParseException e) {
      return iso;
    }
  }

  /** Time left until an end, rounded up to the minute as the portal does: "28 min", or "0 min" once past. */
  public static String left(Duration d) {
    return d.isNegative() || d.isZero() ? "0 min" : human(Duration.ofMinutes((d.toSeconds() + 59) / 60));
  }

  private static int rank(String unit) {
    return switch (unit.toLowerCase(Locale.ROOT).charAt(0)) {
      case 'd' -> 0;
      case 'h' -> 1;
      case 'm' -> 2;
      default -> 3;
    };
  }

  private static Duration positive(Duration d, String field, String text) {
    if (d.isNegative() || d.isZero()) {
      throw bad(field, text);
    }
    return d;
  }

  private static CliException bad(String field, String text) {
    return new CliException(Exit.BAD_INPUT, field + ": '" + (text == null ? "" : text)
        + "' is not a duration; say it as 30m, 1h, 2h30m or 1d (or ISO-8601, PT1H)");
  }
}
