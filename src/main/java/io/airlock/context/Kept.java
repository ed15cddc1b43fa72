package io.airlock.context;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * A provider's answers kept for {@code cacheFor}, and its failures for at most 15 s, so a burst
 * of requests asks once and an unreachable provider costs one timeout, not one per request
 * (Caffeine, the cache Spring Boot manages).
 */
final class Kept<V> {

  static final Duration FAILURE_KEPT_AT_MOST = Duration.ofSeconds(15);

  private final Cache<String, V> answers;
  private final Cache<String, String> failures;

  Kept(Duration cacheFor) {
    answers = Caffeine.newBuilder().expireAfterWrite(cacheFor).maximumSize(10_000).build();
    Duration failureKept = cacheFor.compareTo(FAILURE_KEPT_AT_MOST) < 0 ? cacheFor : FAILURE_KEPT_AT_MOST;
    failures = Caffeine.newBuilder().expireAfterWrite(failureKept).maximumSize(10_000).build();
  }

  /** The kept answer for {@code key}, or {@code ask}'s, kept; a failure is kept and logged once (WARN). */
  V get(String key, Function<String, V> ask, Logger log, String what) {
    String failed = failures.getIfPresent(key);
    if (failed != null) {
      throw new FactUnknown(failed);
    }
    V known = answers.getIfPresent(key);
    if (known == null) {
      try {
        known = ask.apply(key);
      } catch (RuntimeException e) {
        // Anything but an answer (an answer of another shape, a date it cannot read) is kept as a
        // failure too, so one odd answer does not make every request ask again.
        FactUnknown unknown = e instanceof FactUnknown f ? f
            : new FactUnknown("its answer was not what its API documents");
        failures.put(key, unknown.getMessage());
        log.warn("{}: {}", what, unknown.getMessage());
        throw unknown;
      }
      answers.put(key, known);
    }
    return known;
  }
}
