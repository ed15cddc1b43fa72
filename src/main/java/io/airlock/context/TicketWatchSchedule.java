package io.airlock.context;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Runs {@link TicketWatch#check} every {@code check-every}, on one node of the cluster at a time. */
@Component
@ConditionalOnProperty(name = "airlock.context.tickets.end-with-ticket", havingValue = "true", matchIfMissing = true)
class TicketWatchSchedule {

  private static final Logger log = LoggerFactory.getLogger(TicketWatchSchedule.class);

  private final TicketWatch watch;

  TicketWatchSchedule(TicketWatch watch) {
    this.watch = watch;
  }

  @Scheduled(initialDelayString = "${airlock.context.tickets.check-every}",
      fixedDelayString = "${airlock.context.tickets.check-every}")
  @SchedulerLock(name = "airlock-ticket-watch", lockAtMostFor = "PT10M")
  public void check() {
    try {
      TicketWatch.Pass pass = watch.check();
      if (pass.ended() > 0) {
        log.info("Ended {} access early: its ticket was resolved ({} tickets asked about)", pass.ended(),
            pass.tickets());
      }
    } catch (RuntimeException e) {
      log.warn("The ticket check could not run, the next one retries: {}",
          io.airlock.logging.LogSafe.of(e.toString()));
    }
  }
}
