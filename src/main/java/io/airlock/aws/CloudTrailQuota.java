package io.airlock.aws;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.time.Duration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * CloudTrail allows 2 LookupEvents calls a second per account and region. One Resilience4j rate
 * limiter per account and region; the interceptor on that account's and region's client takes a
 * permit before every HTTP attempt (each page of the paginator, each SDK retry).
 *
 * <p>The permits come one every {@code 1/callsPerSecond} seconds (500 ms for 2/s), not 2 at the
 * start of each second: Resilience4j's fixed cycles would allow 2 at the end of one second and
 * 2 more at the start of the next, 4 within a few milliseconds, which AWS's token bucket (and
 * the emulator's) throttles. Evenly spaced permits never exceed a bucket of 2 refilled at 2 a
 * second. The limit is per Airlock node: fetches are rare, and the SDK's standard retries
 * absorb a throttle when two nodes read the same account at once.
 */
final class CloudTrailQuota {

  private final RateLimiterRegistry registry;

  CloudTrailQuota(int callsPerSecond, Duration maxWait) {
    if (callsPerSecond < 1) {
      throw new IllegalArgumentException("callsPerSecond must be positive");
    }
    this.registry = RateLimiterRegistry.of(RateLimiterConfig.custom()
        .limitForPeriod(1)
        .limitRefreshPeriod(Duration.ofNanos(1_000_000_000L / callsPerSecond))
        .timeoutDuration(maxWait)
        .build());
  }

  /** The limiter of one account and region (the same one for every caller). */
  RateLimiter limiter(String accountId, String region) {
    return registry.rateLimiter(accountId + "/" + region);
  }

  /** The interceptor for a client of that account and region. */
  ExecutionInterceptor interceptor(String accountId, String region) {
    RateLimiter limiter = limiter(accountId, region);
    return new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (!limiter.acquirePermission()) {
          throw SdkClientException.create("Airlock's CloudTrail rate limit for " + accountId + " in " + region
              + " stayed saturated; try again later");
        }
      }
    };
  }
}
