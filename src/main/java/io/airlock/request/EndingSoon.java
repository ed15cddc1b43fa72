package io.airlock.request;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Access about to end: each ACTIVE request whose end is near is claimed once (on any node) and
 * an {@link RequestEvent.Kind#ENDING_SOON} event published, so the principal can ask for more
 * time before it goes.
 */
@Service
public class EndingSoon {

  private final AccessRequestMapper requests;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  EndingSoon(AccessRequestMapper requests, ApplicationEventPublisher events, Clock clock) {
    this.requests = requests;
    this.events = events;
    this.clock = clock;
  }

  /** Claims and announces the requests ending within {@code within}; returns how many. */
  @Transactional
  public int announce(Duration within) {
    Instant now = clock.instant();
    List<AccessRequest> ending = requests.findEndingUntold(now.plus(within));
    int told = 0;
    for (AccessRequest r : ending) {
      if (requests.claimEndingNotice(r.getId(), now) == 1) {
        events.publishEvent(RequestEvent.endingSoon(r));
        told++;
      }
    }
    return told;
  }
}
