package io.airlock.activity;

import java.time.Instant;

/** Port to AWS CloudTrail's event history (implemented in {@code aws}). */
public interface ActivitySource {

  /**
   * The events of {@code userName} in one account and region between {@code from} and {@code to}
   * (inclusive), every page, within CloudTrail's quota; at most {@code limit} events.
   */
  Lookup lookup(String accountId, String region, String userName, Instant from, Instant to, int limit);

  /** What one lookup found: the events, how many calls it took, whether it stopped at the limit. */
  record Lookup(java.util.List<ActivityEvent> events, int calls, boolean truncated) {}
}
