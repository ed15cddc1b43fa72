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
 * access whose ticket is resolved (or gone), with the reason in its timeline. Its end time still
 * ends it when the ticket stays open. A tracker that cannot say changes nothing: the access keeps
 * its end time, and the next check asks again.
 */
@Component
public class TicketWatch {

  private static final Logger log = LoggerFactory.getLogger(TicketWatch.class);

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
    for (Map.Entry<String, List<TicketTieMapper.Tie>> ticket : byTicket.entrySet()) {
      String reference = ticket.getKey();
      Tickets tracker = context.trackerOf(reference).orElse(null);
      if (tracker == null) {
        continue; // no longer set up: the access keeps its end time
      }
      Optional<Tickets.Ticket> found;
      try {
        found = tracker.find(reference);
      } catch (FactUnknown e) {
        unknown++; // logged once by the tracker; asked again at the next check
        continue;
      }
      Instant now = clock.instant();
      if (found.isPresent() && found.get().open()) {
        ties.checked(reference, now);
        continue;
      }
      String why = found.map(t -> reference + " was resolved in " + tracker.provider() + " (" + t.status() + ")")
          .orElse(reference + " no longer exists in " + tracker.provider());
      for (TicketTieMapper.Tie tie : ticket.getValue()) {
        ties.resolved(tie.requestId(), now);
        try {
          if (requests.endEarly(tie.requestId(), why)) {
            ended++;
          }
        } catch (RuntimeException e) {
          // Ended meanwhile, or the process is gone: the end time and the reconciler still end it.
          log.warn("Access {} tied to {} was not ended early: {}", tie.requestId(), reference,
              io.airlock.logging.LogSafe.of(e.getMessage()));
        }
      }
    }
    return new Pass(byTicket.size(), ended, unknown);
  }
}
