package io.airlock.notify;

import io.airlock.request.AccessRequest;
import io.airlock.request.RequestLabels;
import io.airlock.request.RequestStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;

/**
 * What became of a request, as a chat's review message says it once the request no longer waits,
 * in the portal's words: "Approved by bob in Slack · Active until 14:30 UTC", "Denied by grace in
 * Airlock (Tasklist, the portal or the API): …", "Withdrawn by alice: …". One copy for every chat.
 */
@Component
public class ChatOutcome {

  private final MessageSource words;
  private final Clock clock;

  ChatOutcome(MessageSource words, Clock clock) {
    this.words = words;
    this.clock = clock;
  }

  /** The status in the portal's words ("Active", "Waiting for review"). */
  public String status(RequestStatus s) {
    return words.getMessage("status." + s.name(), null, s.name(), Locale.ENGLISH);
  }

  /**
   * @param chat         the chat's name ("Slack", "Teams")
   * @param decidedThere whether the reviewer decided in that chat
   */
  public String outcome(AccessRequest r, String chat, boolean decidedThere) {
    String where = decidedThere ? " in " + chat : " in Airlock (Tasklist, the portal or the API)";
    RequestStatus s = r.getStatus();
    String by = r.getReviewer() == null ? "" : " by " + r.getReviewer() + where;
    return switch (s) {
      case DENIED -> r.getReviewer() == null ? "Denied by policy" + reason(r.getDecisionReason())
          : "Denied" + by + reason(r.getReviewComment());
      case GRANTING, SCHEDULED, ACTIVE, REVOKING, REVOKED, FAILED ->
          (r.getReviewer() == null ? "Approved" : "Approved" + by) + " · " + status(s) + when(r);
      case CANCELLED -> r.getDecisionReason() != null && r.getDecisionReason().startsWith("Withdrawn")
          ? r.getDecisionReason() : status(s);
      case EXPIRED -> status(s) + ": nobody reviewed it in time";
      case SUPERSEDED -> status(s) + ": an approver changed it; the changed request is reviewed on its own";
      default -> status(s);
    };
  }

  private String when(AccessRequest r) {
    Instant now = clock.instant();
    return switch (r.getStatus()) {
      case ACTIVE -> r.getGrantEnd() == null ? "" : " until " + RequestLabels.time(r.getGrantEnd(), now, ZoneOffset.UTC);
      case SCHEDULED -> r.getStartAt() == null ? "" : " at " + RequestLabels.time(r.getStartAt(), now, ZoneOffset.UTC);
      case REVOKED -> r.getRevokedAt() == null ? "" : " at " + RequestLabels.time(r.getRevokedAt(), now, ZoneOffset.UTC);
      default -> "";
    };
  }

  private static String reason(String why) {
    return why == null || why.isBlank() ? "" : ": " + why;
  }
}
