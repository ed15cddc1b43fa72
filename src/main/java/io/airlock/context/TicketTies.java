package io.airlock.context;

import java.time.Clock;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Ties access to the open ticket it names ({@code airlock.context.tickets.end-with-ticket}), in the
 * transaction of the policy step that judged it; {@link TicketWatch} ends it when the ticket is
 * resolved.
 */
@Component
public class TicketTies {

  private final TicketTieMapper ties;
  private final Clock clock;
  private final boolean enabled;

  TicketTies(TicketTieMapper ties, Clock clock, ContextProperties properties) {
    this.ties = ties;
    this.clock = clock;
    this.enabled = properties.tickets().endWithTicket();
  }

  /**
   * Ties a request to the open ticket it names, once; the sentence for its timeline, or empty when
   * access does not end with tickets here or it was tied already.
   */
  public Optional<String> tie(String requestId, String reference, String provider) {
    if (!enabled || reference == null || ties.count(requestId) > 0) {
      return Optional.empty();
    }
    ties.insert(new TicketTieMapper.Tie(requestId, reference, provider, clock.instant()));
    return Optional.of("This access ends when " + reference + " is resolved in " + provider
        + ", or at its end, whichever comes first.");
  }
}
