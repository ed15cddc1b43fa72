package io.airlock.context;

import io.airlock.request.RequestService;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Access that ends with its ticket ({@code airlock.context.tickets.end-with-ticket}): a request
 * judged while the ticket it names was open is tied to it ({@link TicketTies}, in the policy
 * step's transaction); {@link #check} asks the tracker about the tickets of active access and ends the
 * access whose ticket the tracker shows resolved, with the reason in its timeline. Its end time still
 * ends it when the ticket stays open. A tracker that cannot say changes nothing: the access keeps
 * its end time, and the next check asks again.
 */
@Component
public class TicketWatch {

  private static final Logger log = LoggerFactory.getLogger(TicketWatch.class);
  /** The most one pass spends asking trackers; what is left waits for the next pass. */
  static final java.time.Duration PASS_BUDGET = java.time.Duration.ofSeconds(20);

  private final TicketTieMapper ties;
  private final PolicyContext context;
  private final RequestService requests;
  private final Clock clock;
  private final boolean enabled;

  TicketWatch(TicketTieMapper ties, PolicyContext context, RequestService requests, Clock clock,
      ContextProperties properties) {
    this.ties = ties;
    this.context = context;
    this.requests = requests;
    this.clock = clock;
    this.enabled = properties.tickets().endWithTicket();
  }

  /** A tracker's status name as the timeline may show it: printable, at most 40 characters. */
  static String words(String status) {
    if (status == null) {
      return "resolved";
    }
    String printable = status.replaceAll("[\\p{Cntrl}\\p{Cf}]", "").strip();
    return printable.isEmpty() ? "resolved" : printable.length() > 40 ? printable.substring(0, 39) + "…" : printable;
  }

  /** What a check found: tickets asked about, access ended, tickets the tracker could not say about. */
  public record Pass(int tickets, int ended, int unknown) {}

  /** Asks about the ticket of every active access tied to one, and ends those whose ticket is resolved. */
  public Pass check() {
    if (!enabled) {
      return new Pass(0, 0, 0);
    }
    Map<String, List<TicketTieMapper.Tie>> byTicket = ties.findActive().stream()
        .collect(Collectors.groupingBy(TicketTieMapper.Tie::reference, LinkedHashMap::new, Collectors.toList()));
    int ended = 0;
    int unknown = 0;
    long deadline = System.nanoTime() + PASS_BUDGET.toNanos();
    for (Map.Entry<String, List<TicketTieMapper.Tie>> ticket : byTicket.entrySet()) {
      if (System.nanoTime() > deadline) {
        break; // the rest at the next pass, so one slow tracker does not hold the scheduler
      }
      String reference = ticket.getKey();
      Tickets tracker = context.trackerOf(reference).orElse(null);
      if (tracker == null) {
        continue; // no longer set up: the access keeps its end time
      }
      Optional<Tickets.Ticket> found;
      try {
        found = tracker.find(reference);
      } catch (RuntimeException e) {
        unknown++; // logged once by the tracker; asked again at the next check
        continue;
      }
      Instant now = clock.instant();
      // Only a tracker that shows the ticket resolved ends access; a ticket it no longer shows
      // (deleted, moved, Airlock's access lost) leaves the access to its end time.
      if (found.isEmpty() || found.get().open()) {
        ties.checked(reference, now);
        continue;
      }
      String why = reference + " was resolved in " + tracker.provider() + " (" + words(found.get().status()) + ")";
      for (TicketTieMapper.Tie tie : ticket.getValue()) {
        try {
          if (requests.endEarly(tie.requestId(), why)) {
            ended++;
          }
          ties.resolved(tie.requestId(), now); // only once ended (or no longer active): else asked again
        } catch (RuntimeException e) {
          log.warn("Access {} tied to {} was not ended early, the next check tries again: {}", tie.requestId(),
              reference, io.airlock.logging.LogSafe.of(e.getMessage()));
        }
      }
    }
    return new Pass(byTicket.size(), ended, unknown);
  }
}
