package io.airlock.request;

import io.airlock.inventory.InventoryService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * How a request reads to people, in task names, descriptions and messages: who, what, where and
 * for how long ("alice · PowerUserAccess · staging (333333333333) · 30 min"), accounts by their
 * name from the inventory, durations as people write them.
 */
@Component
public class RequestLabels {

  private final InventoryService inventory;

  public RequestLabels(InventoryService inventory) {
    this.inventory = inventory;
  }

  /** "alice · PowerUserAccess · staging (333333333333) · 30 min". */
  public String title(AccessRequest r) {
    return r.getPrincipal() + " · " + r.getPermission() + " · " + account(r.getTarget()) + " · "
        + human(r.parsedDuration());
  }

  /** "staging (333333333333)", or the bare id for an account the inventory does not know (yet). */
  public String account(String accountId) {
    return inventory.findAccount(accountId).map(a -> a.name() + " (" + accountId + ")").orElse(accountId);
  }

  /**
   * A moment as people read it in {@code zone}: "14:30 UTC" on the day of {@code now}, else with
   * its date, "2 Dec 14:30 UTC" (and the year when it is another one).
   */
  public static String time(java.time.Instant at, java.time.Instant now, java.time.ZoneId zone) {
    java.time.ZonedDateTime t = at.atZone(zone);
    java.time.ZonedDateTime today = now.atZone(zone);
    String pattern = t.toLocalDate().equals(today.toLocalDate()) ? "HH:mm zzz"
        : t.getYear() == today.getYear() ? "d MMM HH:mm zzz" : "d MMM yyyy HH:mm zzz";
    return java.time.format.DateTimeFormatter.ofPattern(pattern, java.util.Locale.ENGLISH).format(t);
  }

  /** A duration as people write it: "30 min", "2 h", "1 h 30 min", "1 d 4 h", "45 s". */
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
}
