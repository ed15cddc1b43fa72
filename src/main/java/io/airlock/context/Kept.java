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
      } catch (FactUnknown e) {
        failures.put(key, e.getMessage());
        log.warn("{}: {}", what, e.getMessage());
        throw e;
      }
      answers.put(key, known);
    }
    return known;
  }
}
