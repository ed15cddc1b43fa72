package io.airlock.aws;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * AWS allows 20 IAM Identity Center API calls a second. This interceptor sits on the sso-admin
 * and identitystore clients and makes every HTTP attempt (each page of a paginator, each SDK
 * retry) wait for a permit, so the quota holds whatever the load.
 */
final class IdentityCenterQuota implements ExecutionInterceptor {

  static final int CALLS_PER_SECOND = 20;

  private final RateLimiter limiter;

  IdentityCenterQuota(int callsPerSecond, Duration maxWait) {
    // One permit per slot, evenly spaced: a fixed "N per second" cycle could let 2N calls
    // through around a cycle boundary, and AWS counts over any one-second window.
    this.limiter = RateLimiter.of("identity-center-calls", RateLimiterConfig.custom()
        .limitForPeriod(1)
        .limitRefreshPeriod(Duration.ofMillis(1000 / callsPerSecond + 2))
        .timeoutDuration(maxWait)
        .build());
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    if (!limiter.acquirePermission()) {
      throw SdkClientException.create("Airlock's Identity Center rate limit (" + CALLS_PER_SECOND
          + " calls/s) stayed saturated; try again later");
    }
  }
}
