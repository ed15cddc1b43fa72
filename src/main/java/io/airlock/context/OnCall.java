package io.airlock.context;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a person is on call now, from an on-call scheduler (PagerDuty). A port: the policy asks
 * it through {@link PolicyContext}, never the scheduler's API.
 */
public interface OnCall {

  /** The scheduler's name as people know it ("PagerDuty"). */
  String provider();

  /**
   * The person's current shift, empty when they are not on call (or the scheduler does not know
   * them).
   *
   * @throws FactUnknown when the scheduler cannot say (unreachable, too slow, refused the key)
   */
  Optional<Shift> shiftOf(String email, Instant now);

  /** An on-call shift: until when ({@code null}: no end), and of which schedule (its name). */
  record Shift(Instant until, String schedule) {}
}
