package io.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.function.Predicate;

/** Follows a request until {@code done} says so, saying each new status in words; {@link Exit#TIMED_OUT} after {@code timeout}. */
final class Follow {

  private static final Duration EVERY = Duration.ofSeconds(1);

  private Follow() {}

  static JsonNode until(Airlock root, Api api, String id, Predicate<String> done, Duration timeout) {
    long deadline = root.terminal.clock().millis() + timeout.toMillis();
    String last = null;
    while (true) {
      JsonNode r = api.get("/api/requests/" + id);
      String status = Words.text(r, "status");
      if (!status.equals(last)) {
        root.note("  " + Words.status(status) + ("PENDING_REVIEW".equals(status) && r.hasNonNull("approverGroups")
            ? " by " + Words.text(r, "approverGroups") : ""));
        last = status;
      }
      if (done.test(status)) {
        return r;
      }
      if (root.terminal.clock().millis() >= deadline) {
        throw new CliException(Exit.TIMED_OUT, "Still " + Words.status(status).toLowerCase(java.util.Locale.ROOT)
            + " after " + Durations.human(timeout) + "; follow it with: airlock show " + id, r);
      }
      try {
        Thread.sleep(EVERY.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(Exit.UNEXPECTED, "Interrupted");
      }
    }
  }

  /** Granted (or scheduled), or over without access. */
  static boolean decided(String status) {
    return "ACTIVE".equals(status) || "SCHEDULED".equals(status) || Words.finished(status);
  }
}
