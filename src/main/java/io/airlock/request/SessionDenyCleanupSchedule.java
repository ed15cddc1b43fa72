package io.airlock.request;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Removes session denies whose time is up, every {@code airlock.aws.session-deny-cleanup-interval}.
 * The denies are rows in Airlock's database (session_deny), so a restart or another node picks
 * up where this one stopped; it runs even with ending sessions turned off, so that turning it
 * off never leaves a deny behind.
 */
@Component
class SessionDenyCleanupSchedule {

  private static final Logger log = LoggerFactory.getLogger(SessionDenyCleanupSchedule.class);

  private final SessionTermination sessions;

  SessionDenyCleanupSchedule(SessionTermination sessions) {
    this.sessions = sessions;
  }

  @Scheduled(initialDelayString = "${airlock.aws.session-deny-cleanup-interval}",
      fixedDelayString = "${airlock.aws.session-deny-cleanup-interval}")
  @SchedulerLock(name = "airlock-session-deny-cleanup", lockAtMostFor = "PT5M")
  public void cleanup() {
    try {
      int removed = sessions.removeExpired();
      if (removed > 0) {
        log.info("Removed {} session denies whose sessions have all expired", removed);
      }
    } catch (RuntimeException e) {
      log.warn("Removing expired session denies failed; will try again: {}", e.toString());
    }
  }
}
