package io.airlock.request;

import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryService;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * What the review form ({@code forms/review-access-request.form}) shows of a request, in words:
 * what is asked ("Grant PowerUserAccess to alice for 1 h 30 min", "Extend live access from 14:30
 * to 15:12 (+42 min)", "Keep or revoke access already in use: ..."), the account by name with its
 * OU and a mark for production, the duration as people say it, and the requester's recent
 * requests and current access. Read from the stored requests, never from variables; the review
 * task keeps them as its own (local) variables, beside the copies the review guard compares.
 */
@Component
public class ReviewView {

  /** Variable names the review form reads. */
  public static final String ASK = "reviewAsk";
  public static final String ACCOUNT = "reviewAccount";
  public static final String PRODUCTION = "reviewProduction";
  public static final String DURATION = "reviewDuration";
  public static final String HISTORY = "reviewHistory";
  public static final String CRAFTED = "reviewCrafted";

  static final int RECENT = 5;

  private final AccessRequestMapper requests;
  private final InventoryService inventory;
  private final RequestLabels labels;

  public ReviewView(AccessRequestMapper requests, InventoryService inventory, RequestLabels labels) {
    this.requests = requests;
    this.inventory = inventory;
    this.labels = labels;
  }

  /** The form's variables for a review of {@code r} created at {@code now}, times in {@code zone}. */
  public Map<String, Object> of(AccessRequest r, boolean breakGlass, Instant now, ZoneId zone) {
    Optional<Inventory.Account> account = inventory.findAccount(r.getTarget());
    Map<String, Object> v = new LinkedHashMap<>();
    v.put(ASK, ask(r, breakGlass, now, zone));
    v.put(ACCOUNT, account(r.getTarget(), account));
    v.put(PRODUCTION, account.map(ReviewView::production).orElse(false));
    v.put(DURATION, RequestLabels.human(r.parsedDuration()));
    v.put(HISTORY, history(r, now, zone));
    v.put(CRAFTED, r.isCrafted() && r.getCraftPolicy() != null && !r.getCraftPolicy().isBlank());
    return v;
  }

  private String ask(AccessRequest r, boolean breakGlass, Instant now, ZoneId zone) {
    String who = r.getPrincipal().equals(r.getRequester()) ? r.getRequester()
        : r.getPrincipal() + " (asked by " + r.getRequester() + ")";
    String what = r.getPermission() + " on " + labels.account(r.getTarget());
    if (breakGlass) {
      String since = r.getGrantStart() == null ? "" : " since " + RequestLabels.time(r.getGrantStart(), now, zone);
      String until = r.getGrantEnd() == null ? "" : ", until " + RequestLabels.time(r.getGrantEnd(), now, zone);
      return "Keep or revoke access already in use: " + who + " holds " + what + " (break-glass)" + since + until
          + ". Approve keeps it; Deny revokes it now.";
    }
    AccessRequest.Extension extension = r.extension();
    if (extension != null) {
      return "Extend live access from " + RequestLabels.time(extension.from(), now, zone) + " to "
          + RequestLabels.time(extension.to(), now, zone) + " (+" + RequestLabels.human(extension.by()) + "): " + who
          + " holds " + what + ".";
    }
    AccessRequest replaced = r.getSupersedes() == null ? null : requests.findById(r.getSupersedes()).orElse(null);
    if (replaced != null && replaced.getStatus() == RequestStatus.ACTIVE && replaced.getGrantEnd() != null) {
      Instant from = replaced.getGrantEnd();
      Instant to = (r.getCreatedAt() != null ? r.getCreatedAt() : now).plus(r.parsedDuration());
      Duration change = Duration.between(from, to).withNanos(0);
      String fromText = RequestLabels.time(from, now, zone);
      String toText = RequestLabels.time(to, now, zone);
      String permission = r.getPermission().equals(replaced.getPermission()) ? ""
          : ", as " + r.getPermission() + " instead of " + replaced.getPermission();
      if (change.toMinutes() > 0) {
        return "Extend live access from " + fromText + " to " + toText + " (+" + RequestLabels.human(change) + "): "
            + who + " holds " + replaced.getPermission() + " on " + labels.account(r.getTarget()) + permission + ".";
      }
      return "Change live access: " + who + " holds " + replaced.getPermission() + " on " + labels.account(r.getTarget())
          + " until " + fromText + "; it would end at " + toText + permission + ".";
    }
    return "Grant " + what + " to " + who + " for " + RequestLabels.human(r.parsedDuration()) + ".";
  }

  /** "production (444444444444) · Workloads/Prod", or the bare id for an account not scanned yet. */
  static String account(String accountId, Optional<Inventory.Account> account) {
    if (account.isEmpty()) {
      return accountId + " (not in the inventory yet)";
    }
    Inventory.Account a = account.get();
    String ou = a.ouPath() == null || a.ouPath().isBlank() ? "" : " · " + a.ouPath();
    return a.name() + " (" + accountId + ")" + ou;
  }

  /** Production: the account's {@code environment} tag says so. */
  static boolean production(Inventory.Account a) {
    String environment = a.tags().get("environment");
    return environment != null && environment.toLowerCase(java.util.Locale.ROOT).startsWith("prod");
  }

  /** The requester's current access and recent requests, one a line, newest first. */
  private String history(AccessRequest r, Instant now, ZoneId zone) {
    List<AccessRequest> theirs = requests.findAll(r.getRequester(), 50).stream()
        .filter(o -> !o.getId().equals(r.getId())).toList();
    StringBuilder s = new StringBuilder();
    List<AccessRequest> active = theirs.stream().filter(o -> o.getStatus() == RequestStatus.ACTIVE).toList();
    s.append("Current access: ");
    if (active.isEmpty()) {
      s.append("none");
    }
    for (AccessRequest a : active) {
      s.append("\n· ").append(a.getPermission()).append(" on ").append(labels.account(a.getTarget()))
          .append(" for ").append(a.getPrincipal());
      if (a.getGrantEnd() != null) {
        s.append(", ends ").append(RequestLabels.time(a.getGrantEnd(), now, zone));
      }
    }
    s.append("\nRecent requests: ");
    List<AccessRequest> recent = theirs.stream().limit(RECENT).toList();
    if (recent.isEmpty()) {
      s.append("none");
    }
    for (AccessRequest o : recent) {
      s.append("\n· ");
      if (o.getCreatedAt() != null) {
        s.append(RequestLabels.time(o.getCreatedAt(), now, zone)).append(": ");
      }
      s.append(o.getPermission()).append(" on ").append(labels.account(o.getTarget())).append(", ")
          .append(duration(o)).append(" · ").append(status(o.getStatus()));
    }
    return s.toString();
  }

  /** "1 h 30 min"; a stored value that does not parse (an older row) as it is. */
  private static String duration(AccessRequest r) {
    try {
      return RequestLabels.human(r.parsedDuration());
    } catch (RuntimeException e) {
      return String.valueOf(r.getDuration());
    }
  }

  /** A status as the requester's pages say it. */
  static String status(RequestStatus status) {
    return switch (status) {
      case SUBMITTED -> "Submitted";
      case PENDING_REVIEW -> "Waiting for review";
      case SCHEDULED -> "Approved, starts later";
      case GRANTING -> "Being granted";
      case ACTIVE -> "Active";
      case REVOKING -> "Being revoked";
      case REVOKED -> "Ended";
      case DENIED -> "Denied";
      case REJECTED_OUT_OF_SCOPE -> "Not allowed by policy";
      case FAILED -> "Failed";
      case CANCELLED -> "Withdrawn";
      case EXPIRED -> "Not reviewed in time";
      case SUPERSEDED -> "Replaced";
    };
  }
}
